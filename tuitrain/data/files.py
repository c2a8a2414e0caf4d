"""`file:<path>` sources: .npz, .npy (+ `labels = "y.npy"`) and numeric .csv, never unpickling.

The readers are self-contained functions (numpy and the csv module only) that `tuitrain export`
pastes into its script; the checks that make good messages (missing file, missing array,
pickled data) live in FileSource around them.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from tuitrain.data.dataset import RawData, SourceCode
from tuitrain.data.source_options import signature_options
from tuitrain.common.errors import DataError
from tuitrain.common.limits import check_array_file
from tuitrain.common.pycode import py
from tuitrain.common.suggest import did_you_mean

KERAS_LAYOUT = ("x_train", "y_train", "x_test", "y_test")
TASKS = ("classification", "regression")


def read_npz(path, x_key=None, y_key=None, sample_weight_key=None):
    """(x, y, x_test, y_test, sample_weight) from an .npz.

    Arrays x/y (or x_key/y_key: a name, or a list of names for a model with several inputs or
    outputs, which then come as lists), or Keras' x_train/y_train/x_test/y_test layout.
    """

    def pick(f, key):
        return [f[k] for k in key] if isinstance(key, list) else f[key]

    with np.load(path, allow_pickle=False) as f:
        names = set(f.files)
        weights = f[sample_weight_key] if sample_weight_key is not None else None
        if x_key is None and y_key is None and "x" not in names and "x_train" in names:
            x_train, y_train, x_test, y_test = (f[k] if k in names else None for k in ("x_train", "y_train", "x_test", "y_test"))
            return x_train, y_train, x_test, y_test, weights
        x = pick(f, x_key or "x")
        y_name = y_key or "y"
        y = pick(f, y_name) if isinstance(y_name, list) or y_name in names else None
        return x, y, None, None, weights


def read_npy(path, labels=None):
    """x from an .npy, and y from the `labels` .npy when given."""
    x = np.load(path, allow_pickle=False)
    y = np.load(labels, allow_pickle=False) if labels is not None else None
    return x, y


def read_csv(path, target=None, delimiter=None, header=True):
    """A CSV/TSV table: x from every column but `target` (a name or 0-based index; default the last).

    Numeric feature columns give float32 x (empty cells are NaN); text columns give a string array
    (for a TextVectorization/StringLookup layer). The target becomes int64 when every value is an
    integer, float32 when every value is a number, else strings (class names). `delimiter`
    defaults to a tab for .tsv files and a comma otherwise; `header = false` reads the first row
    as data.
    """
    import csv

    if delimiter is None:
        delimiter = "\t" if str(path).lower().endswith(".tsv") else ","
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        try:
            rows = [row for row in reader if row]
        except csv.Error as err:  # a cell over the csv module's 131,072-character limit, a stray NUL
            raise ValueError(f"line {reader.line_num}: {err}") from None
    if not rows:
        raise ValueError("the file has no rows")
    width = len(rows[0])
    if header:
        names, rows = [h.strip() for h in rows[0]], rows[1:]
    else:
        names = [str(i) for i in range(width)]
    if isinstance(target, int) and not isinstance(target, bool):
        if not -width <= target < width:
            raise ValueError(f"target column {target} does not exist: the table has {width} columns (0..{width - 1})")
        column = target % width
    elif target is not None:
        if target not in names:
            raise ValueError(f"no column {target!r}; columns: {', '.join(names)}")
        column = names.index(target)
    else:
        column = width - 1
    for number, row in enumerate(rows, start=2 if header else 1):
        if len(row) != width:
            raise ValueError(f"line {number} has {len(row)} values, the first row has {width}")
    if not rows:
        raise ValueError("the file has a header but no data rows")
    columns = [[row[i].strip() for row in rows] for i in range(width)]
    features = [i for i in range(width) if i != column]
    numeric = []
    for i in features:
        # A column of mostly numbers is numeric and its other values are mistakes; else it is text.
        bad = [n for n, v in enumerate(columns[i]) if v != "" and not _is_number(v)]
        if bad and len(bad) * 2 < len(rows):
            line = bad[0] + (2 if header else 1)
            raise ValueError(f"line {line}: {columns[i][bad[0]]!r} is not a number (column {names[i]!r} holds numbers elsewhere)")
        numeric.append(not bad)
    if all(numeric):
        x = np.array(
            [[float(v) if v != "" else np.nan for v in columns[i]] for i in features], dtype=np.float32
        ).T.reshape(len(rows), len(features))
    elif not any(numeric):
        x = np.array([columns[i] for i in features], dtype=str).T.reshape(len(rows), len(features))
    else:
        text = [names[i] for i, is_number in zip(features, numeric) if not is_number]
        numbers = [names[i] for i, is_number in zip(features, numeric) if is_number]
        raise ValueError(
            f"columns {', '.join(text)} hold text and columns {', '.join(numbers)} hold numbers; a table"
            " must be all numbers or all text (one input per kind is not read from one table)"
        )
    labels = columns[column]
    try:
        y = np.array([int(v) for v in labels], dtype=np.int64)
    except ValueError:
        try:
            y = np.array([float(v) for v in labels], dtype=np.float32)
        except ValueError:
            y = np.array(labels, dtype=str)
    return x, y


def _is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def as_labels(y, task):
    """Labels as the preset's `task` says: int64 class indices or float32 targets (None: as stored)."""
    if isinstance(y, list):
        return [as_labels(part, task) for part in y]
    if y is None or task is None or y.dtype.kind not in "iufb":
        return y
    if task == "regression":
        return y.astype(np.float32)
    if (y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1)) and np.array_equal(y, np.round(y)):
        return y.astype(np.int64)
    return y


