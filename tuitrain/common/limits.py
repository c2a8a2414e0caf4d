"""Bounds on what a preset may make tuitrain read, parse or allocate, checked before the work.

A preset is untrusted input: a 1 KB file nested 500 deep would overflow Python's stack in the
parser, a 4 MB ``.npz`` can unpack to gigabytes, ``samples = 1e10`` asks for terabytes. Each
check here runs before the work it guards and raises an error that names the file, the key
(or line) and the limit, so the user sees what to change instead of a traceback or a killed
process.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tuitrain.common.errors import DataError, SpecError
from tuitrain.common.fsutil import UnreadableFile, read_bounded

MAX_PRESET_BYTES = 1024 * 1024  # the largest bundled preset is a few KB
MAX_NESTING = 32  # arrays and tables inside each other; a real preset needs fewer than 8
MAX_OVERRIDE_CHARS = 64 * 1024


def read_preset_text(path: str | Path) -> str:
    """A preset file's text: a regular file, at most ``MAX_PRESET_BYTES``, UTF-8 (errors name the line)."""
    path = Path(path)
    try:
        data = read_bounded(path, MAX_PRESET_BYTES, what="the preset")
    except FileNotFoundError:
        raise SpecError(f"preset file not found: {path.resolve()}", file=str(path)) from None
    except IsADirectoryError:
        raise SpecError("is a directory, not a preset file", file=str(path)) from None
    except UnreadableFile as err:
        raise SpecError(str(err).removeprefix(f"{path}: "), file=str(path)) from None
    except OSError as err:
        raise SpecError(f"cannot read the preset: {err.strerror or err}", file=str(path)) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise SpecError(f"not valid UTF-8 (byte 0x{data[err.start]:02x}); save the preset as UTF-8",
                        file=str(path), line=line) from None


def check_text_size(text: str, *, file: str, what: str = "the preset", limit: int = MAX_PRESET_BYTES) -> None:
    """Preset text from anywhere (a file, the app's editor, ``--set``) is at most ``limit`` bytes."""
    if len(text) > limit or len(text.encode("utf-8", "surrogatepass")) > limit:
        size = len(text.encode("utf-8", "surrogatepass"))
        raise SpecError(f"{what} is {size:,} bytes, over the {limit:,}-byte limit", file=file)


def check_toml_nesting(text: str, *, file: str, what: str = "arrays and inline tables", located: bool = True) -> None:
    """Refuse TOML whose brackets nest deeper than ``MAX_NESTING`` before the parser recurses into it.

    A small scanner: it skips strings (all four TOML kinds) and comments and counts ``[``/``{``.
    """
    line = 1
    depth = 0
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            line += 1
        elif ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif ch in "\"'":
            triple = text.startswith(ch * 3, i)
            quote = ch * 3 if triple else ch
            j = i + len(quote)
            while j < n:
                if ch == '"' and text[j] == "\\":
                    j += 2
                    continue
                if text.startswith(quote, j):
                    break
                if text[j] == "\n" and not triple:
                    break  # an unterminated string: the parser will say so
                j += 1
            line += text.count("\n", i, j)
            i = j + len(quote)
            continue
        elif ch in "[{":
            depth += 1
            if depth > MAX_NESTING:
                raise SpecError(f"{what} nested more than {MAX_NESTING} deep", file=file, line=line if located else None)
        elif ch in "]}":
            depth = max(0, depth - 1)
        i += 1


def check_depth(value: Any, *, file: str, path: str = "", limit: int = MAX_NESTING) -> None:
    """Refuse a parsed value nested deeper than ``limit`` (dotted keys nest without brackets)."""
    stack = [(value, path, 0)]
    while stack:
        node, where, depth = stack.pop()
        if depth > limit:
            raise SpecError(f"nested more than {limit} deep", file=file, path=where or None)
        if isinstance(node, dict):
            stack.extend((v, f"{where}.{k}" if where else str(k), depth + 1) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, f"{where}[{i}]", depth + 1) for i, v in enumerate(node))


