"""Binary columns beside ``events.jsonl``: a run's batch rows without parsing a line of JSON.

Opening a run of 10^6–10^7 batch rows used to mean decoding every JSON line. The writer
(:class:`ColumnWriter`, driven by :class:`~tuitrain.runs.events.EventWriter`'s flush) also
appends each batch value to one file per column under ``<run>/columns/``: fixed-width
little-endian ``float64`` (step, time) or ``float32`` (epoch, samples/s, metrics; a metric with a
value ``float32`` cannot hold becomes ``float64``). Non-batch lines (aliases, epoch, status, log)
are copied to ``columns/other.jsonl`` (small). ``columns/index.json`` is replaced atomically
after every flush and says how many rows are complete and how many bytes of ``events.jsonl``
they cover, so a torn or in-progress write past it is never read; a reader decodes only the
JSON after ``events_bytes``. ``events.jsonl`` stays the durable record: columns that are
missing or do not belong to it (old runs, other writers) are built from it once
(:func:`build_columns`), in the run directory when writable, else under the runs root's
``.tuitrain-cache/``. Format: ``docs/internals.md`` (extends DESIGN §2).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["ColumnWriter", "ColumnSet", "open_columns", "build_columns", "COLUMNS_DIR", "FIXED"]

from tuitrain.runs.layout import COLUMNS_DIR, EVENTS_FILE  # noqa: E402
INDEX = "index.json"
OTHER = "other.jsonl"
FORMAT = "tuitrain-columns/1"
FIXED = (("step", "<f8"), ("epoch", "<f4"), ("time", "<f8"), ("samples_per_s", "<f4"))
METRIC_DTYPE, WIDE_DTYPE = "<f4", "<f8"
HEAD_BYTES = 4096  # events.jsonl's first bytes, hashed: columns of another file are never used
MAX_INDEX = 1024 * 1024
MAX_COLUMNS = 512
_F32_MAX = float(np.finfo(np.float32).max)
_PAD_CHUNK = 1 << 20


def head_digest(events_path: Path) -> str | None:
    try:
        with open(events_path, "rb") as fh:
            return hashlib.sha256(fh.read(HEAD_BYTES)).hexdigest()[:32]
    except OSError:
        return None


def _write_all(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


@dataclass
class _Column:
    name: str
    file: str
    dtype: str


class ColumnWriter:
    """Appends batch columns under ``folder``; ``commit`` publishes them with the bytes of JSON they cover."""

    def __init__(self, folder: Path, events_path: Path) -> None:
        self.folder = Path(folder)
        self.events_path = Path(events_path)
        self.folder.mkdir(exist_ok=True)
        if self.folder.is_symlink() or not self.folder.is_dir():
            raise OSError(f"{self.folder} is not a folder of this run")  # never write through a link
        self.columns: dict[str, _Column] = {}
        self.rows = 0
        self.other_bytes = 0
        self.head: str | None = None
        self.last_step = -np.inf
        # who made these rows: a new id when the columns start over, ``generation`` bumped when rows are
        # taken away or rewritten, so a cache built on them (the chart's curves) knows it is stale
        self.lineage, self.generation = os.urandom(8).hex(), 0
        self._load_or_reset()

    # -- opening ----------------------------------------------------------------------------

    def _load_or_reset(self) -> None:
        """Keep columns that match ``events.jsonl`` byte for byte (a resumed run); else start empty."""
        index = _read_index(self.folder)
        size = _size(self.events_path)
        if index and index["events_bytes"] == size and open_columns(self.folder, self.events_path) is not None:
            self.columns = {c["name"]: _Column(c["name"], c["file"], c["dtype"]) for c in index["columns"]}
            self.rows, self.other_bytes, self.head = index["rows"], index["other_bytes"], index["head"]
            if isinstance(index.get("lineage"), str) and isinstance(index.get("generation"), int):
                self.lineage, self.generation = index["lineage"], index["generation"]
            self._head_full = size >= HEAD_BYTES
            for col in self.columns.values():
                _truncate(self.folder / col.file, self.rows * np.dtype(col.dtype).itemsize)
            _truncate(self.folder / OTHER, self.other_bytes)
            if self.rows:
                self.last_step = float(self._mapped("step")[-1])
            return
        self.usable = size == 0  # JSON this writer did not see: leave the columns to a reader's build
        for path in self.folder.iterdir():
            if path.name.endswith((".f4", ".f8", ".jsonl")) or path.name == INDEX:
                path.unlink()
        for name, dtype in FIXED:
            self._add_column(name, dtype)

    usable = True
    _head_full = False

    def _add_column(self, name: str, dtype: str) -> _Column | None:
        if len(self.columns) >= MAX_COLUMNS + len(FIXED):
            return None
        col = self.columns[name] = _Column(name, f"c{len(self.columns)}.{dtype[-2:]}", dtype)
        path = self.folder / col.file
        with _open_write(path, os.O_TRUNC) as fh:  # a column that appears mid-run: NaN for the rows before it
            left = self.rows
            while left:
                n = min(left, _PAD_CHUNK)
                fh.write(np.full(n, np.nan, dtype=dtype).tobytes())
                left -= n
        return col

    def _mapped(self, name: str) -> np.ndarray:
        col = self.columns[name]
        return np.memmap(self.folder / col.file, dtype=col.dtype, mode="r", shape=(self.rows,)) if self.rows \
            else np.empty(0, dtype=col.dtype)

    # -- appending --------------------------------------------------------------------------

    def append(self, values: dict[str, np.ndarray]) -> None:
        """Rows of batch columns (every array the same length; a missing metric is NaN)."""
        steps = np.asarray(values["step"])
        if not len(steps):
            return
        cuts = np.flatnonzero(steps[1:] <= steps[:-1]) + 1
        if len(cuts):  # steps start over inside these rows (a resume): each stretch on its own
            for a, b in zip([0, *cuts.tolist()], [*cuts.tolist(), len(steps)]):
                self.append({k: v[a:b] for k, v in values.items()})
            return
        if steps[0] <= self.last_step:  # a resumed run logs steps again: rows from there on are replaced
            self._truncate_rows(int(np.searchsorted(self._mapped("step"), steps[0], side="left")))
        for name, data in values.items():
            col = self.columns.get(name) or self._add_column(name, METRIC_DTYPE)
            if col is None:
                continue
            if col.dtype == METRIC_DTYPE and name not in dict(FIXED) and _needs_wide(data):
                self._widen(col)
            with _open_write(self.folder / col.file) as fh:
                fh.write(np.ascontiguousarray(data, dtype=col.dtype).tobytes())
        n = len(steps)
        for name, col in self.columns.items():
            if name not in values:
                with _open_write(self.folder / col.file) as fh:
                    fh.write(np.full(n, np.nan, dtype=col.dtype).tobytes())
        self.rows += n
        self.last_step = float(steps[-1])

    def append_other(self, data: bytes) -> None:
        if data:
            with _open_write(self.folder / OTHER) as fh:
                fh.write(data)
            self.other_bytes += len(data)

    def _truncate_rows(self, rows: int) -> None:
        """Keep the first ``rows`` rows, in new files: a reader that has the old ones mapped keeps reading
        them (cutting a mapped file short would crash it with SIGBUS)."""
        self.rows = max(0, rows)
        self.generation += 1
        for col in self.columns.values():
            path = self.folder / col.file
            data = np.fromfile(path, dtype=col.dtype, count=self.rows)
            tmp = self.folder / (col.file + ".tmp")
            with _open_write(tmp, os.O_TRUNC) as fh:
                fh.write(data.tobytes())
            os.replace(tmp, path)
        self.last_step = float(self._mapped("step")[-1]) if self.rows else -np.inf

    def _widen(self, col: _Column) -> None:
        """A value beyond float32: the whole column becomes float64 (rare, once)."""
        old = self.folder / col.file
        data = np.fromfile(old, dtype=col.dtype, count=self.rows)
        col.dtype, col.file = WIDE_DTYPE, col.file[:-2] + "f8"
        self.generation += 1
        tmp = self.folder / (col.file + ".tmp")
        with _open_write(tmp, os.O_TRUNC) as fh:
            fh.write(data.astype(WIDE_DTYPE).tobytes())
        os.replace(tmp, self.folder / col.file)
        old.unlink()

    def commit(self, events_bytes: int) -> None:
        """Publish: rows and other.jsonl so far cover ``events.jsonl[:events_bytes]`` (atomic replace)."""
        if self.head is None or not self._head_full:  # the digest covers HEAD_BYTES once the file has them
            self.head = head_digest(self.events_path)
            self._head_full = events_bytes >= HEAD_BYTES
        index = {"format": FORMAT, "rows": self.rows, "events_bytes": events_bytes, "head": self.head,
                 "other_bytes": self.other_bytes, "lineage": self.lineage, "generation": self.generation,
                 "columns": [{"name": c.name, "file": c.file, "dtype": c.dtype} for c in self.columns.values()]}
        tmp = self.folder / (INDEX + ".tmp")
        with _open_write(tmp, os.O_TRUNC) as fh:
            fh.write(json.dumps(index, separators=(",", ":")).encode())
        os.replace(tmp, self.folder / INDEX)


def _needs_wide(data: np.ndarray) -> bool:
    finite = np.abs(data[np.isfinite(data)])
    return bool(len(finite) and finite.max() > _F32_MAX)


def _size(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def regular_size(path: Path) -> int:
    """Size of a regular file that is not a link (-1 otherwise): columns never lead outside their folder."""
    try:
        st = os.lstat(path)
    except OSError:
        return -1
    return st.st_size if stat.S_ISREG(st.st_mode) else -1


def _open_write(path: Path, extra: int = 0):
    """A file of the columns folder opened for appending, never through a symbolic link."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | extra, 0o644)
    return os.fdopen(fd, "ab")


