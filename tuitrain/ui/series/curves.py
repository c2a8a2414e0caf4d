"""What the chart reads from a run's series: x axes, smoothed curves, min/max points per column.

A redraw must cost the same at 10^4 and 10^7 points. So per (granularity, metric, smoothing) a
curve keeps its EMA-smoothed values, computed once and extended as rows arrive, and a
:class:`~tuitrain.ui.series.downsample.MinMaxPyramid` that answers "the lowest and highest point of every
chart column" in O(columns · log n). Smoothing a whole long curve is slow, so :meth:`ready` says
when a worker thread should :meth:`prepare` it first. :class:`SeriesCurves` is mixed into
:class:`~tuitrain.ui.series.run_series.RunSeries`, which feeds the tables these views read. No Textual.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tuitrain.ui.series.columns import X_AXES, GrowableArray, Table
from tuitrain.ui.series.curve_store import STORE_FROM, CurveStore
from tuitrain.ui.series.downsample import MinMaxPyramid, column_ranges, ema, minmax_downsample

__all__ = ["SeriesCurves", "CHART_COLUMNS", "PREPARE_AT"]

CHART_COLUMNS = 1024  # resolution of chart_points() when the caller does not say
PREPARE_AT = 200_000  # smoothing this many new points at once is left to a worker (see ready())


@dataclass
class _Curve:
    """Per (granularity, metric, smoothing): the smoothed values and the min/max pyramid."""

    generation: int
    alpha: float
    smoothed: GrowableArray | None = None
    pyramid: MinMaxPyramid = field(default_factory=MinMaxPyramid)


class SeriesCurves:
    """Chart views of a run's ``batch`` and ``epoch`` tables (mixed into ``RunSeries``, which fills them)."""

    batch: Table
    epoch: Table
    steps_per_epoch: int | None
    _curves: dict[tuple[str, str, float], _Curve]
    store: tuple[CurveStore, int] | None  # the adopted columns' cached curves, valid for this batch generation

    def adopt_store(self, columns, rows: int) -> None:
        """The batch table is these columns' first ``rows`` rows: its long curves may come from (and go to) them."""
        self.store = None
        if columns is not None and columns.lineage is not None and rows == columns.rows and rows >= STORE_FROM:
            self.store = (CurveStore(columns), self.batch.generation)

    def _store(self, granularity: str) -> CurveStore | None:
        if granularity != "batch" or self.store is None or self.store[1] != self.batch.generation:
            return None  # rows were taken away since (a resumed run): the cached curves are not these
        return self.store[0]

    def table(self, granularity: str) -> Table:
        return self.batch if granularity == "batch" else self.epoch

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
            sm = GrowableArray(max(len(y), self.table(granularity).reserved), dtype=y.dtype)
            sm.extend(ema(y, smoothing, dtype=y.dtype))
            cache.smoothed = sm
        elif len(sm) < len(y):
            done = len(sm)
            sm.extend(ema(y[done:], smoothing, init=_last_finite(sm.view()), dtype=sm.dtype))
        return sm.view()

    def _curve(self, granularity: str, key: str, smoothing: float) -> _Curve:
        gen = self.table(granularity).generation
        cache = self._curves.get((granularity, key, smoothing))
        if cache is None or cache.generation != gen:
            cache = self._curves[(granularity, key, smoothing)] = self._stored(granularity, key, smoothing) \
                or _Curve(gen, smoothing)
        return cache

    def _stored(self, granularity: str, key: str, smoothing: float) -> _Curve | None:
        """The curve as the last open of these columns saved it (mapped: only what is drawn is read)."""
        store = self._store(granularity)
        found = store.load(key, smoothing) if store is not None else None
        if found is None:
            return None
        smoothed, pyramid = found
        return _Curve(self.table(granularity).generation, smoothing,
                      GrowableArray.adopt(smoothed) if smoothed is not None else None, pyramid)

    def _save(self, granularity: str, key: str, curve: _Curve) -> None:
        store = self._store(granularity)
        if store is not None:
            store.save(key, curve.alpha, curve.smoothed.view() if curve.smoothed is not None else None, curve.pyramid)

    def ready(self, granularity: str, key: str, smoothing: float = 0.0) -> bool:
        """Whether drawing this curve now costs only the points that arrived since the last draw."""
        n = len(self.table(granularity))
        if smoothing <= 0.0 or n < PREPARE_AT:
            return True
        cache = self._curves.get((granularity, key, smoothing))
        # new points are smoothed incrementally as they come; only a whole new curve goes to a worker
        if cache is None or cache.generation != self.table(granularity).generation:
            cache = self._stored(granularity, key, smoothing)  # saved by an earlier open: ready at once
            if cache is not None:
                self._curves[(granularity, key, smoothing)] = cache
        return cache is not None and cache.smoothed is not None and cache.generation == self.table(granularity).generation

    def prepare(self, granularity: str, key: str, smoothing: float) -> None:
        """Compute a smoothed curve and its pyramid from scratch (slow on 10^7 points: call it in a
        worker thread; the result is installed in one step and extended later on the UI thread)."""
        table = self.table(granularity)
        gen = table.generation
        y = table.get(key)  # a snapshot: appends go past its end or into a new buffer
        # the smoothed copy is kept as ema made it (one float32 array, no second copy); it grows on the next rows
        sm = GrowableArray.adopt(ema(y, smoothing, dtype=y.dtype)) if smoothing > 0.0 else None
        pyramid = MinMaxPyramid()
        pyramid.update(sm.view() if sm is not None else y)
        if table.generation == gen:
            curve = self._curves[(granularity, key, smoothing)] = _Curve(gen, smoothing, sm, pyramid)
            self._save(granularity, key, curve)  # in the worker too: the next open reads it instead

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
        fresh = not cache.pyramid.levels
        cache.pyramid.update(y)
        if fresh:
            self._save(granularity, key, cache)  # built here once (a raw or shorter curve): kept for the next open
        imin, imax = cache.pyramid.query(y, starts, ends)
        idx = np.unique(np.concatenate([imin[imin >= 0], imax[imax >= 0]]))
        return x_plot(idx), y[idx].astype(np.float64)

    def _drop_curves(self, granularity: str) -> None:
        """Forget the cached curves of one table (its rows were taken away)."""
        for key in [k for k in self._curves if k[0] == granularity]:
            del self._curves[key]

    @property
    def curves_nbytes(self) -> int:
        """Memory held by the smoothed copies and the pyramids."""
        return sum(c.pyramid.nbytes + (c.smoothed.nbytes if c.smoothed is not None else 0)
                   for c in self._curves.values())


def _last_finite(values: np.ndarray) -> float | None:
    """The last finite value, looked for from the end (a live run's poll must not scan 10^7 points)."""
    end = len(values)
    while end > 0:
        start = max(0, end - 4096)
        finite = np.flatnonzero(np.isfinite(values[start:end]))
        if len(finite):
            return float(values[start + finite[-1]])
        end = start
    return None