# ---------------------------------------------------------------------------
# Arrays: sizes known before anything is allocated


def _env_bytes(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name, default)))
    except ValueError:
        return default


# One array a preset may make tuitrain hold (data, one-hot labels, a weight tensor). The user's
# environment, not the preset, may raise it: TUITRAIN_MAX_ARRAY_BYTES.
MAX_ARRAY_BYTES = _env_bytes("TUITRAIN_MAX_ARRAY_BYTES", 2 * 1024**3)
MAX_SAMPLES = 50_000_000  # synthetic samples
MAX_IMAGE_SIDE = 4096  # synthetic images: pixels a side
MAX_CLASSES = 1_000_000  # classes of a synthetic set, one_hot num_classes
MAX_FEATURES = 1_000_000
MAX_EPOCHS = 10_000_000
MAX_READ_FILE_BYTES = 64 * 1024**2  # a file a layer reads (a vocabulary): a large one is a few MB
MAX_CSV_BYTES = 512 * 1024**2  # a CSV is parsed into Python strings first, about 10× its size
MAX_CSV_FIELD_CHARS = 131_072  # one cell; the csv module's own default limit
MAX_IMAGE_PIXELS = 64 * 1024**2  # one image (8192 × 8192), read from its header before decoding
MAX_LABEL_CLASSES = 100_000  # encode_labels: distinct label values


def fmt_bytes(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:,.1f} PiB"  # pragma: no cover


def array_bytes_error(nbytes: int, what: str, path: str, *, file: str | None = None) -> DataError:
    return DataError(f"{what} would take {fmt_bytes(nbytes)}, over the {fmt_bytes(MAX_ARRAY_BYTES)} limit for one array"
                     " (raise it with the environment variable TUITRAIN_MAX_ARRAY_BYTES)", path=path, file=file)


def check_count(value: Any, limit: int, *, path: str, what: str) -> None:
    """An integer option that sizes an allocation (samples, classes…) must be at most ``limit``."""
    if isinstance(value, int) and not isinstance(value, bool) and value > limit:
        raise DataError(f"{value:,} {what} is over the limit of {limit:,}", path=path)


def check_array_bytes(shape: tuple[int, ...], itemsize: int, *, path: str, what: str) -> None:
    nbytes = itemsize * _product(shape)
    if nbytes > MAX_ARRAY_BYTES:
        raise array_bytes_error(nbytes, what, path)


def _npy_header(fh: Any) -> tuple[tuple[int, ...], Any]:
    import numpy as np

    version = np.lib.format.read_magic(fh)
    read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    shape, _fortran, dtype = read(fh)
    return tuple(shape), dtype


def check_array_file(path: Path, *, where: str = "data.source") -> None:
    """Read only the headers of an ``.npy``/``.npz`` and refuse it before ``np.load`` would allocate.

    The header states each array's shape and dtype; a 4 MB compressed file can state gigabytes
    (a "zip bomb"), and a damaged or empty file fails here with its name rather than an EOFError.
    """
    import zipfile

    suffix = path.suffix.lower()
    try:
        if path.stat().st_size == 0:
            raise DataError(f"{path} is empty (0 bytes), not a {suffix} file", path=where)
        if suffix in (".csv", ".tsv") and path.stat().st_size > MAX_CSV_BYTES:
            raise DataError(f"{path} is {fmt_bytes(path.stat().st_size)}, over the {fmt_bytes(MAX_CSV_BYTES)} limit for a"
                            " table (its cells become Python strings first): save the arrays as .npz", path=where)
        if suffix == ".npy":
            with open(path, "rb") as fh:
                shape, dtype = _npy_header(fh)
            check_array_bytes(shape, dtype.itemsize, path=where, what=f"{path.name} {list(shape)} {dtype}")
            if shape == ():
                raise DataError(f"{path.name} is a single value (a 0-d array), not one row per sample", path=where)
        elif suffix == ".npz":
            total = 0
            with zipfile.ZipFile(path) as zf:
                for info in zf.infolist():  # every member: np.load reads any with an .npy header, whatever its name
                    total += _check_npz_member(zf, info, path, where)
            if total > 2 * MAX_ARRAY_BYTES:
                raise array_bytes_error(total, f"the arrays of {path.name} together", where)
    except DataError:
        raise
    except zipfile.BadZipFile:
        raise DataError(f"{path} is not an .npz file (a zip of .npy arrays)", path=where) from None
    except (ValueError, EOFError):
        return  # not an array header (e.g. a pickle): the reader refuses it with its own message
    except OSError as err:
        raise DataError(f"{path} cannot be read: {err.strerror or err}", path=where) from None


