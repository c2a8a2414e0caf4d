"""The whole check, shared by `tuitrain check`, the app and the trainer: data → model → compile → callbacks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tuitrain.common.errors import SpecError, TuitrainError
from tuitrain.model.graph import build_model
from tuitrain.model.callbacks import callback_classes, resolve_callbacks
from tuitrain.model.compile import compile_model, fit_kwargs
from tuitrain.model.guards import check_monitors, probe
from tuitrain.model.warnings import Warn, check_warnings
from tuitrain.preset import with_line

if TYPE_CHECKING:  # pragma: no cover
    from tuitrain.data import Dataset
    from tuitrain.preset import Preset


@dataclass
class CheckedPreset:
    preset: "Preset"
    dataset: "Dataset"
    model: Any
    warnings: list[Warn]
    writes: list[str] = field(default_factory=list)  # what the callbacks would write (RUN_DIR/...)
    logged: list[str] = field(default_factory=list)  # the metric names fit will log (a sweep's objective must be one)


def prepare(preset: "Preset") -> CheckedPreset:
    """Data → model → compile → callbacks, each error naming the preset's file and key path."""
    from tuitrain.data import load_dataset

    file = str(preset.path) if preset.path else None
    try:
        _set_seed(preset.seed)
        dataset = load_dataset(preset.data, seed=preset.seed, base_dir=preset.base_dir)
        model = build_model(preset, dataset=dataset)
        compile_model(model, preset.compile)
        if preset.phases:
            from tuitrain.model.phases import check_phases_on_model

            check_phases_on_model(model, preset.phases)
        writes: list[str] = []
        resolve_callbacks(preset.fit, writes=writes, trusted=preset.trusted)
        logged = probe(model, dataset, path=f"layers[{max(0, len(preset.layers) - 1)}]")
        monitor_warnings = check_monitors(preset, logged, callback_classes())
        fit_kwargs(preset.fit, dataset)  # class weights checked against the data's classes
    except SpecError as err:
        raise with_line(err, preset, file) from None
    except TuitrainError as err:
        if hasattr(err, "located"):
            raise with_line(err, preset, file) from None
        raise
    from tuitrain.model.phases import frozen_random_warnings

    warns = check_warnings(preset, dataset, model) + monitor_warnings + frozen_random_warnings(preset)
    return CheckedPreset(preset, dataset, model, warns, writes, logged)



def _set_seed(seed: int) -> None:
    import keras

    keras.utils.set_random_seed(seed)
