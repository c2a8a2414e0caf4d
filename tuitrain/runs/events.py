"""``events.jsonl``: compact rows on disk, long keys for readers.

A training run writes one row per batch, so rows are kept short (about 60 bytes for a batch
with two metrics) and written in buffered bursts: one ``write`` call per flush, a few flushes
a second, plus one at every epoch end and at exit. Every line is a JSON object (Python's
``json`` reads it; ``NaN``/``Infinity`` are written the way Python's ``json`` writes them).

On-disk encoding (``k`` = kind; a row without ``k`` is a batch row)::

    {"k":"m","0":"loss","1":"accuracy"}          metric aliases, written before first use
    {"s":17,"e":1,"t":0.42,"r":8123,"0":0.69315,"1":0.51562}       batch row
    {"k":"e","s":25,"e":1,"t":0.61,"r":8012,"n":30,"p":25,"loss":0.61,"val_loss":0.58,"lr":0.01}
    {"k":"s","s":0,"e":0,"t":0.01,"status":"running","epochs":30,"steps_per_epoch":25}
    {"k":"l","s":0,"e":0,"t":0.02,"message":"..."}
    {"k":"p","s":50,"e":2,"t":3.1,"phase":2,"phases":2,"start_epoch":2,"learning_rate":1e-05,...}

Short keys: ``s`` step (batches done since the run began, counting resumed epochs), ``e`` epoch
(1-based: the epoch the batch belongs to / that ended), ``t`` seconds since the run started,
``r`` samples per second, ``n`` epochs planned, ``p`` steps per epoch, digits = metric aliases.
Batch values keep 5 significant digits; time keeps 2 decimals; samples/s is an integer.

:class:`~tuitrain.runs.decode.EventDecoder` turns lines back into the long-key dicts of ``docs/internals.md``:
``{"kind": "batch"|"epoch"|"status"|"log", "step", "epoch", "time", <metric>: float, ...}``.
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from tuitrain.common.fsutil import read_bounded
from tuitrain.runs.columns import COLUMNS_DIR, ColumnWriter
from tuitrain.runs.decode import ALIAS_KIND, KIND_LONG, SHORT_KEYS, BatchBlock, EventDecoder, block_events
from tuitrain.runs.layout import EVENTS_FILE

__all__ = ["EventWriter", "EventDecoder", "read_events", "fmt_number", "EVENTS_FILE", "KIND_LONG", "SHORT_KEYS", "ALIAS_KIND"]

# read_events reads a file whole (tests, small files): bounded; a long run goes through RunReader in chunks
MAX_READ_EVENTS = 256 * 1024 * 1024

KIND_SHORT = {"batch": None, "epoch": "e", "status": "s", "log": "l", "phase": "p"}
RESERVED = set(SHORT_KEYS) | {"k"}


def fmt_number(value: Any, digits: int = 5) -> str:
    """A short JSON number: ``digits`` significant digits; NaN/Infinity as Python's json writes them."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    v = float(value)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return format(v, f".{digits}g")


def _rate(value: float) -> int:
    """Samples/s as an integer (0 when not measurable yet)."""
    return int(value) if value == value and value not in (float("inf"), float("-inf")) else 0