def _check_npz_member(zf: Any, info: Any, path: Path, where: str) -> int:
    """The bytes one member of an .npz would take once loaded; DataError over the limit or for a 0-d array."""
    name = info.filename.removesuffix(".npy")
    if info.file_size > MAX_ARRAY_BYTES and not info.filename.endswith(".npy"):
        raise array_bytes_error(info.file_size, f"{path.name}:{name} (uncompressed)", where)
    with zf.open(info) as fh:
        try:
            shape, dtype = _npy_header(fh)
        except (ValueError, EOFError):
            if info.filename.endswith(".npy"):
                raise
            return info.file_size  # not an array: np.load hands it over as bytes, bounded above
    check_array_bytes(shape, dtype.itemsize, path=where, what=f"{path.name}:{name} {list(shape)} {dtype}")
    if shape == ():
        raise DataError(f"{path.name}:{name} is a single value (a 0-d array), not one row per sample;"
                        " save it with a first axis (np.savez(..., x=np.atleast_1d(x)))", path=where)
    return dtype.itemsize * _product(shape)


def _product(shape: tuple[int, ...]) -> int:
    n = 1
    for dim in shape:
        n *= max(0, int(dim))
    return n


def check_synthetic(options: dict[str, Any]) -> None:
    """``samples``, ``classes`` and ``features`` of a synthetic set, and the array they make."""
    check_count(options.get("samples"), MAX_SAMPLES, path="data.samples", what="samples")
    check_count(options.get("classes"), MAX_CLASSES, path="data.classes", what="classes")
    check_count(options.get("features"), MAX_FEATURES, path="data.features", what="features")
    samples, features = options.get("samples"), options.get("features", 2)
    if isinstance(samples, int) and isinstance(features, int):
        check_array_bytes((samples, features), 8, path="data.samples", what=f"{samples:,} samples of {features:,} features")
    size = options.get("size")  # synthetic:shapes: images of size × size × 3 bytes
    check_count(size, MAX_IMAGE_SIDE, path="data.size", what="pixels a side")
    if isinstance(samples, int) and isinstance(size, int):
        check_array_bytes((samples, size, size, 3), 1, path="data.samples", what=f"{samples:,} images of {size}×{size}")


def check_one_hot(train: Any, val: Any, num_classes: Any, *, path: str) -> None:
    """one_hot makes an (N, classes) float32 array: its size is known from the labels before it exists."""
    import numpy as np

    if num_classes is None:
        if not len(train) or np.asarray(train).dtype.kind not in "iub":
            return  # the op reports non-integer labels itself
        num_classes = int(np.max(train)) + 1
        where = path
    else:
        where = f"{path}.num_classes"
        if isinstance(num_classes, int) and num_classes < 1:
            raise DataError(f"num_classes must be at least 1, got {num_classes}", path=where)
    check_count(num_classes, MAX_CLASSES, path=where, what="classes")
    rows = len(train) + (0 if val is None else len(val))
    check_array_bytes((rows, num_classes), 4, path=where, what=f"one-hot labels for {rows:,} samples × {num_classes:,} classes")
