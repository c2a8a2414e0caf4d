"""Keys under ``[fit]`` that the trainer reads itself rather than passing to ``model.fit``.

The key names are declared in ``tuitrain.preset.schema`` so that validating a preset never imports
the engine package.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from tuitrain.common.errors import SpecError
from tuitrain.common.metric_names import better_direction
from tuitrain.preset.schema import ENGINE_FIT_KEYS  # what each key means is written there

__all__ = ["ENGINE_FIT_KEYS", "EngineOptions", "better_direction", "engine_options"]


@dataclass(frozen=True)
class EngineOptions:
    """The trainer's own settings, read from ``[fit]`` with defaults filled in."""

    checkpoint_monitor: str | None = None
    checkpoint_mode: str = "auto"
    checkpoint_every: float = 5.0
    tensorboard: bool = False
    flush_interval: float = 0.25
    log_every: int = 1
    system_every: float = 2.0

    def monitor_for(self, has_validation: bool) -> str:
        if self.checkpoint_monitor:
            return self.checkpoint_monitor
        return "val_loss" if has_validation else "loss"

    def mode_for(self, monitor: str) -> str:
        if self.checkpoint_mode in ("min", "max"):
            return self.checkpoint_mode
        return better_direction(monitor)


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
        expect("checkpoint_every", number(fit["checkpoint_every"]) and 0 <= fit["checkpoint_every"] < math.inf, "seconds (a number ≥ 0)")
        kw["checkpoint_every"] = float(fit["checkpoint_every"])
    if "tensorboard" in fit:
        expect("tensorboard", isinstance(fit["tensorboard"], bool), "true or false")
        kw["tensorboard"] = fit["tensorboard"]
    if "flush_interval" in fit:
        expect("flush_interval", number(fit["flush_interval"]) and 0 < fit["flush_interval"] <= 3600, "seconds (a number > 0, at most 3600)")
        kw["flush_interval"] = float(fit["flush_interval"])
    if "log_every" in fit:
        expect("log_every", isinstance(fit["log_every"], int) and not isinstance(fit["log_every"], bool) and fit["log_every"] >= 1, "an integer ≥ 1")
        kw["log_every"] = fit["log_every"]
    if "system_every" in fit:
        expect("system_every", number(fit["system_every"]) and fit["system_every"] >= 0, "seconds (a number ≥ 0; 0 = no samples)")
        kw["system_every"] = float(fit["system_every"])
    return EngineOptions(**kw)
