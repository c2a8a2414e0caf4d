"""Fixtures and helpers for every test package: one way to write a preset file, one way to wait for
a run to end, and no trainer process outliving the test that started it."""

from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from tests import fuzzing  # noqa: F401 - registers the hypothesis profiles `ci` and `fuzz`
from tests.tiny_preset import TINY
from tests.trainer.helpers import DEADLINE_S, kill_trainer

# GNU readline (imported by pytest through pdb) puts COLUMNS/LINES into the process's C environment, behind
# os.environ's back, and every subprocess would inherit them: a command whose output goes to a pipe would then
# fit it to 80 columns. Tests start subprocesses with the environment pytest was given.
for _name in ("COLUMNS", "LINES"):
    if _name not in os.environ:
        os.unsetenv(_name)


def write_preset(directory: Path, preset: str | dict[str, Any] = TINY, name: str = "p.toml", /,
                 **arrays: Any) -> Path:
    """Write ``preset`` (TOML text, dedented, or a dict; default the tiny spiral preset) to
    ``directory/name``; arrays given by name go to ``directory/d.npz`` beside it (``file:d.npz``)."""
    import numpy as np
    import tomlkit

    if arrays:
        np.savez(directory / "d.npz", **arrays)
    text = tomlkit.dumps(preset) if isinstance(preset, dict) else textwrap.dedent(preset)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def wait_final(run_dir: Path, deadline_s: float = DEADLINE_S) -> str:
    """Poll ``run_dir`` until its status is final (finished, stopped, failed, crashed); that status.
    On timeout the error names the last status and the tail of the trainer's log."""
    from tuitrain.runs.reader import RunReader
    from tuitrain.runs.rundir import FINAL

    reader = RunReader(run_dir)
    end = time.monotonic() + deadline_s
    while (status := reader.status().get("status")) not in FINAL:
        if time.monotonic() > end:
            raise AssertionError(f"{run_dir.name} still {status} after {deadline_s:.0f} s; log tail:\n"
                                 + "\n".join(reader.log_tail(15)))
        time.sleep(0.05)
    return status


@pytest.fixture
def preset_file(tmp_path: Path) -> Callable[..., Path]:
    """``preset_file(text_or_dict=TINY, name="p.toml", **arrays)``: a preset written into ``tmp_path``."""
    return lambda *args, **arrays: write_preset(tmp_path, *args, **arrays)


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
