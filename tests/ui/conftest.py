"""Shared UI test helpers: wait until the app has TensorFlow, data and a built model."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tuitrain.spec import PRESETS_DIR


async def wait_ready(pilot, *, model: bool = True, rounds: int = 400) -> None:
    """Let the workers finish: TensorFlow imported, data loaded, the model built (when ``model``)."""
    app = pilot.app
    for _ in range(rounds):
        await app.workers.wait_for_complete()
        await pilot.pause(0.05)
        done = app.tf_ready and (app.dataset is not None or app.load_error)
        if model:
            done = done and (app.build_report is not None or app.load_error)
        if done and not app.busy:
            break
    await app.workers.wait_for_complete()
    await pilot.pause()


@pytest.fixture
def spiral_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled spiral_mlp preset (with its comments)."""
    target = tmp_path / "spiral.toml"
    shutil.copy(PRESETS_DIR / "spiral_mlp.toml", target)
    return target