def _truncate(path: Path, size: int) -> None:
    with _open_write(path) as fh:
        if fh.tell() > size:
            fh.truncate(size)


def _read_index(folder: Path) -> dict[str, Any] | None:
    """``index.json`` if it is ours and well-formed (column files are names we made, never paths)."""
    try:
        path = folder / INDEX
        if not 0 < regular_size(path) <= MAX_INDEX:
            return None
        index = json.loads(path.read_bytes())
        ok = (isinstance(index, dict) and index.get("format") == FORMAT
              and all(isinstance(index.get(k), int) and index[k] >= 0 for k in ("rows", "events_bytes", "other_bytes"))
              and isinstance(index.get("columns"), list) and len(index["columns"]) <= MAX_COLUMNS + len(FIXED))
        if not ok:
            return None
        for c in index["columns"]:
            if not (isinstance(c, dict) and isinstance(c.get("name"), str) and c.get("dtype") in (METRIC_DTYPE, WIDE_DTYPE)
                    and isinstance(c.get("file"), str) and c["file"][:1] == "c" and "/" not in c["file"]
                    and c["file"][1:].removesuffix(".f4").removesuffix(".f8").isdigit()):
                return None
        return index
    except (OSError, ValueError):
        return None


# -- reading ----------------------------------------------------------------------------------

