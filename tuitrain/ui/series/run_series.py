"""Metric histories of one run, fed by the reader's blocks or by event dicts.

The Train pane and the runs comparison both need "loss per step so far" as arrays they can
draw. A long run is millions of batch rows, so batch rows arrive as numpy blocks
(:meth:`RunSeries.apply`, from ``RunReader.read()``) and are copied into growable columns
(:mod:`tuitrain.ui.series.columns`): no Python object per row, about 4–8 bytes per number kept. Event
dicts (:meth:`RunSeries.extend`, from any reader's ``poll()``) go the same way. A resumed run that
logs steps again replaces the rows from that step on, as TensorBoard does with a restarted run.
This module owns that feeding and the facts the status panel shows (status, epochs, best value);
what the chart reads (curves, smoothing, min/max points) is :mod:`tuitrain.ui.series.curves`.
No Textual.
"""

from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from tuitrain.runs.decode import BatchBlock
from tuitrain.ui.series.column_feed import ColumnBlock
from tuitrain.runs.reader import RESET
from tuitrain.runs.record import partial_batches
from tuitrain.common.metric_names import NOT_METRICS as _NOT_METRICS
from tuitrain.common.metric_names import better_direction
from tuitrain.ui.series.columns import MAX_COLUMNS, Table
from tuitrain.ui.series.curves import SeriesCurves

__all__ = ["RunSeries", "GRANULARITIES", "is_better_max"]

GRANULARITIES = ("batch", "epoch")


def is_better_max(metric: str) -> bool:
    """Whether a bigger value of this metric is better: the engine's rule, so the chart's best matches the run's."""
    return better_direction(metric) == "max"


class RunSeries(SeriesCurves):
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
        self.phases: list[dict] = []  # [[phases]] boundaries: phase, start_epoch, step, time (one per phase)
        self.version = 0  # bumped whenever something new arrived
        self._metric_order: dict[str, list[str]] = {"batch": [], "epoch": []}
        self._curves = {}  # see SeriesCurves
        self.store = None  # see SeriesCurves: the adopted columns' cached curves

    # --- feeding ---------------------------------------------------------------------------

    def apply(self, parts: Iterable[Any]) -> int:
        """Add what ``RunReader.read()`` returned (blocks, event dicts, resets); returns rows used."""
        used = 0
        for part in parts:
            if isinstance(part, BatchBlock):
                used += self._add_block(part.names, part.values)
            elif isinstance(part, ColumnBlock):
                used += self._add_columns(part)
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

    def _add_columns(self, block: "ColumnBlock") -> int:
        """Rows from the binary columns (steps already rising: the writer dropped resumed-over rows)."""
        steps = block.arrays.get("step")
        if steps is None or not len(steps):
            return 0
        if len(steps) > 1 and not block.trusted and not bool(np.all(steps[1:] >= steps[:-1])):  # not what our writer makes: the JSON's rules
            names = tuple(block.arrays)
            return self._add_block(names, np.column_stack([np.asarray(block.arrays[k], dtype=np.float64) for k in names]))
        self._purge_batch(float(steps[0]))
        names = tuple(k for k in block.arrays if k != "samples_per_s")
        if not self.batch.n:  # a run opened from its columns: the mapped files are the table
            self.batch.adopt_columns(names, [block.arrays[k] for k in names])
            if block.trusted:
                self.batch.sorted["step"] = True  # checked by column_parts: no second pass over 10^7 steps
            self.adopt_store(block.source, len(steps))
        else:
            self.batch.append_columns(names, [block.arrays[k] for k in names])
        order = self._metric_order["batch"]
        for key in names:
            if key not in _NOT_METRICS and key not in order and key not in self.batch.dropped:
                order.append(key)
        last = {k: float(v[-1]) for k, v in block.arrays.items()}
        self.last_batch = {"kind": "batch", **{k: _int_if_whole(k, v) for k, v in last.items() if v == v or k not in ("step", "epoch")}}
        return len(steps)

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
        if kind == "phase":
            return self._add_phase(ev)
        if kind == "status":
            status = ev.get("status")
            self.status = status if isinstance(status, str) else self.status
            message = ev.get("message")
            self.message = message if isinstance(message, str) else None
            self.epochs_total = _int_or(ev.get("epochs"), self.epochs_total)
            self.steps_per_epoch = _int_or(ev.get("steps_per_epoch"), self.steps_per_epoch)
            return 1
        return 0

    def _add_phase(self, ev: dict) -> int:
        """A phase began; a resumed run announcing the same phase again replaces its marker."""
        if not all(_is_number(ev.get(k)) for k in ("phase", "start_epoch", "step", "time")):
            return 0
        marker = {k: float(ev[k]) for k in ("phase", "start_epoch", "step", "time")}
        kept = [m for m in self.phases if m["phase"] != marker["phase"] and m["start_epoch"] < marker["start_epoch"]]
        if any(m["start_epoch"] == marker["start_epoch"] and m["phase"] == marker["phase"] for m in self.phases):
            marker["time"] = next(m["time"] for m in self.phases if m["phase"] == marker["phase"])
        self.phases = [*kept, marker]
        return 1

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

    # --- reading ---------------------------------------------------------------------------

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

    def best(self, key: str) -> tuple[float, int] | None:
        """Best epoch value of ``key`` and the epoch (numbered from 1) it came from; an epoch a stop
        cut short is no epoch's value and is left out (as the trainer leaves it out of run.json)."""
        values = np.array(self.epoch.get(key), dtype=np.float64)
        if len(self.epoch_rows) == len(values):
            values[[bool(row.get("partial")) for row in self.epoch_rows]] = np.nan
        if not len(values) or not np.isfinite(values).any():
            return None
        idx = int(np.nanargmax(values) if is_better_max(key) else np.nanargmin(values))
        return float(values[idx]), int(self.epoch.get("epoch")[idx])

    @property
    def epochs_done(self) -> int:
        """Whole epochs trained: the one count the status line, the epoch table and ``tuitrain runs`` share."""
        whole = [row.get("epoch") for row in self.epoch_rows if not row.get("partial")]
        return max((int(e) for e in whole if isinstance(e, (int, float)) and not isinstance(e, bool)), default=0)

    @property
    def partial_epoch(self) -> tuple[int, int] | None:
        """(batches, batches per epoch) when the last epoch row is one a stop cut short."""
        return partial_batches(self.last_epoch) if self.last_epoch is not None else None

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
        return self.batch.nbytes + self.epoch.nbytes + self.curves_nbytes


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

