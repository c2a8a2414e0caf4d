"""Keys under ``[fit]`` that the trainer reads itself rather than passing to ``model.fit``.

Kept apart from the trainer so that ``tuitrain.spec`` can validate a preset without importing
the engine (or TensorFlow).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tuitrain.errors import SpecError

# checkpoint_monitor: metric whose best value picks checkpoints/best.keras (default val_loss, else loss)
# checkpoint_mode: "min" | "max" | "auto" (auto: max for accuracy-like names)
# checkpoint_every: at least this many seconds between checkpoint writes during training
#   (default 5; 0 = every epoch). The first epoch and the end of training always write.
# tensorboard: write TensorBoard event files under tensorboard/ (bool)
# flush_interval: seconds between event flushes (default 0.25)
# log_every: batch events every N steps (default 1)
ENGINE_FIT_KEYS = (
    "checkpoint_monitor",
    "checkpoint_mode",
    "checkpoint_every",
    "tensorboard",
    "flush_interval",
    "log_every",
)

# Metric names for which a larger value is better (checkpoint_mode = "auto"), as Keras' ModelCheckpoint decides.
_MAX_HINTS = ("acc", "auc", "precision", "recall", "f1", "fmeasure", "iou", "r2")


@dataclass(frozen=True)
class EngineOptions:
    """The trainer's own settings, read from ``[fit]`` with defaults filled in."""

    checkpoint_monitor: str | None = None
    checkpoint_mode: str = "auto"
    checkpoint_every: float = 5.0
    tensorboard: bool = False
    flush_interval: float = 0.25
    log_every: int = 1

    def monitor_for(self, has_validation: bool) -> str:
        if self.checkpoint_monitor:
            return self.checkpoint_monitor
        return "val_loss" if has_validation else "loss"

    def mode_for(self, monitor: str) -> str:
        if self.checkpoint_mode in ("min", "max"):
            return self.checkpoint_mode
        return better_direction(monitor)


def better_direction(metric: str) -> str:
    """``"max"`` for accuracy-like metric names, else ``"min"`` (losses, errors)."""
    name = metric.lower().removeprefix("val_")
    return "max" if any(h in name for h in _MAX_HINTS) else "min"


def engine_options(fit: dict[str, Any]) -> EngineOptions:
    """Validate the engine keys of ``[fit]``; errors name the key path (``fit.log_every``)."""

    def expect(key: str, ok: bool, what: str) -> None:
        if not ok:
            raise SpecError(f"expected {what}, got {fit[key]!r}", path=f"fit.{key}")

    def number(v: Any) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    kw: dict[str, Any] = {}
    if "checkpoint_monitor" in fit:
        expect("checkpoint_monitor", isinstance(fit["checkpoint_monitor"], str) and fit["checkpoint_monitor"] != "", "a metric name such as \"val_loss\"")
        kw["checkpoint_monitor"] = fit["checkpoint_monitor"]
    if "checkpoint_mode" in fit:
        expect("checkpoint_mode", fit["checkpoint_mode"] in ("min", "max", "auto"), "\"min\", \"max\" or \"auto\"")
        kw["checkpoint_mode"] = fit["checkpoint_mode"]
    if "checkpoint_every" in fit:
        expect("checkpoint_every", number(fit["checkpoint_every"]) and fit["checkpoint_every"] >= 0, "seconds (a number ≥ 0)")
        kw["checkpoint_every"] = float(fit["checkpoint_every"])
    if "tensorboard" in fit:
        expect("tensorboard", isinstance(fit["tensorboard"], bool), "true or false")
        kw["tensorboard"] = fit["tensorboard"]
    if "flush_interval" in fit:
        expect("flush_interval", number(fit["flush_interval"]) and fit["flush_interval"] > 0, "seconds (a number > 0)")
        kw["flush_interval"] = float(fit["flush_interval"])
    if "log_every" in fit:
        expect("log_every", isinstance(fit["log_every"], int) and not isinstance(fit["log_every"], bool) and fit["log_every"] >= 1, "an integer ≥ 1")
        kw["log_every"] = fit["log_every"]
    return EngineOptions(**kw)
