"""Shared by the real-model tests: a preset text and its data arrays written to a folder, then loaded.

The presets of these tests read their arrays from ``source = "file:d.npz"`` next to the preset file,
so each test only states the model's text and the per-sample shapes of its data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.conftest import write_preset
from tuitrain.preset import Preset, load_preset


def preset_at(directory: Path, text: str, file: str = "p.toml", /, **arrays: np.ndarray) -> Preset:
    """Save ``arrays`` (if any) to ``directory/d.npz``, the dedented ``text`` to ``directory/file``,
    and load that preset; any array name is allowed, as the other arguments are positional."""
    return load_preset(write_preset(directory, text, file, **arrays))
