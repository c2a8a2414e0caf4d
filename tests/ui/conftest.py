"""Shared UI test fixtures (waiting helpers live in tests/ui/waiting.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tuitrain.spec import PRESETS_DIR


@pytest.fixture
def spiral_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled spiral_mlp preset (with its comments)."""
    target = tmp_path / "spiral.toml"
    shutil.copy(PRESETS_DIR / "spiral_mlp.toml", target)
    return target
