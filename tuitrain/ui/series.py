"""Metric histories of one run as numpy columns, fed by the reader's blocks or by event dicts.

The Train pane and the runs comparison both need "loss per step so far" as arrays they can
draw. A long run is millions of batch rows, so batch rows arrive as numpy blocks
(:meth:`RunSeries.apply`, from ``RunReader.read()``) and are copied into growable columns:
no Python object per row, about 4–8 bytes per number kept (batch metrics are float32, which
holds the 5 significant digits the file keeps; a value outside float32's range turns its column
into float64). Event dicts (:meth:`RunSeries.extend`, from any reader's ``poll()``) go the same
way. A resumed run that logs steps again replaces the rows from that step on, as TensorBoard
does with a restarted run.

For the chart, :meth:`RunSeries.chart_points` answers "the min and max point of every column"
from a :class:`~tuitrain.ui.downsample.MinMaxPyramid` kept per curve, so a redraw costs the
same at 10^4 and 10^7 points; smoothed curves are computed once per smoothing change
(:meth:`RunSeries.prepare`, which a worker thread may call) and extended as data arrives.
No Textual.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np

from tuitrain.engine.decode import BatchBlock
from tuitrain.metric_names import NOT_METRICS as _NOT_METRICS
from tuitrain.metric_names import better_direction
from tuitrain.engine.reader import RESET
from tuitrain.ui.downsample import MinMaxPyramid, column_ranges, ema, minmax_downsample

__all__ = ["GrowableArray", "Table", "RunSeries", "X_AXES", "GRANULARITIES", "is_better_max"]

X_AXES = ("step", "epoch", "time")
GRANULARITIES = ("batch", "epoch")

MAX_COLUMNS = 256  # metric columns per table; a file naming more is not kept whole
CHART_COLUMNS = 1024  # resolution of chart_points() when the caller does not say
PREPARE_AT = 200_000  # smoothing this many new points at once is left to a worker (see ready())
_F32_MAX = float(np.finfo(np.float32).max)
_F32_TINY = float(np.finfo(np.float32).tiny)


class GrowableArray:
    """A numeric vector with amortised O(1) append; ``view()`` is the filled part (no copy)."""

    __slots__ = ("_buf", "_n")

    def __init__(self, capacity: int = 256, fill_to: int = 0, dtype: Any = np.float64) -> None:
        self._buf = np.empty(max(capacity, fill_to, 16), dtype=dtype)
        self._n = 0
        self.pad_to(fill_to)

    def __len__(self) -> int:
        return self._n

    @property
    def dtype(self) -> np.dtype:
        return self._buf.dtype

    @property
    def nbytes(self) -> int:
        return self._buf.nbytes

    def append(self, value: float) -> None:
        self.extend(np.array([value]))

    def extend(self, values: np.ndarray) -> None:
        values = np.asarray(values)
        if self._buf.dtype == np.float32 and values.dtype != np.float32 and not _fits_f32(values):
            wider = np.empty(len(self._buf), dtype=np.float64)  # a value float32 would turn into inf or 0
            wider[: self._n] = self._buf[: self._n]
            self._buf = wider
        end = self._n + len(values)
        if end > len(self._buf):
            self.reserve(max(end, int(len(self._buf) * 1.5)))
        self._buf[self._n:end] = values
        self._n = end

    def pad_to(self, n: int) -> None:
        """Fill with NaN (0 for integers) up to length ``n`` (a column that appeared late)."""
        if n <= self._n:
            return
        if n > len(self._buf):
            self.reserve(max(n, int(len(self._buf) * 1.5)))
        self._buf[self._n:n] = np.nan if self._buf.dtype.kind == "f" else 0
        self._n = n

    def reserve(self, capacity: int) -> None:
        if capacity > len(self._buf):
            new = np.empty(capacity, dtype=self._buf.dtype)
            new[: self._n] = self._buf[: self._n]
            self._buf = new

    def truncate(self, n: int) -> None:
        self._n = min(self._n, max(0, n))

    def view(self) -> np.ndarray:
        return self._buf[: self._n]

    def last(self) -> float:
        return float(self._buf[self._n - 1]) if self._n else math.nan


def _fits_f32(values: np.ndarray) -> bool:
    mag = np.abs(values[np.isfinite(values)]) if values.dtype.kind == "f" else np.abs(values)
    return not len(mag) or bool(mag.max() <= _F32_MAX and (mag[mag > 0].min(initial=1.0) >= _F32_TINY))


class Table:
    """Rows of numbers with named columns; a key missing from a row reads as NaN."""

    def __init__(self, metric_dtype: Any = np.float64) -> None:
        self.n = 0
        self.columns: dict[str, GrowableArray] = {}
        self.generation = 0  # bumped when rows are taken away (a resumed run), so caches start over
        self.sorted: dict[str, bool] = {}  # per x column: still non-decreasing
        self.dropped: set[str] = set()  # columns beyond MAX_COLUMNS
        self._metric_dtype = metric_dtype
        self._reserve = 0

    def _dtype(self, key: str) -> Any:
        if key in ("step", "time"):
            return np.float64
        if key == "epoch":
            return np.float32
        return self._metric_dtype

    def _column(self, key: str) -> GrowableArray | None:
        col = self.columns.get(key)
        if col is None:
            if len(self.columns) >= MAX_COLUMNS + len(X_AXES):
                self.dropped.add(key)
                return None
            col = self.columns[key] = GrowableArray(max(256, self._reserve), fill_to=self.n, dtype=self._dtype(key))
        return col

    def reserve(self, rows: int) -> None:
        """Room for ``rows`` rows in every column (the loader's estimate from the file size)."""
        self._reserve = rows
        for col in self.columns.values():
            col.reserve(rows)

    def append(self, row: dict[str, float]) -> None:
        self.append_block(tuple(row), np.array([list(row.values())], dtype=np.float64))

    def append_block(self, names: tuple[str, ...], values: np.ndarray) -> None:
        rows = len(values)
        if not rows:
            return
        for j, key in enumerate(names):
            col = self._column(key)
            if col is None:
                continue
            new = values[:, j]
            if key in X_AXES:
                prev = col.last() if len(col) else -math.inf
                ok = bool(new[0] >= prev) if prev == prev else True
                self.sorted[key] = self.sorted.get(key, True) and ok and bool(np.all(new[1:] >= new[:-1]))
            col.extend(new)
        self.n += rows
        for col in self.columns.values():
            if len(col) < self.n:
                col.pad_to(self.n)

    def truncate(self, n: int) -> None:
        """Keep the first ``n`` rows."""
        if n >= self.n:
            return
        self.n = max(0, n)
        for col in self.columns.values():
            col.truncate(self.n)
        for key in self.sorted:
            self.sorted[key] = True if self.n < 2 else bool(np.all(np.diff(self.get(key)) >= 0))
        self.generation += 1

    def get(self, key: str) -> np.ndarray:
        col = self.columns.get(key)
        return col.view() if col is not None else np.full(self.n, np.nan)

    @property
    def nbytes(self) -> int:
        return sum(c.nbytes for c in self.columns.values())

    def __len__(self) -> int:
        return self.n


def is_better_max(metric: str) -> bool:
    """Whether a bigger value of this metric is better: the engine's rule, so the chart's best matches the run's."""
    return better_direction(metric) == "max"


@dataclass
class _Curve:
    """Per (granularity, metric, smoothing): the smoothed values and the min/max pyramid."""

    generation: int
    alpha: float
    smoothed: GrowableArray | None = None
    pyramid: MinMaxPyramid = field(default_factory=MinMaxPyramid)


class RunSeries:
    """Everything the chart and the status panel need from one run's events."""

    def __init__(self) -> None:
        self.batch = Table(metric_dtype=np.float32)
        self.epoch = Table()
        self.status: str | None = None
        self.message: str | None = None
        self.epochs_total: int | None = None
        self.steps_per_epoch: int | None = None
        self.last_batch: dict | None = None
        self.last_epoch: dict | None = None
        self.epoch_rows: list[dict] = []
        self.version = 0  # bumped whenever something new arrived
        self._metric_order: dict[str, list[str]] = {"batch": [], "epoch": []}
        self._curves: dict[tuple[str, str, float], _Curve] = {}

    # --- feeding ---------------------------------------------------------------------------

    def apply(self, parts: Iterable[Any]) -> int:
        """Add what ``RunReader.read()`` returned (blocks, event dicts, resets); returns rows used."""
        used = 0
        for part in parts:
            if isinstance(part, BatchBlock):
                used += self._add_block(part.names, part.values)
            elif part is RESET or part == RESET:
                self.clear()
                used += 1
            elif isinstance(part, dict):
                used += self._add_event(part)
        if used:
            self.version += 1
        return used

    def extend(self, events: Iterable[dict]) -> int:
        """Add long-key event dicts (any reader's ``poll()``); returns how many were used."""
        used = 0
        names: tuple[str, ...] | None = None
        rows: list[list[float]] = []
        for ev in events:
            if ev.get("kind") == "batch":
                keys = tuple(k for k, v in ev.items() if k != "kind" and _is_number(v))
                if keys != names and rows:
                    used += self._add_block(names, np.array(rows, dtype=np.float64))
                    rows = []
                names = keys
                rows.append([float(ev[k]) for k in keys])
                continue
            if rows:
                used += self._add_block(names, np.array(rows, dtype=np.float64))
                rows, names = [], None
            used += self._add_event(ev)
        if rows:
            used += self._add_block(names, np.array(rows, dtype=np.float64))
        if used:
            self.version += 1
        return used

    def clear(self) -> None:
        """Forget everything (the file was replaced)."""
        version = self.version
        self.__init__()
        self.version = version + 1

    def expect_batch_rows(self, rows: int) -> None:
        """Reserve room for about ``rows`` batch rows (from the file's size), so columns do not regrow."""
        self.batch.reserve(int(rows))

    def _add_block(self, names: tuple[str, ...] | None, values: np.ndarray) -> int:
        if not names or not len(values):
            return 0
        names = tuple(names)
        if "step" in names:  # a resumed run logs steps again: keep the newest rows from that step on
            steps = values[:, names.index("step")]
            cuts = np.flatnonzero(steps[1:] < steps[:-1]) + 1
            if len(cuts):
                start = 0
                for cut in [*cuts.tolist(), len(values)]:
                    self._add_block(names, values[start:cut])
                    start = cut
                return len(values)
            self._purge_batch(float(steps[0]))
        keep = [j for j, k in enumerate(names) if k != "samples_per_s"]
        stored = tuple(names[j] for j in keep)
        self.batch.append_block(stored, values[:, keep] if len(keep) < len(names) else values)
        order = self._metric_order["batch"]
        for key in stored:
            if key not in _NOT_METRICS and key not in order and key not in self.batch.dropped:
                order.append(key)
        last = dict(zip(names, values[-1].tolist()))
        self.last_batch = {"kind": "batch", **{k: _int_if_whole(k, v) for k, v in last.items()}}
        return len(values)

    def _purge_batch(self, first_step: float) -> None:
        table = self.batch
        if table.n and first_step < table.columns["step"].last():
            steps = table.get("step")
            cut = int(np.searchsorted(steps, first_step, side="left")) if table.sorted.get("step", True) \
                else int(np.flatnonzero(steps >= first_step)[0])
            table.truncate(cut)
            self._drop_curves("batch")

    def _add_event(self, ev: dict) -> int:
        kind = ev.get("kind")
        if kind == "batch":
            keys = tuple(k for k, v in ev.items() if k != "kind" and _is_number(v))
            return self._add_block(keys, np.array([[float(ev[k]) for k in keys]], dtype=np.float64))
        if kind == "epoch":
            self._purge_epochs(ev)
            row: dict[str, float] = {}
            order = self._metric_order["epoch"]
            for key, value in ev.items():
                if key in _NOT_METRICS or not _is_number(value):
                    continue
                row[key] = float(value)
                if key not in order and (key in self.epoch.columns or len(order) < MAX_COLUMNS):
                    order.append(key)
            row["step"] = float(ev.get("step", len(self.epoch))) if _is_number(ev.get("step")) else float(len(self.epoch))
            row["time"] = float(ev["time"]) if _is_number(ev.get("time")) else math.nan
            row["epoch"] = float(ev["epoch"]) if _is_number(ev.get("epoch")) else 0.0
            for key in ("lr", "samples_per_s"):
                if _is_number(ev.get(key)):
                    row[key] = float(ev[key])
            self.epoch.append(row)
            self.last_epoch = ev
            self.epoch_rows.append(ev)
            self.epochs_total = _int_or(ev.get("epochs"), self.epochs_total)
            self.steps_per_epoch = _int_or(ev.get("steps"), self.steps_per_epoch)
            return 1
        if kind == "status":
            status = ev.get("status")
            self.status = status if isinstance(status, str) else self.status
            message = ev.get("message")
            self.message = message if isinstance(message, str) else None
            self.epochs_total = _int_or(ev.get("epochs"), self.epochs_total)
            self.steps_per_epoch = _int_or(ev.get("steps_per_epoch"), self.steps_per_epoch)
            return 1
        return 0

    def _purge_epochs(self, ev: dict) -> None:
        """A resumed run ends epoch k again: drop the epochs from k on that the old trainer logged."""
        table = self.epoch
        step, epoch = ev.get("step"), ev.get("epoch")
        if not table.n or not _is_number(step) or not _is_number(epoch):
            return
        if float(step) < table.columns["step"].last():
            keep = int(np.count_nonzero(table.get("epoch") < float(epoch)))
            if keep < table.n and np.all(table.get("epoch")[:keep] < float(epoch)):
                table.truncate(keep)
                del self.epoch_rows[keep:]
                self.last_epoch = self.epoch_rows[-1] if self.epoch_rows else None
                self._drop_curves("epoch")

    def _drop_curves(self, granularity: str) -> None:
        for key in [k for k in self._curves if k[0] == granularity]:
            del self._curves[key]

    # --- reading ---------------------------------------------------------------------------

    def table(self, granularity: str) -> Table:
        return self.batch if granularity == "batch" else self.epoch

    def metric_keys(self, granularity: str) -> list[str]:
        """Plottable keys: ``loss`` first, then the other training metrics, then the ``val_`` ones,
        each part in the order the keys first appeared."""
        keys = self._metric_order[granularity]
        return sorted(keys, key=lambda k: (k.startswith("val_"), k.removeprefix("val_") != "loss", keys.index(k)))

    def metric_groups(self, granularity: str) -> list[str]:
        """Base metric names (``loss``, ``accuracy``): each charted with its ``val_`` twin."""
        groups: list[str] = []
        for key in self.metric_keys(granularity):
            base = key.removeprefix("val_")
            if base not in groups:
                groups.append(base)
        return groups

    def _x(self, granularity: str, x_axis: str) -> tuple[np.ndarray, float, bool]:
        """The stored column an x axis comes from, the factor it is shown at, and whether it is sorted.

        Batch points on the epoch axis are ``step / steps_per_epoch`` (1.0 at the end of the first
        epoch); without a known epoch length, the epoch they belong to, minus one.
        """
        if x_axis not in X_AXES:
            raise ValueError(f"x axis must be one of {X_AXES}, got {x_axis!r}")
        table = self.table(granularity)
        if granularity == "batch" and x_axis == "epoch":
            if self.steps_per_epoch:
                return table.get("step"), 1.0 / self.steps_per_epoch, table.sorted.get("step", True)
            return table.get("epoch"), 1.0, table.sorted.get("epoch", True)
        return table.get(x_axis), 1.0, table.sorted.get(x_axis, True)

    def curve(self, granularity: str, key: str, x_axis: str = "step", smoothing: float = 0.0
              ) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) of one metric, every point (x as float64; y a view of the column or the smoothed copy)."""
        x, scale, _ = self._x(granularity, x_axis)
        if granularity == "batch" and x_axis == "epoch" and not self.steps_per_epoch:
            x = np.maximum(0.0, x.astype(np.float64) - 1.0)
        elif scale != 1.0:
            x = x * scale
        return x, self.values(granularity, key, smoothing)

    def values(self, granularity: str, key: str, smoothing: float = 0.0) -> np.ndarray:
        """The metric's values, smoothed (EMA weight ``smoothing``) when asked; cached and extended."""
        y = self.table(granularity).get(key)
        if smoothing <= 0.0 or not len(y):
            return y
        cache = self._curve(granularity, key, smoothing)
        sm = cache.smoothed
        if sm is None or len(sm) > len(y):
            sm = GrowableArray(max(len(y), self.table(granularity)._reserve), dtype=y.dtype)
            sm.extend(ema(y, smoothing).astype(y.dtype, copy=False))
            cache.smoothed = sm
        elif len(sm) < len(y):
            done = len(sm)
            sm.extend(ema(y[done:], smoothing, init=_last_finite(sm.view())).astype(sm.dtype, copy=False))
        return sm.view()

    def _curve(self, granularity: str, key: str, smoothing: float) -> _Curve:
        gen = self.table(granularity).generation
        cache = self._curves.get((granularity, key, smoothing))
        if cache is None or cache.generation != gen:
            cache = self._curves[(granularity, key, smoothing)] = _Curve(gen, smoothing)
        return cache

    def ready(self, granularity: str, key: str, smoothing: float = 0.0) -> bool:
        """Whether drawing this curve now costs only the points that arrived since the last draw."""
        n = len(self.table(granularity))
        if smoothing <= 0.0 or n < PREPARE_AT:
            return True
        cache = self._curves.get((granularity, key, smoothing))
        # new points are smoothed incrementally as they come; only a whole new curve goes to a worker
        return cache is not None and cache.smoothed is not None and cache.generation == self.table(granularity).generation

    def prepare(self, granularity: str, key: str, smoothing: float) -> None:
        """Compute a smoothed curve and its pyramid from scratch (slow on 10^7 points: call it in a
        worker thread; the result is installed in one step and extended later on the UI thread)."""
        table = self.table(granularity)
        gen = table.generation
        y = table.get(key)  # a snapshot: appends go past its end or into a new buffer
        sm = GrowableArray(len(y) + (len(y) >> 3) + 256, dtype=y.dtype)
        if smoothing > 0.0:
            sm.extend(ema(y, smoothing).astype(y.dtype, copy=False))
        pyramid = MinMaxPyramid()
        pyramid.update(sm.view() if smoothing > 0.0 else y)
        if table.generation == gen:
            self._curves[(granularity, key, smoothing)] = _Curve(gen, smoothing, sm if smoothing > 0.0 else None, pyramid)

    def chart_points(self, granularity: str, key: str, x_axis: str = "step", smoothing: float = 0.0,
                     columns: int = CHART_COLUMNS, x_range: tuple[float, float] | None = None
                     ) -> tuple[np.ndarray, np.ndarray]:
        """At most two points per chart column: each column's lowest and highest finite point.

        The columns split ``x_range`` (default: the whole run) evenly; the answer comes from the
        curve's min/max pyramid, so it costs O(columns · log n), not O(n). Points come back in x
        order as float64 (x as plotted, e.g. steps turned into epochs).
        """
        x, scale, is_sorted = self._x(granularity, x_axis)
        y = self.values(granularity, key, smoothing)
        n = len(y)
        if n <= 4 * columns or not is_sorted:
            xs, ys = self.curve(granularity, key, x_axis, smoothing)
            lo_hi = x_range
            if lo_hi is not None:
                inside = (xs >= lo_hi[0]) & (xs <= lo_hi[1])
                xs, ys = xs[inside], ys[inside]
            if not is_sorted:
                order = np.argsort(xs, kind="stable")
                xs, ys = xs[order], ys[order]
            return minmax_downsample(xs, ys.astype(np.float64, copy=False), columns)
        if granularity == "batch" and x_axis == "epoch" and not self.steps_per_epoch:
            x_plot = lambda idx: np.maximum(0.0, x[idx].astype(np.float64) - 1.0)  # noqa: E731
            lo, hi = (x_range if x_range else (max(0.0, float(x[0]) - 1), max(0.0, float(x[-1]) - 1)))
            starts, ends = column_ranges(x, columns, lo + 1.0, hi + 1.0)
        else:
            x_plot = lambda idx: x[idx].astype(np.float64) * scale  # noqa: E731
            lo, hi = x_range if x_range else (None, None)
            starts, ends = column_ranges(x, columns, lo, hi, scale)
        cache = self._curve(granularity, key, smoothing)
        cache.pyramid.update(y)
        imin, imax = cache.pyramid.query(y, starts, ends)
        idx = np.unique(np.concatenate([imin[imin >= 0], imax[imax >= 0]]))
        return x_plot(idx), y[idx].astype(np.float64)

    def best(self, key: str) -> tuple[float, int] | None:
        """Best epoch value of ``key`` and the epoch (numbered from 1) it came from."""
        values = self.epoch.get(key)
        if not len(values) or not np.isfinite(values).any():
            return None
        idx = int(np.nanargmax(values) if is_better_max(key) else np.nanargmin(values))
        return float(values[idx]), int(self.epoch.get("epoch")[idx])

    def monitor_key(self) -> str | None:
        """The metric whose best value is worth showing: val_loss, else loss, else the first."""
        keys = self._metric_order["epoch"]
        for key in ("val_loss", "loss"):
            if key in keys:
                return key
        return keys[0] if keys else None

    @property
    def nbytes(self) -> int:
        """Memory held by the columns and the chart caches (for the benchmarks)."""
        caches = sum(c.pyramid.nbytes + (c.smoothed.nbytes if c.smoothed is not None else 0)
                     for c in self._curves.values())
        return self.batch.nbytes + self.epoch.nbytes + caches


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _int_if_whole(key: str, value: float) -> float | int:
    if key in ("step", "epoch", "samples_per_s") and value == value and abs(value) < 2 ** 53:
        return int(value)
    return value


def _int_or(value, default):
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return int(value)
    return default


def _last_finite(values: np.ndarray) -> float | None:
    finite = np.flatnonzero(np.isfinite(values))
    return float(values[finite[-1]]) if len(finite) else None