@dataclass
class ColumnSet:
    """Published columns of one run: ``rows`` rows, memory-mapped on demand, and the JSON they cover."""

    folder: Path
    rows: int
    events_bytes: int
    other_bytes: int
    files: dict[str, tuple[str, str]]  # name -> (file, dtype)
    lineage: str | None = None  # "<id>.<generation>": the same rows only grow while it stays the same

    def names(self) -> list[str]:
        return list(self.files)

    def itemsize(self, name: str) -> int:
        return np.dtype(self.files[name][1]).itemsize

    def column(self, name: str, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Rows ``start:stop`` of one column, mapped read-only (no copy until touched)."""
        file, dtype = self.files[name]
        stop = self.rows if stop is None else min(stop, self.rows)
        if stop <= start:
            return np.empty(0, dtype=dtype)
        itemsize = np.dtype(dtype).itemsize
        return np.memmap(self.folder / file, dtype=dtype, mode="r", offset=start * itemsize, shape=(stop - start,))

    def other(self, start: int = 0) -> bytes:
        """``other.jsonl`` from byte ``start`` (whole lines: a commit covers whole lines) to ``other_bytes``."""
        with open(self.folder / OTHER, "rb") as fh:
            fh.seek(start)
            return fh.read(max(0, self.other_bytes - start))


def open_columns(folder: Path, events_path: Path) -> ColumnSet | None:
    """The columns in ``folder`` if they belong to ``events_path`` and are complete; else None."""
    index = _read_index(folder)
    if not index or _size(events_path) < index["events_bytes"] or index["head"] != head_digest(events_path):
        return None
    files = {c["name"]: (c["file"], c["dtype"]) for c in index["columns"]}
    if any(n not in files for n, _ in FIXED):
        return None
    for file, dtype in files.values():  # every column holds its rows (torn files are refused)
        if regular_size(folder / file) < index["rows"] * np.dtype(dtype).itemsize:
            return None
    if regular_size(folder / OTHER) < index["other_bytes"]:
        return None
    lineage = index.get("lineage")
    generation = index.get("generation")
    same = f"{lineage}.{generation}" if isinstance(lineage, str) and lineage.isalnum() and len(lineage) <= 64 \
        and isinstance(generation, int) else None
    return ColumnSet(folder, index["rows"], index["events_bytes"], index["other_bytes"], files, same)


def cache_folder(run_dir: Path) -> Path | None:
    """Where columns of ``run_dir`` live: inside it when writable, else the runs root's cache; None if neither."""
    run_dir = Path(run_dir)
    inside = run_dir / COLUMNS_DIR
    if os.access(run_dir, os.W_OK) and not inside.is_symlink() and (inside.is_dir() or not inside.exists()):
        return inside
    root = run_dir.resolve().parent
    if os.access(root, os.W_OK):
        key = hashlib.sha256(str(run_dir.resolve()).encode()).hexdigest()[:16]
        return root / ".tuitrain-cache" / key
    return None


def find_columns(run_dir: Path, events_file: str = EVENTS_FILE) -> ColumnSet | None:
    """The run's columns, from the run directory or the cache, whichever is usable."""
    events = Path(run_dir) / events_file
    for folder in (Path(run_dir) / COLUMNS_DIR, cache_folder(run_dir)):
        if folder is not None and folder.is_dir() and not folder.is_symlink():
            found = open_columns(folder, events)
            if found is not None:
                return found
    return None


def build_columns(run_dir: Path, events_file: str = EVENTS_FILE, *, chunk: int = 4 << 20,
                  cancelled=lambda: False) -> ColumnSet | None:
    """Columns from ``events.jsonl`` (a run no writer gave columns): read once, cached for the next open."""
    from tuitrain.runs.decode import BatchBlock, EventDecoder

    folder = cache_folder(run_dir)
    events = Path(run_dir) / events_file
    if folder is None or not events.is_file():
        return None
    folder.mkdir(parents=True, exist_ok=True)
    if folder.is_symlink() or folder.parent.is_symlink():
        return None
    for path in folder.iterdir():  # start over: nothing stale is kept
        if path.is_file():
            path.unlink()
    writer = ColumnWriter(folder, events)
    writer.usable = True
    decoder, offset, partial = EventDecoder(), 0, b""
    with open(events, "rb") as fh:
        while not cancelled():
            data = fh.read(chunk)
            if not data:
                break
            data, end = partial + data, (partial + data).rfind(b"\n") + 1
            partial, data = data[end:], data[:end]
            offset += end
            for part in decoder.decode_chunk(data):
                if isinstance(part, BatchBlock):
                    writer.append({name: part.values[:, j] for j, name in enumerate(part.names)})
                else:
                    writer.append_other((json.dumps(part, separators=(",", ":")) + "\n").encode())
            writer.commit(offset)
    return open_columns(folder, events)


def start_build(run_dir: Path, events_file: str = EVENTS_FILE):
    """``build_columns`` in another process (``subprocess.Popen``; None when there is nowhere to cache).

    The app's own start-up and the JSON decoding then run on two cores at once, and the app's event
    loop and first paint do not share the GIL with the decoding. Nothing from the run is executed:
    the child only reads ``events.jsonl`` and writes the cache folder, as ``build_columns`` does here.
    """
    import subprocess
    import sys

    if cache_folder(run_dir) is None:
        return None
    try:
        return subprocess.Popen([sys.executable, "-m", "tuitrain.runs.columns", str(run_dir), events_file],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        return None


if __name__ == "__main__":  # the child of start_build
    import sys

    sys.exit(0 if build_columns(Path(sys.argv[1]), sys.argv[2]) is not None else 1)