def _json_value(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return fmt_number(value, 7)
    return json.dumps(value, separators=(",", ":"))


def _row(head: str, extra: dict[str, Any]) -> str:
    body = "".join(f",{json.dumps(str(k))}:{_json_value(v)}" for k, v in extra.items())
    return "{" + head + body + "}\n"


class EventWriter:
    """Buffered, thread-safe appender of compact rows (batch rows may come from Keras' worker threads)."""

    def __init__(self, path: str | os.PathLike, *, flush_interval: float = 0.25, t0: float | None = None,
                 columns: bool = True) -> None:
        self.path = Path(path)
        self.flush_interval = flush_interval
        self.t0 = time.time() if t0 is None else t0
        self._lock = threading.Lock()  # the buffers (short holds: the batch path waits on it)
        self._io_lock = threading.Lock()  # one flush at a time, in order (formatting and writing happen here)
        self._flusher: threading.Thread | None = None  # formats and writes the timed flushes off the batch path
        self._due = threading.Event()
        self._buf: list[Any] = []  # JSON lines and (rows, aliases, names) blocks formatted at flush
        self._aliases: dict[str, str] = {}
        self._last_flush = time.monotonic()
        self.flushes = 0
        self.batch_rows = 0
        self.batch_bytes = 0
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._terminate_torn_line()
        self._rows = _RowBuffer(())
        self._layouts: dict[tuple[str, ...], _RowBuffer] = {}  # buffers of other key layouts, empty, for reuse
        self._other: list[str] = []
        self._columns = self._open_columns() if columns else None

    def _open_columns(self) -> ColumnWriter | None:
        try:
            writer = ColumnWriter(self.path.parent / COLUMNS_DIR, self.path)
        except OSError:
            return None
        return writer if writer.usable else None

    def _terminate_torn_line(self) -> None:
        """A trainer killed mid-write may leave a line without its newline; start ours on a fresh line."""
        size = os.fstat(self._fd).st_size
        if size:
            with open(self.path, "rb") as fh:
                fh.seek(size - 1)
                if fh.read(1) != b"\n":
                    os.write(self._fd, b"\n")

    def now(self) -> float:
        return time.time() - self.t0

    # -- rows -------------------------------------------------------------------------------

    def _alias(self, name: str, new: list[str]) -> str:
        """The short key of a metric name (caller holds the lock); new ones are declared in ``new``."""
        alias = self._aliases.get(name)
        if alias is None:
            alias = self._aliases[name] = str(len(self._aliases))
            new.append(f",{json.dumps(alias)}:{json.dumps(name)}")
        return alias

    def _declare(self, new: list[str]) -> None:
        if new:
            self._add_line(f'{{"k":"{ALIAS_KIND}"{"".join(new)}}}\n')

    def _add_line(self, line: str) -> None:
        """A non-batch line, after the batch rows before it (lock held); also copied for the columns."""
        self._materialize()
        self._buf.append(line)
        if self._columns is not None:
            self._other.append(line)

    def batch(self, step: int, epoch: int, metrics: dict[str, float], samples_per_s: float) -> None:
        """One batch row (``metrics``: numbers), one numpy row write; formatted at the next flush.

        The buffer holds rows of one key layout (the metric names in order, as Keras hands them
        every batch), so a row is ``(step, epoch, time, samples/s, *values)`` with no lookup per key."""
        t = self.now()
        with self._lock:
            rows = self._rows
            if tuple(metrics) != rows.keys:
                rows = self._relayout(tuple(metrics))
            elif rows.n == rows.capacity:
                self._materialize()
            rows.data[rows.n] = (step, epoch, t, samples_per_s, *metrics.values())
            rows.n += 1
            self.batch_rows += 1
        if time.monotonic() - self._last_flush >= self.flush_interval:
            self._flush_soon()

    def _flush_soon(self) -> None:
        """A timed flush, done by a thread: training does not wait for formatting and writing (issue #25)."""
        self._last_flush = time.monotonic()
        if self._flusher is None:
            self._flusher = threading.Thread(target=self._flush_loop, name="tuitrain-events-flush", daemon=True)
            self._flusher.start()
        self._due.set()

    def _flush_loop(self) -> None:
        while True:
            self._due.wait()
            self._due.clear()
            if self._fd < 0:
                return
            try:
                self.flush()
            except OSError:
                return  # the next flush on the training thread (epoch end, close) raises it there
    def _relayout(self, keys: tuple[str, ...]) -> _RowBuffer:
        """Rows with other metric names: the buffered rows go first, new names are declared in one line
        (before the row that uses them), and a buffer for this layout takes the next rows (lock held)."""
        self._materialize()
        new: list[str] = []
        for name in keys:
            self._alias(name, new)
        self._declare(new)
        rows = self._layouts.pop(keys, None) or _RowBuffer(keys)
        self._layouts[self._rows.keys] = self._rows
        while len(self._layouts) > _RowBuffer.kept_layouts:  # metrics that change every batch: memory stays bounded
            del self._layouts[next(iter(self._layouts))]
        self._rows = rows
        return rows

    def _materialize(self) -> None:
        """Buffered batch rows → one block in order with the other lines, formatted at flush (lock held)."""
        rows = self._rows
        if not rows.n:
            return
        self._buf.append((rows.data[: rows.n].copy(), [self._aliases[m] for m in rows.keys], rows.keys))
        rows.n = 0

    def _render(self, items: list[Any]) -> tuple[str, list[dict[str, np.ndarray]]]:
        """Lines and blocks → the JSON text and the blocks' column arrays (no lock: only this flush has them)."""
        parts: list[str] = []
        columns: list[dict[str, np.ndarray]] = []
        for item in items:
            if isinstance(item, str):
                parts.append(item)
                continue
            data, aliases, names = item
            fixed, values = data[:, :4], data[:, 4:]
            lines = _batch_lines(fixed, values, aliases)
            parts.append(lines)
            self.batch_bytes += len(lines)
            if self._columns is not None:
                cols = {key: fixed[:, j] for j, key in enumerate(("step", "epoch", "time", "samples_per_s"))}
                cols.update((name, values[:, j]) for j, name in enumerate(names))
                columns.append(cols)
        return "".join(parts), columns

    def epoch(self, step: int, epoch: int, metrics: dict[str, Any], *, samples_per_s: float, epochs: int, steps: int) -> None:
        """Metric names are written in full, except one that would read as a short key (``e``, ``7``…)."""
        head = f'"k":"e","s":{step},"e":{epoch},"t":{self.now():.2f},"r":{_rate(samples_per_s)},"n":{epochs},"p":{steps}'
        with self._lock:
            new: list[str] = []
            safe = {(self._alias(k, new) if (k in RESERVED or k.isdigit()) else k): v for k, v in metrics.items()}
            self._declare(new)
            self._add_line(_row(head, safe))
        self.flush()

    def status(self, status: str, *, step: int = 0, epoch: int = 0, **extra: Any) -> None:
        head = f'"k":"s","s":{step},"e":{epoch},"t":{self.now():.2f},"status":{json.dumps(status)}'
        self._append(_row(head, {k: v for k, v in extra.items() if v is not None}))
        self.flush()

    def log(self, message: str, *, step: int = 0, epoch: int = 0) -> None:
        head = f'"k":"l","s":{step},"e":{epoch},"t":{self.now():.2f}'
        self._append(_row(head, {"message": message}))
        self.maybe_flush()

    def phase(self, phase: int, *, step: int = 0, epoch: int = 0, **extra: Any) -> None:
        """A fine-tuning phase begins (``phase`` counts from 1; ``extra``: flat numbers and text)."""
        head = f'"k":"p","s":{step},"e":{epoch},"t":{self.now():.2f},"phase":{int(phase)}'
        self._append(_row(head, {k: v for k, v in extra.items() if v is not None}))
        self.flush()

    def _append(self, line: str) -> None:
        with self._lock:
            self._add_line(line)

    # -- flushing ---------------------------------------------------------------------------

    def maybe_flush(self) -> None:
        if time.monotonic() - self._last_flush >= self.flush_interval:
            self.flush()

    def flush(self) -> None:
        """One ``write`` of everything buffered (O_APPEND: readers never see rows interleaved).

        The buffers are taken under the short lock and formatted and written under ``_io_lock``:
        batches go on meanwhile, and flushes write in the order they took their buffers."""
        with self._io_lock:
            with self._lock:
                self._last_flush = time.monotonic()
                self._materialize()
                items, self._buf = self._buf, []
                other, self._other = self._other, []
                aliases = dict(self._aliases)
            if not items or self._fd < 0:
                return
            head = self._reopen_if_removed(aliases)
            text, columns = self._render(items)
            data = (head + text).encode("utf-8")
            self._write_columns(columns, other)
            view = memoryview(data)
            while view:
                n = os.write(self._fd, view)
                view = view[n:]
            self.flushes += 1
            self._commit_columns()

    def _write_columns(self, columns: list[dict[str, np.ndarray]], other: list[str]) -> None:
        """The same rows as binary columns, written before the JSON (io lock held); a failure only turns them off."""
        if self._columns is None:
            return
        try:
            for cols in columns:
                self._columns.append(cols)
            self._columns.append_other("".join(other).encode("utf-8"))
        except OSError as err:
            self._columns_off(err)

    def _commit_columns(self) -> None:
        if self._columns is not None:
            try:
                self._columns.commit(os.fstat(self._fd).st_size)
            except OSError as err:
                self._columns_off(err)

    def _columns_off(self, err: OSError) -> None:
        """Columns are a cache: when they cannot be written, readers fall back on the JSON."""
        self._columns = None
        with self._lock:
            self._buf.append(_row(f'"k":"l","s":0,"e":0,"t":{self.now():.2f}',
                                  {"message": f"warning: binary columns not written ({err.strerror or err}); readers use {EVENTS_FILE}"}))

    def _reopen_if_removed(self, aliases: dict[str, str]) -> str:
        """A removed or replaced file is recreated, starting with the metric aliases and a note
        that earlier events are lost, rather than written on into an unlinked file (io lock held).
        Returns those first lines ("" when the file is still ours)."""
        try:
            if os.path.samestat(os.stat(self.path), os.fstat(self._fd)):
                return ""
        except FileNotFoundError:
            pass
        os.close(self._fd)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        head = [f'{{"k":"{ALIAS_KIND}"' + "".join(f",{json.dumps(a)}:{json.dumps(n)}" for n, a in aliases.items()) + "}\n"]
        note = f'"k":"l","s":0,"e":0,"t":{self.now():.2f}'
        head.append(_row(note, {"message": f"warning: {self.path.name} was removed while the run was live; events before this line are lost"}))
        self.reopened = getattr(self, "reopened", 0) + 1
        return "".join(head if aliases else head[1:])

    def close(self) -> None:
        self.flush()
        with self._io_lock, self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1
        self._due.set()  # the flush thread sees the closed file and ends
        if self._flusher is not None and self._flusher is not threading.current_thread():
            self._flusher.join(timeout=5)

    def stats(self) -> dict[str, Any]:
        rows = self.batch_rows
        return {
            "flushes": self.flushes,
            "batch_rows": rows,
            "bytes_per_batch_row": round(self.batch_bytes / rows, 1) if rows else None,
        }


class _RowBuffer:
    """Preallocated batch rows of one key layout: (step, epoch, time, samples/s, one value per key)."""

    capacity = 4096
    kept_layouts = 8

    def __init__(self, keys: tuple[str, ...]) -> None:
        self.keys = keys
        self.n = 0
        self.data = np.empty((self.capacity, 4 + len(keys)), dtype=np.float64)


def _batch_lines(fixed: np.ndarray, values: np.ndarray, aliases: list[str]) -> str:
    """Compact JSON lines of buffered rows (the format of the module docstring).

    Rows whose numbers ``%.5g`` writes exactly as :func:`fmt_number` does (finite, not a whole
    number of 6+ digits) go through one ``%`` template; the rest row by row."""
    whole = (values == np.round(values)) & (np.abs(values) >= 1e5)
    fast = (np.isfinite(values).all(axis=1) & ~whole.any(axis=1)
            & np.isfinite(fixed).all(axis=1) & (np.abs(fixed) < 2 ** 53).all(axis=1))
    template = '{"s":%d,"e":%d,"t":%.2f,"r":%d' + "".join(f',"{a}":%.5g' for a in aliases) + "}\n"
    if fast.all():  # the whole block through one template: no Python loop over rows
        return (template * len(fixed)) % tuple(np.concatenate([fixed, values], axis=1).ravel().tolist())
    rows = np.concatenate([fixed, values], axis=1).tolist()
    keys = [f',"{a}":' for a in aliases]
    out = []
    for ok, r in zip(fast.tolist(), rows):
        if ok:
            out.append(template % tuple(r))
            continue
        parts = "".join(k + fmt_number(v) for k, v in zip(keys, r[4:]))
        out.append(f'{{"s":{int(r[0])},"e":{int(r[1])},"t":{r[2]:.2f},"r":{_rate(r[3])}{parts}}}\n')
    return "".join(out)


def read_events(path: str | os.PathLike) -> list[dict[str, Any]]:
    """Every complete event of a file at once, as long-key dicts (tests, small files; the app and
    big files go through ``RunReader``, which reads in bounded chunks)."""
    try:
        data = read_bounded(path, MAX_READ_EVENTS, what=EVENTS_FILE)
    except FileNotFoundError:
        return []
    data = data[: data.rfind(b"\n") + 1]  # the torn last line waits
    events: list[dict[str, Any]] = []
    for part in EventDecoder().decode_chunk(data):
        events.extend(block_events(part) if isinstance(part, BatchBlock) else [part])
    return events
