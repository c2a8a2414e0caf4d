"""The one "best" number a list of runs shows: the metric the run watched, not every validation metric.

``tuitrain runs`` and the app's runs screen both show it, so they agree on which metric a run is
ranked by; the others stay in ``run.json``'s ``best`` (``tuitrain runs --json``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

if TYPE_CHECKING:
    from tuitrain.runs.rundir import RunInfo

FALLBACKS = ("val_loss",)  # Keras' own default monitor (ModelCheckpoint, EarlyStopping)


def pick_best(best: Mapping[str, float], monitor: str | None) -> tuple[str, float] | None:
    """``monitor`` when it has a best value; else ``val_loss``; else the first validation metric; else the
    first metric recorded (``loss`` for a run without validation data)."""
    if not best:
        return None
    if monitor and monitor in best:
        return monitor, best[monitor]
    for key in FALLBACKS:
        if key in best:
            return key, best[key]
    key = next((k for k in best if k.startswith("val_")), None) or ("loss" if "loss" in best else next(iter(best)))
    return key, best[key]


def best_metric(run: "RunInfo") -> tuple[str, float] | None:
    """The run's monitored metric and its best value (see ``pick_best``), or None when it recorded none."""
    return pick_best(run.best, run.monitor)