READERS = {".npz": read_npz, ".npy": read_npy, ".csv": read_csv, ".tsv": read_csv}


def infer_task(y) -> str:
    """Integer, string (or one-hot 0/1) labels are classes; other floats and whole arrays
    per sample (an image as the target of an autoencoder) are regression targets."""
    if isinstance(y, list):
        tasks = {infer_task(part) for part in y}
        return tasks.pop() if len(tasks) == 1 else "regression"
    if y is None:
        return "classification"
    if y.ndim > 2:
        return "regression"
    if y.ndim == 2 and y.shape[1] > 1:
        return "classification" if y.dtype.kind in "iufb" and np.isin(y, (0, 1)).all() else "regression"
    if y.dtype.kind in "iubUS":
        return "classification"
    return "regression"


def pickle_refused(path: Path, where: str = "data.source") -> DataError:
    return DataError(
        f"{path} holds Python objects (a pickle), which tuitrain refuses to load for safety: unpickling can"
        " run arbitrary code. Save plain numeric arrays instead (e.g. np.save(path, np.asarray(x, dtype='float32'))).",
        path=where,
    )


class FileSource:
    """`file:data.npz`, `file:x.npy` (+ labels), `file:table.csv`; relative paths from the preset's folder."""

    kind = "file"

    def names(self) -> list[str]:
        return []

    def _reader(self, name: str):
        suffix = Path(name).suffix.lower()
        if suffix not in READERS:
            raise DataError(
                f"file: sources read {', '.join(READERS)} files, not {suffix or 'a file without extension'} ({name!r}).",
                path="data.source",
            )
        return READERS[suffix]

    def options(self, name: str) -> dict[str, Any]:
        return {**signature_options(self._reader(name), skip=("path",)), "task": None}

    def _path(self, name: str, base_dir: Path, where: str) -> Path:
        path = (base_dir / Path(name).expanduser()).resolve()
        if not path.is_file():
            raise DataError(f"file not found: {path} (relative paths are resolved against {base_dir}).", path=where)
        return path

    def _resolved(self, name, options, base_dir):
        path = self._path(name, base_dir, "data.source")
        args = {k: v for k, v in options.items() if k != "task"}
        if args.get("labels") is not None:
            args["labels"] = str(self._path(args["labels"], base_dir, "data.labels"))
        task = options.get("task")
        if task is not None and task not in TASKS:
            raise DataError(f"expected one of {', '.join(TASKS)}, got {task!r}.{did_you_mean(str(task), TASKS)}", path="data.task")
        return path, args, task

    def load(self, name, options, *, seed, base_dir) -> RawData:
        path, args, task = self._resolved(name, options, base_dir)
        reader = self._reader(name)
        check_array_file(path)  # sizes from the headers, before np.load allocates
        if args.get("labels") is not None:
            check_array_file(Path(args["labels"]), where="data.labels")
        if reader is read_npz:
            self._check_npz(path, args)
        if reader is read_csv:
            args = self._check_csv(path, args)
        try:
            out = reader(str(path), **args)
        except ValueError as err:
            if "allow_pickle" in str(err) or "pickle" in str(err).lower():
                labels = args.get("labels")
                culprit = Path(labels) if labels and not _plain_npy(Path(labels)) else path
                raise pickle_refused(culprit, "data.labels" if culprit != path else "data.source") from None
            raise DataError(f"cannot read {path}: {err}", path="data.source") from None
        except (OSError, zipfile.BadZipFile, EOFError, UnicodeDecodeError) as err:
            raise DataError(f"cannot read {path} as {path.suffix}: {err}", path="data.source") from None
        weights = None
        if reader is read_npz:
            x, y, x_test, y_test, weights = out
        else:
            (x, y), x_test, y_test = out, None, None
        count = len(x[0]) if isinstance(x, list) else len(x)
        for what, arrays in (("x_key", x), ("y_key", y), ("sample_weight_key", weights)):
            for array in arrays if isinstance(arrays, list) else [arrays]:
                if array is not None and len(array) != count:
                    raise DataError(
                        f"{path.name}: the arrays have different numbers of samples ({len(array)} and {count}).",
                        path=f"data.{what}" if args.get(what) is not None else "data.source",
                    )
        if weights is not None and weights.ndim != 1:
            raise DataError(
                f"sample weights must be one number per sample (shape ({count},)), got shape {weights.shape}.",
                path="data.sample_weight_key",
            )
        cast = task  # several outputs keep their own dtypes unless `task` says otherwise
        task = task or infer_task(y)
        if not isinstance(y, list):
            cast = task
        return RawData(x, as_labels(y, cast), x_test, as_labels(y_test, cast), task=task, sample_weight=weights)

    def _check_npz(self, path: Path, args: dict[str, Any]) -> None:
        try:
            with np.load(path, allow_pickle=False) as f:
                present = list(f.files)
        except (OSError, ValueError, zipfile.BadZipFile) as err:
            raise DataError(f"cannot read {path} as .npz: {err}", path="data.source") from None
        for option in ("x_key", "y_key"):
            value = args.get(option)
            if value is None or isinstance(value, str):
                continue
            if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
                raise DataError(
                    f"expected an array name or a list of names (one per model {'input' if option == 'x_key' else 'output'}), got {value!r}.",
                    path=f"data.{option}",
                )
        if args.get("sample_weight_key") is not None and not isinstance(args["sample_weight_key"], str):
            raise DataError(f"expected an array name, got {args['sample_weight_key']!r}.", path="data.sample_weight_key")
        keras_layout = args.get("x_key") is None and args.get("y_key") is None and "x" not in present and "x_train" in present
        wanted = [("x_key", args.get("x_key") or ("x_train" if keras_layout else "x"))]
        for option in ("y_key", "sample_weight_key"):
            if args.get(option) is not None:
                wanted.append((option, args[option]))
        for option, keys in wanted:
            for key in keys if isinstance(keys, list) else [keys]:
                if key not in present:
                    hint = "" if args.get(option) else f" (choose another with {option} = \"...\")"
                    raise DataError(
                        f"{path.name} has no array {key!r}{hint}.{did_you_mean(key, present)} Arrays in the file: {', '.join(present) or 'none'}.",
                        path=f"data.{option}" if args.get(option) else "data.source",
                    )

    def _check_csv(self, path: Path, args: dict[str, Any]) -> dict[str, Any]:
        """Options checked against the first row; returns them with `header` decided.

        A first row of numbers with `header` unset is an error: read as a header it would lose a
        sample and name the columns after its values, a silent misreading.
        """
        import csv

        delimiter = args.get("delimiter")
        if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
            raise DataError(f"expected one character such as \",\" or \"\\t\", got {delimiter!r}.", path="data.delimiter")
        if delimiter is None:
            delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
        reader = None
        try:
            with open(path, newline="", encoding="utf-8") as handle:
                reader = csv.reader(handle, delimiter=delimiter)
                first = next((row for row in reader if row), None)
        except (OSError, UnicodeDecodeError, csv.Error) as err:
            line = f"line {reader.line_num}: " if isinstance(err, csv.Error) and reader is not None else ""
            raise DataError(f"cannot read {path}: {line}{err}", path="data.source") from None
        if first is None:
            raise DataError(f"{path} is empty: expected a header row, then data rows.", path="data.source")
        first = [h.strip() for h in first]
        header = args.get("header")
        if header is not None and not isinstance(header, bool):
            raise DataError(f"expected true or false, got {header!r}.", path="data.header")
        if header is None:
            if all(_is_number(v) for v in first):
                raise DataError(
                    f"the first row of {path.name} ({', '.join(first[:6])}{', …' if len(first) > 6 else ''}) holds only"
                    " numbers, so it looks like data, not column names: set header = false if the file has no"
                    " header row (columns are then named by index: target = 0), or header = true to read it as names.",
                    path="data.header",
                )
            header = True
        if len(first) < 2:
            raise DataError(
                f"{path.name} has one column (delimiter {delimiter!r}); it needs feature columns and a target column."
                + ("" if args.get("delimiter") else " Set delimiter if the columns are separated by another character."),
                path="data.source",
            )
        target = args.get("target")
        if isinstance(target, bool) or (target is not None and not isinstance(target, (int, str))):
            raise DataError(f"expected a column name or a 0-based column index, got {target!r}.", path="data.target")
        if isinstance(target, int) and not -len(first) <= target < len(first):
            raise DataError(
                f"{path.name} has {len(first)} columns (0..{len(first) - 1}), so there is no column {target}.", path="data.target"
            )
        if isinstance(target, str):
            if not header:
                raise DataError(
                    f"with header = false the columns have no names: give the target column's index (0..{len(first) - 1}).",
                    path="data.target",
                )
            if target not in first:
                raise DataError(
                    f"{path.name} has no column {target!r}.{did_you_mean(target, first)} Columns: {', '.join(first)}.",
                    path="data.target",
                )
        return {**args, "header": header}

    def code(self, name, options, *, seed, base_dir) -> SourceCode:
        path, args, task = self._resolved(name, options, base_dir)
        reader = self._reader(name)
        if reader is read_csv:
            args = self._check_csv(path, args)
        call = ", ".join([f"DATA_DIR / {py(_relative(path, base_dir))}"] + [f"{k}={py(v)}" for k, v in args.items() if k != "labels"])
        if args.get("labels") is not None:
            call += f", labels=DATA_DIR / {py(_relative(Path(args['labels']), base_dir))}"
        if reader is read_npz:
            lines = [f"x, y, x_test, y_test, sample_weight = read_npz({call})"]
        else:
            lines = [f"x, y = {reader.__name__}({call})", "x_test = y_test = sample_weight = None"]
        functions = [reader]
        if reader is read_csv:
            functions.append(_is_number)
        if task is not None:
            functions.append(as_labels)
            lines.append(f"y, y_test = as_labels(y, {py(task)}), as_labels(y_test, {py(task)})")
        return SourceCode(functions=functions, lines=lines, has_test=None if reader is read_npz else False, uses_paths=True)


def _relative(path: Path, base_dir: Path) -> str:
    """A data path as the script writes it: relative to the preset's folder when it lies inside it."""
    import os

    try:
        return Path(os.path.relpath(path, Path(base_dir).resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return str(path)


def _plain_npy(path: Path) -> bool:
    try:
        np.load(path, allow_pickle=False, mmap_mode="r")
        return True
    except ValueError:
        return False
