"""Metric histories of one run, fed by ``RunReader.poll()`` events, kept in growable numpy arrays.

The Train pane and the runs comparison both need "loss per step so far" as arrays they can
downsample. Events arrive a few at a time for hours, so each column is a numpy buffer that
doubles when full (amortised O(1) append) and hands out views, never copies. No Textual.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np

from tuitrain.metric_names import NOT_METRICS as _NOT_METRICS
from tuitrain.metric_names import better_direction
from tuitrain.ui.downsample import ema

__all__ = ["GrowableArray", "Table", "RunSeries", "X_AXES", "GRANULARITIES", "is_better_max"]

X_AXES = ("step", "epoch", "time")
GRANULARITIES = ("batch", "epoch")


class GrowableArray:
    """A float64 vector with amortised O(1) append; ``view()`` is the filled part (no copy)."""

    __slots__ = ("_buf", "_n")

    def __init__(self, capacity: int = 256, fill_to: int = 0, dtype: type = np.float64) -> None:
        self._buf = np.full(max(capacity, fill_to, 16), np.nan) if dtype is np.float64 else \
            np.zeros(max(capacity, fill_to, 16), dtype=dtype)
        self._n = fill_to

    def __len__(self) -> int:
        return self._n

    def append(self, value: float) -> None:
        if self._n == len(self._buf):
            self._grow(self._n + 1)
        self._buf[self._n] = value
        self._n += 1

    def extend(self, values: np.ndarray) -> None:
        values = np.asarray(values, dtype=self._buf.dtype)
        end = self._n + len(values)
        if end > len(self._buf):
            self._grow(end)
        self._buf[self._n:end] = values
        self._n = end

    def pad_to(self, n: int) -> None:
        """Fill with NaN up to length ``n`` (a column that appeared late)."""
        if n > len(self._buf):
            self._grow(n)
        self._buf[self._n:n] = np.nan
        self._n = max(self._n, n)

    def view(self) -> np.ndarray:
        return self._buf[: self._n]

    def last(self) -> float:
        return float(self._buf[self._n - 1]) if self._n else math.nan

    def _grow(self, need: int) -> None:
        new = np.full(max(need, 2 * len(self._buf)), np.nan if self._buf.dtype == np.float64 else 0,
                      dtype=self._buf.dtype)
        new[: self._n] = self._buf[: self._n]
        self._buf = new


class Table:
    """Rows of numbers with named columns; a key missing from a row reads as NaN."""

    def __init__(self) -> None:
        self.n = 0
        self.columns: dict[str, GrowableArray] = {}

    def append(self, row: dict[str, float]) -> None:
        for key, value in row.items():
            col = self.columns.get(key)
            if col is None:
                col = self.columns[key] = GrowableArray(fill_to=self.n)
            col.append(value)
        self.n += 1
        for col in self.columns.values():
            if len(col) < self.n:
                col.pad_to(self.n)

    def get(self, key: str) -> np.ndarray:
        col = self.columns.get(key)
        return col.view() if col is not None else np.full(self.n, np.nan)

    def __len__(self) -> int:
        return self.n


def is_better_max(metric: str) -> bool:
    """Whether a bigger value of this metric is better: the engine's rule, so the chart's best matches the run's."""
    return better_direction(metric) == "max"


@dataclass
class _Smoothed:
    alpha: float
    values: GrowableArray = field(default_factory=GrowableArray)


# Long curves are summarised per block of this many points (the index of each block's min and
# max), so a redraw scans n / BLOCK candidates instead of the whole history.
BLOCK = 256


@dataclass
class _Blocks:
    smoothing: float
    done: int = 0  # complete blocks summarised
    idx: GrowableArray = field(default_factory=lambda: GrowableArray(dtype=np.int64))


