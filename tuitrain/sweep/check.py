"""``tuitrain check`` of a ``[sweep]``: every swept value applied and checked by Keras, nothing trained.

Each end of a range (every listed value) is set on its own and the preset's whole check runs on
the result (``tuitrain.model.prepare``): an unknown path, a value a layer refuses or an objective
the run does not log is a located error before any trial starts.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Callable

from tuitrain.common.errors import LocatedError, SpecError, TuitrainError
from tuitrain.common.suggest import did_you_mean
from tuitrain.sweep.config import SweepConfig, locate, space_key_path, sweep_config
from tuitrain.sweep.trial import trial_preset

if TYPE_CHECKING:  # pragma: no cover
    from tuitrain.preset import Preset


def check_sweep(preset: "Preset", *, prepare: Callable[["Preset"], Any] | None = None) -> SweepConfig:
    """The preset's sweep, every extreme value checked; raises a located error naming the swept key."""
    if prepare is None:
        from tuitrain.model import prepare
    config = sweep_config(preset)
    quiet = logging.getLogger("tensorflow")  # building the model once per value: TF warns of "retracing"
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        base = prepare(trial_preset(preset, {}))
        _check_objective(config, base.logged)
        for dim in config.space:
            for value in dim.extremes():
                _check_value(preset, dim.path, value, prepare)
    except SpecError as err:
        if err.path and err.path.startswith("sweep"):
            raise locate(err, preset) from None
        raise
    finally:
        quiet.setLevel(level)
    return config


def _check_objective(config: SweepConfig, logged: list[str]) -> None:
    names = [n for n in logged if n != "learning_rate"]
    if names and config.objective not in names:
        raise SpecError(f"{config.objective!r} is not a metric this run logs.{did_you_mean(config.objective, names)} "
                        f"It logs: {', '.join(names)}", path="sweep.objective")


def _check_value(preset: "Preset", key: str, value: Any, prepare: Callable[["Preset"], Any]) -> None:
    trial = trial_preset(preset, {key: value})
    try:
        prepare(trial)
    except LocatedError as err:
        where = f"{err.path}: " if err.path else ""
        raise SpecError(f"with {key} = {value!r}: {where}{err.message}", path=space_key_path(key)) from None
    except TuitrainError as err:
        raise SpecError(f"with {key} = {value!r}: {err}", path=space_key_path(key)) from None
