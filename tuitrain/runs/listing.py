"""Where runs live and which ones there are."""

from __future__ import annotations

import os
from pathlib import Path

from tuitrain.runs.rundir import RunInfo
from tuitrain.common.errors import TuitrainError

RUNS_ENV = "TUITRAIN_RUNS"


def default_runs_dir(runs_dir: str | os.PathLike | None = None) -> Path:
    """``--runs-dir`` when given, then ``$TUITRAIN_RUNS``, then ``./runs``."""
    if runs_dir:
        return Path(runs_dir).expanduser()
    env = os.environ.get(RUNS_ENV)
    if env:
        return Path(env).expanduser()
    return Path("runs")


def _run_dirs(root: Path) -> list[Path]:
    """Run directories and TensorBoard log folders directly under ``root``."""
    from tuitrain.runs.kinds import is_run

    try:
        # is_run: a run.json that is a dangling or device symlink is listed as invalid, not hidden.
        return [p for p in root.iterdir() if p.is_dir() and is_run(p)]
    except FileNotFoundError:
        return []
    except NotADirectoryError:
        raise TuitrainError(f"{root}: not a directory; --runs-dir (or $TUITRAIN_RUNS) must name the folder that holds the runs.") from None


def list_runs(runs_dir: str | os.PathLike | None = None) -> list[RunInfo]:
    """Every run under the runs root, newest first (by start time, then name)."""
    infos = [_run_info(p) for p in _run_dirs(default_runs_dir(runs_dir))]
    infos.sort(key=lambda r: (r.started or 0.0, r.name), reverse=True)
    return infos


def _run_info(path: Path) -> RunInfo:
    """One run; a directory that cannot be read is listed as ``invalid`` with the reason, never hides the rest."""
    from tuitrain.runs.source import run_info

    try:
        return run_info(path)
    except Exception as err:  # noqa: BLE001 - one bad run must not break the list
        return RunInfo.invalid(path, f"cannot be read: {type(err).__name__}: {str(err)[:80]}")


def newest_run(runs_dir: str | os.PathLike | None = None) -> Path | None:
    """The newest run that can be read (``tuitrain attach`` with no argument)."""
    return next((r.path for r in list_runs(runs_dir) if r.valid), None)
