"""Presets: TOML files that describe one training job completely.

The package is split by job: ``preset`` (the dataclass and key names), ``find`` (bundled
presets), ``load`` (parse + structural validation), ``overrides`` (``--set``), ``lines`` (key
path → line for messages), ``save`` (tomlkit merge, atomic write).  Nothing here imports
TensorFlow or the engine.  ``from tuitrain.preset import X`` is the public door.
"""

from tuitrain.preset.find import BUNDLED_PREFIX, DEFAULT_PRESET, PRESETS_DIR, bundled_presets, find_preset, shadow_note
from tuitrain.preset.lines import format_key_path, line_of, split_key_path, with_line
from tuitrain.preset.load import load_preset, parse_preset, validate
from tuitrain.preset.overrides import apply_override, parse_override_value
from tuitrain.preset.schema import COMPILE_KEYS, ENGINE_FIT_KEYS, FIT_KEYS, TOP_LEVEL_KEYS, Preset, layer_inputs
from tuitrain.preset.save import dumps_preset, save_preset

__all__ = [
    "COMPILE_KEYS",
    "DEFAULT_PRESET",
    "ENGINE_FIT_KEYS",
    "FIT_KEYS",
    "PRESETS_DIR",
    "TOP_LEVEL_KEYS",
    "Preset",
    "apply_override",
    "bundled_presets",
    "dumps_preset",
    "find_preset",
    "shadow_note",
    "BUNDLED_PREFIX",
    "format_key_path",
    "layer_inputs",
    "line_of",
    "load_preset",
    "parse_override_value",
    "parse_preset",
    "save_preset",
    "split_key_path",
    "validate",
    "with_line",
]