class RunSeries:
    """Everything the chart and the status panel need from one run's event stream."""

    def __init__(self) -> None:
        self.batch = Table()
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
        self._smoothed: dict[tuple[str, str], _Smoothed] = {}
        self._blocks: dict[tuple[str, str], _Blocks] = {}

    # --- feeding ---------------------------------------------------------------------------

    def extend(self, events: Iterable[dict]) -> int:
        """Add events (already normalised by ``RunReader``); returns how many were used."""
        used = 0
        for ev in events:
            kind = ev.get("kind")
            if kind == "batch":
                self._add_point("batch", ev)
                self.last_batch = ev
            elif kind == "epoch":
                self._add_point("epoch", ev)
                self.last_epoch = ev
                self.epoch_rows.append(ev)
                self.epochs_total = _int_or(ev.get("epochs"), self.epochs_total)
                self.steps_per_epoch = _int_or(ev.get("steps"), self.steps_per_epoch)
            elif kind == "status":
                self.status = ev.get("status", self.status)
                self.message = ev.get("message")
                self.epochs_total = _int_or(ev.get("epochs"), self.epochs_total)
                self.steps_per_epoch = _int_or(ev.get("steps_per_epoch"), self.steps_per_epoch)
            else:
                continue
            used += 1
        if used:
            self.version += 1
        return used

    def _add_point(self, granularity: str, ev: dict) -> None:
        table = self.batch if granularity == "batch" else self.epoch
        row: dict[str, float] = {}
        order = self._metric_order[granularity]
        for key, value in ev.items():
            if key in _NOT_METRICS or isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            row[key] = float(value)
            if key not in order:
                order.append(key)
        row["step"] = float(ev.get("step", len(table)))
        row["time"] = float(ev.get("time", math.nan))
        row["epoch"] = self._epoch_x(granularity, ev)
        for key in ("lr", "samples_per_s"):
            if isinstance(ev.get(key), (int, float)):
                row[key] = float(ev[key])
        table.append(row)

    def _epoch_x(self, granularity: str, ev: dict) -> float:
        """Epochs completed at this point: 1.0 at the end of the first epoch, 0.5 half-way.

        Engine events number epochs from 1 and count ``step`` as batches since the run began.
        """
        epoch = float(ev.get("epoch", 0))
        if granularity == "epoch":
            return epoch
        spe = self.steps_per_epoch
        if spe:
            return float(ev.get("step", 0)) / spe
        return max(0.0, epoch - 1.0)

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

    def curve(self, granularity: str, key: str, x_axis: str = "step", smoothing: float = 0.0
              ) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) views for one metric; smoothed values are cached and extended incrementally."""
        if x_axis not in X_AXES:
            raise ValueError(f"x axis must be one of {X_AXES}, got {x_axis!r}")
        table = self.table(granularity)
        x = table.get(x_axis)
        y = table.get(key)
        if smoothing > 0.0 and len(y):
            y = self._smooth(granularity, key, y, smoothing)
        return x, y

    def chart_points(self, granularity: str, key: str, x_axis: str = "step", smoothing: float = 0.0
                     ) -> tuple[np.ndarray, np.ndarray]:
        """A subset of ``curve()`` holding every block's min and max, for the downsampler.

        Short curves come back whole. Long ones come back as the min and max point of each
        complete block of ``BLOCK`` points (summarised once, as blocks fill) plus the raw tail,
        so the chart's cost per redraw stays flat as the run grows while spikes survive.
        """
        x, y = self.curve(granularity, key, x_axis, smoothing)
        n = len(y)
        if n <= 16 * BLOCK:
            return x, y
        cache = self._blocks.get((granularity, key))
        if cache is None or cache.smoothing != smoothing or cache.done * BLOCK > n:
            cache = self._blocks[(granularity, key)] = _Blocks(smoothing)
        full = n // BLOCK
        if full > cache.done:
            seg = y[cache.done * BLOCK: full * BLOCK].reshape(-1, BLOCK)
            finite = np.isfinite(seg)
            lo = np.where(finite, seg, np.inf).argmin(axis=1)
            hi = np.where(finite, seg, -np.inf).argmax(axis=1)
            base = (np.arange(cache.done, full) * BLOCK)
            pairs = np.empty((len(base), 2), dtype=np.int64)
            pairs[:, 0] = base + np.minimum(lo, hi)
            pairs[:, 1] = base + np.maximum(lo, hi)
            cache.idx.extend(pairs.ravel())
            cache.done = full
        sel = np.concatenate([cache.idx.view(), np.arange(full * BLOCK, n)])
        return x[sel], y[sel]

    def _smooth(self, granularity: str, key: str, y: np.ndarray, alpha: float) -> np.ndarray:
        cache = self._smoothed.get((granularity, key))
        if cache is None or cache.alpha != alpha or len(cache.values) > len(y):
            cache = self._smoothed[(granularity, key)] = _Smoothed(alpha)
            cache.values.extend(ema(y, alpha))
        elif len(cache.values) < len(y):
            done = len(cache.values)
            cache.values.extend(ema(y[done:], alpha, init=_last_finite(cache.values.view())))
        return cache.values.view()

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


def _int_or(value, default):
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else default


def _last_finite(values: np.ndarray) -> float | None:
    finite = np.flatnonzero(np.isfinite(values))
    return float(values[finite[-1]]) if len(finite) else None
