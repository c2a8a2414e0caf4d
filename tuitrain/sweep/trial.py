"""A trial's preset: the sweep's preset with the trial's values set as ``--set`` would set them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tuitrain.common.errors import SpecError
from tuitrain.preset.load import validate
from tuitrain.preset.numbers import check_numbers
from tuitrain.preset.overrides import apply_override
from tuitrain.sweep.config import space_key_path

if TYPE_CHECKING:  # pragma: no cover
    from tuitrain.preset import Preset

# KerasTuner's own bookkeeping values (Hyperband's budgets): never preset keys.
TUNER_PREFIX = "tuner/"


def toml_literal(value: Any) -> str:
    """``value`` as the TOML text ``--set`` parses back to the same value."""
    import tomlkit

    return tomlkit.item(value).as_string()


def swept_values(values: dict[str, Any]) -> dict[str, Any]:
    """The values of the preset's space, without KerasTuner's ``tuner/…`` entries."""
    return {k: v for k, v in values.items() if not k.startswith(TUNER_PREFIX)}


def trial_preset(preset: "Preset", values: dict[str, Any]) -> "Preset":
    """The preset a trial trains: ``values`` applied, ``[sweep]`` dropped; errors name the swept key."""
    raw = preset.to_dict()
    raw.pop("sweep", None)
    file = str(preset.path) if preset.path else "<preset>"
    for key, value in swept_values(values).items():
        try:
            apply_override(raw, f"{key}={toml_literal(value)}", file=file)
        except SpecError as err:
            raise SpecError(f"{key} is not a key the preset can set: {err.message}", path=space_key_path(key)) from None
    try:
        trial = validate(raw, file=file)
        check_numbers(raw, file=file)
    except SpecError as err:
        where = ", ".join(f"{k} = {v!r}" for k, v in swept_values(values).items())
        raise SpecError(f"with {where}: {err.path + ': ' if err.path else ''}{err.message}",
                        path=space_key_path(next(iter(swept_values(values)), "?"))) from None
    trial.path, trial.source_text = preset.path, preset.source_text
    return trial
