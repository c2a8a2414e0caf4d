"""The one best number a runs list shows: the run's monitored metric, its best value and its epoch.

``run.json``'s ``best`` holds each metric's best value; the epoch it came from is found in the
run's epoch rows (``columns/other.jsonl``, which holds no batch rows, else a small ``events.jsonl``),
read bounded. A partial epoch (a stop mid-epoch) never counts as the best one.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from tuitrain.runs.layout import EVENTS_FILE

__all__ = ["BestMetric", "best_metric", "best_metrics", "monitored_metric", "epoch_rows", "best_epoch"]

MAX_EPOCH_BYTES = 8 << 20  # epoch rows read to find the best epoch (a 40 000-epoch run); past it: no epoch
MAX_EVENTS_BYTES = 2 << 20  # a run without columns: its whole events.jsonl, batch rows included, read only when small


@dataclass(frozen=True)
class BestMetric:
    """A metric's best value and the epoch (numbered from 1) it came from; ``epoch`` None when unknown."""

    metric: str
    value: float
    epoch: int | None = None

    def text(self, short: bool = True) -> str:
        """``val_loss 0.0915 @ep12`` (``accuracy`` shortened to ``acc`` when ``short``)."""
        name = self.metric.replace("accuracy", "acc") if short else self.metric
        where = f" @ep{self.epoch}" if self.epoch is not None else ""
        return f"{name} {self.value:.4g}{where}"


def monitored_metric(run: Any) -> str | None:
    """The metric ``tuitrain runs`` shows too (``rundir.pick_best``): the run's monitor when it logged it,
    else ``val_loss``, else the first validation metric, else ``loss``."""
    from tuitrain.runs.rundir import pick_best

    found = pick_best(run.best or {}, run.monitor)
    return found[0] if found else None


def best_metric(run: Any, metric: str | None = None, rows: list[dict[str, Any]] | None = None) -> BestMetric | None:
    """``metric`` (default: the monitored one) of a ``RunInfo``: its best value and epoch; None if not logged.

    ``rows``: the run's epoch rows when already read (:func:`epoch_rows`)."""
    metric = metric or monitored_metric(run)
    if metric is None or metric not in (run.best or {}):
        return None
    value = float(run.best[metric])
    rows = epoch_rows(run.path) if rows is None else rows
    return BestMetric(metric, value, best_epoch(rows, metric, value))


def best_metrics(run: Any) -> dict[str, BestMetric]:
    """Every metric of ``run.best`` with its epoch, the epoch rows read once."""
    rows = epoch_rows(run.path) if run.best else []
    return {m: found for m in run.best if (found := best_metric(run, m, rows)) is not None}


def best_epoch(rows: Iterable[dict[str, Any]], metric: str, value: float) -> int | None:
    """The first complete epoch whose ``metric`` equals ``value`` (to float32 precision)."""
    for row in rows:
        got = row.get(metric)
        if row.get("partial") or not isinstance(got, (int, float)) or isinstance(got, bool):
            continue
        if math.isclose(float(got), value, rel_tol=1e-6, abs_tol=1e-12):
            epoch = row.get("epoch")
            return int(epoch) if isinstance(epoch, (int, float)) and not isinstance(epoch, bool) else None
    return None


def epoch_rows(run_dir: str | os.PathLike) -> list[dict[str, Any]]:
    """A run's epoch rows (long keys), from its columns' side file or a small ``events.jsonl``; [] if neither."""
    from tuitrain.runs.columns import find_columns
    from tuitrain.runs.decode import EventDecoder

    run_dir = Path(run_dir)
    data = b""
    try:
        columns = find_columns(run_dir)
        if columns is not None and columns.other_bytes <= MAX_EPOCH_BYTES:
            data = columns.other()
        elif columns is None and os.stat(run_dir / EVENTS_FILE).st_size <= MAX_EVENTS_BYTES:
            from tuitrain.common.fsutil import read_bounded

            data = read_bounded(run_dir / EVENTS_FILE, MAX_EVENTS_BYTES, what=EVENTS_FILE)
    except (OSError, ValueError):
        return []
    decoder = EventDecoder()
    kinds = (line for line in data.split(b"\n") if b'"k"' in line or b'"kind"' in line)  # batch rows have neither
    rows = (decoder.decode_line(line) for line in kinds)
    return [row for row in rows if row is not None and row.get("kind") == "epoch"]
