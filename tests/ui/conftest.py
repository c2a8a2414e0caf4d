"""Shared UI test fixtures (waiting helpers live in tests/ui/waiting.py)."""

from __future__ import annotations

import shutil
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from tuitrain.preset import PRESETS_DIR


@pytest.fixture(autouse=True)
def steady_input_cursor(monkeypatch):
    """Keep a focused Input's cursor shown instead of blinking every 0.5 s.

    A snapshot taken on a loaded machine otherwise lands on either phase of the blink
    (seen: the layer-form snapshot failed 3 times in 6 runs, always on the cursor cell).
    """
    from textual.widgets import Input

    def cursor_stays_visible(self) -> None:
        self._cursor_visible = True

    monkeypatch.setattr(Input, "_toggle_cursor", cursor_stays_visible)


@pytest.fixture
def quick_rebuilds(monkeypatch):
    """The model-build debounce is for typing humans; tests press keys in bursts and then wait anyway.

    Used by the pane tests with ``pytestmark = pytest.mark.usefixtures("quick_rebuilds")``.
    """
    monkeypatch.setattr("tuitrain.ui.background.BUILD_DEBOUNCE_S", 0.02)


@pytest.fixture
def spiral_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled spiral_mlp preset (with its comments)."""
    target = tmp_path / "spiral.toml"
    shutil.copy(PRESETS_DIR / "spiral_mlp.toml", target)
    return target


@pytest.fixture
def open_app():
    """The one app set-up of the Pilot tests: ``async with open_app("spiral_mlp", pane="layers") as (app, pilot):``.

    Arguments go to ``TuitrainApp`` as they are; ``size`` is the terminal (80×24 unless given, the
    size every screen must work at); ``message_hook`` sees every message posted (``seen.append``).  Waiting is left to the test (``wait_ready``, ``wait_for``),
    since what a test may look at before the app is ready differs.
    """
    from tuitrain.ui.app import TuitrainApp

    @asynccontextmanager
    async def run(*args, size: tuple[int, int] = (80, 24), message_hook=None, **kwargs):
        app = TuitrainApp(*args, **kwargs)
        async with app.run_test(size=size, message_hook=message_hook) as pilot:
            yield app, pilot

    return run
