"""Fixtures for every test package: no trainer process outlives the test that started it."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import pytest

from tests import fuzzing  # noqa: F401 - registers the hypothesis profiles `ci` and `fuzz`
from tests.trainer.helpers import kill_trainer


@pytest.fixture
def reap() -> Iterator[Callable[[Path], Path]]:
    """``reap(run_dir)`` registers a run whose trainer is killed at teardown if a test failed midway."""
    runs: list[Path] = []

    def register(run_dir: Path) -> Path:
        runs.append(run_dir)
        return run_dir

    yield register
    for run_dir in runs:
        kill_trainer(run_dir)
