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
from tuitrain.errors import DataError
from tuitrain.limits import check_array_file
from tuitrain.suggest import did_you_mean

KERAS_LAYOUT = ("x_train", "y_train", "x_test", "y_test")
TASKS = ("classification", "regression")


def read_npz(path, x_key=None, y_key=None):
    """(x, y, x_test, y_test) from an .npz: arrays x/y (or x_key/y_key), or Keras' x_train/y_train/x_test/y_test."""
    with np.load(path, allow_pickle=False) as f:
        names = set(f.files)
        if x_key is None and "x" not in names and "x_train" in names:
            pick = [f[k] if k in names else None for k in ("x_train", "y_train", "x_test", "y_test")]
            return tuple(pick)
        x = f[x_key or "x"]
        y_name = y_key or "y"
        y = f[y_name] if y_name in names else None
        return x, y, None, None


def read_npy(path, labels=None):
    """x from an .npy, and y from the `labels` .npy when given."""
    x = np.load(path, allow_pickle=False)
    y = np.load(labels, allow_pickle=False) if labels is not None else None
    return x, y


def read_csv(path, target=None, delimiter=","):
    """Numeric CSV with a header row: x float32 from every column but `target` (default: the last one).

    The target column becomes int64 when every value is an integer, else float32.
    """
    import csv

    with open(path, newline="") as handle:
        rows = [row for row in csv.reader(handle, delimiter=delimiter) if row]
    header, rows = [h.strip() for h in rows[0]], rows[1:]
    column = header.index(target) if target is not None else len(header) - 1
    features, labels = [], []
    for number, row in enumerate(rows, start=2):
        if len(row) != len(header):
            raise ValueError(f"line {number} has {len(row)} values, the header has {len(header)}")
        try:
            features.append([float(v) for i, v in enumerate(row) if i != column])
        except ValueError:
            bad = next(v for i, v in enumerate(row) if i != column and not _is_number(v))
            raise ValueError(f"line {number}: {bad!r} is not a number") from None
        labels.append(row[column].strip())
    try:
        y = np.array([int(v) for v in labels], dtype=np.int64)
    except ValueError:
        try:
            y = np.array([float(v) for v in labels], dtype=np.float32)
        except ValueError:
            bad = next(v for v in labels if not _is_number(v))
            raise ValueError(f"target column {header[column]!r} holds {bad!r}, not a number") from None
    return np.array(features, dtype=np.float32).reshape(len(rows), len(header) - 1), y


def _is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def as_labels(y, task):
    """Labels as the preset's `task` says: int64 class indices or float32 targets (None: as stored)."""
    if y is None or task is None:
        return y
    if task == "regression":
        return y.astype(np.float32)
    if y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1):
        return y.astype(np.int64)
    return y


READERS = {".npz": read_npz, ".npy": read_npy, ".csv": read_csv}


def infer_task(y) -> str:
    """Integer (or one-hot 0/1) labels are classes; other floats are regression targets."""
    if y is None or y.dtype.kind in "iub":
        return "classification"
    if y.ndim == 2 and y.shape[1] > 1 and np.isin(y, (0, 1)).all():
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
            self._check_csv(path, args)
        try:
            out = reader(str(path), **args)
        except ValueError as err:
            if "allow_pickle" in str(err) or "pickle" in str(err).lower():
                labels = args.get("labels")
                culprit = Path(labels) if labels and not _plain_npy(Path(labels)) else path
                raise pickle_refused(culprit, "data.labels" if culprit != path else "data.source") from None
            raise DataError(f"cannot read {path}: {err}", path="data.source") from None
        except (OSError, zipfile.BadZipFile, EOFError) as err:
            raise DataError(f"cannot read {path} as {path.suffix}: {err}", path="data.source") from None
        x, y, x_test, y_test = out if len(out) == 4 else (*out, None, None)
        if y is not None and len(y) != len(x):
            raise DataError(f"{path} has {len(x)} samples but {len(y)} labels.", path="data.source")
        task = task or infer_task(y)
        return RawData(x, as_labels(y, task), x_test, as_labels(y_test, task), task=task)

    def _check_npz(self, path: Path, args: dict[str, Any]) -> None:
        try:
            with np.load(path, allow_pickle=False) as f:
                present = list(f.files)
        except (OSError, ValueError, zipfile.BadZipFile) as err:
            raise DataError(f"cannot read {path} as .npz: {err}", path="data.source") from None
        keras_layout = args.get("x_key") is None and "x" not in present and "x_train" in present
        wanted = [("x_key", args.get("x_key") or ("x_train" if keras_layout else "x"))]
        if args.get("y_key") is not None:
            wanted.append(("y_key", args["y_key"]))
        for option, key in wanted:
            if key not in present:
                hint = "" if option in args and args[option] else f" (choose another with {option} = \"...\")"
                raise DataError(
                    f"{path.name} has no array {key!r}{hint}.{did_you_mean(key, present)} Arrays in the file: {', '.join(present) or 'none'}.",
                    path=f"data.{option}" if args.get(option) else "data.source",
                )

    def _check_csv(self, path: Path, args: dict[str, Any]) -> None:
        import csv

        with open(path, newline="") as handle:
            header = next((row for row in csv.reader(handle, delimiter=args.get("delimiter", ",")) if row), None)
        if header is None:
            raise DataError(f"{path} is empty: expected a header row, then numeric rows.", path="data.source")
        header = [h.strip() for h in header]
        target = args.get("target")
        if target is not None and target not in header:
            raise DataError(
                f"{path.name} has no column {target!r}.{did_you_mean(target, header)} Columns: {', '.join(header)}.",
                path="data.target",
            )
        if len(header) < 2:
            raise DataError(f"{path.name} has one column; it needs feature columns and a target column.", path="data.source")

    def code(self, name, options, *, seed, base_dir) -> SourceCode:
        path, args, task = self._resolved(name, options, base_dir)
        reader = self._reader(name)
        call = ", ".join([repr(str(path))] + [f"{k}={v!r}" for k, v in args.items()])
        if reader is read_npz:
            lines = [f"x, y, x_test, y_test = read_npz({call})"]
        else:
            lines = [f"x, y = {reader.__name__}({call})", "x_test = y_test = None"]
        functions = [reader]
        if reader is read_csv:
            functions.append(_is_number)
        if task is not None:
            functions.append(as_labels)
            lines.append(f"y, y_test = as_labels(y, {task!r}), as_labels(y_test, {task!r})")
        return SourceCode(functions=functions, lines=lines, has_test=None if reader is read_npz else False)


def _plain_npy(path: Path) -> bool:
    try:
        np.load(path, allow_pickle=False, mmap_mode="r")
        return True
    except ValueError:
        return False
