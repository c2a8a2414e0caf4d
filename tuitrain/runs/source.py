"""Any run, whatever wrote it: one ``RunSource`` interface and one ``open_run(path)`` that picks the reader.

A run is a tuitrain run directory (the trainer's, or ``LiveRun``'s in a user's script: it has
``run.json`` or ``events.jsonl``) or a TensorBoard log folder. Everything that opens a path as a run
(the app, ``tuitrain metrics``/``diff``/``runs``, the runs screen) asks here, so they agree on what a
folder is.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Protocol

from tuitrain.common.errors import TuitrainError
from tuitrain.runs.layout import RUN_JSON
from tuitrain.runs.reader import RunReader
from tuitrain.runs.rundir import RunInfo
from tuitrain.runs.kinds import is_run, is_run_dir  # noqa: F401 - re-exported; light: the CLI asks before the first frame
from tuitrain.runs.tensorboard import TensorBoardReader, tensorboard_run_info


class RunSource(Protocol):
    """What the readers of a run directory and of a TensorBoard folder share."""

    run_dir: Path

    def poll(self) -> list[dict[str, Any]]:
        """The events logged since the last call, long keys (``kind``, ``step``, metric names)."""
        ...

    def status(self) -> dict[str, Any]:
        """What ``run.json`` says (status, times, best values), as far as the source knows it."""
        ...

    def log_tail(self, n: int = 20) -> list[str]:
        """The last lines of the run's own log (empty when it has none)."""
        ...

    def run_info(self) -> RunInfo:
        """One row of ``tuitrain runs``."""
        ...


def check_run(path: str | os.PathLike) -> Path:
    """``path`` when it is a run; otherwise an error that says what a run folder holds."""
    path = Path(path)
    if not path.exists():
        raise TuitrainError(f"{path}: no such run directory or TensorBoard log folder.")
    if not is_run(path):
        raise TuitrainError(f"{path}: neither a run directory (no {RUN_JSON}) nor a TensorBoard log folder "
                            "(no events.out.tfevents.* files in it or in its subfolders).")
    return path


def open_run(path: str | os.PathLike, *, settle_s: float | None = None) -> RunSource:
    """The reader for a run directory or a TensorBoard log folder (``settle_s=0`` reads a TensorBoard
    folder to its end at once, for exports; the default holds back rows a writer may still complete)."""
    path = Path(path)
    if is_run_dir(path):
        return RunReader(path)
    return TensorBoardReader(path) if settle_s is None else TensorBoardReader(path, settle_s=settle_s)


def run_info(path: str | os.PathLike) -> RunInfo:
    """A run's row for ``tuitrain runs`` and the runs screen."""
    path = Path(path)
    return RunInfo.from_dir(path) if is_run_dir(path) else tensorboard_run_info(path)


def run_origin(path: str | os.PathLike) -> str:
    """What wrote a run: ``"tensorboard"`` (a log folder), ``"script"`` (``LiveRun`` in a user's script)
    or ``"trainer"`` (tuitrain's own trainer, with the preset it used)."""
    path = Path(path)
    if not is_run_dir(path):
        return "tensorboard"
    from tuitrain.runs.rundir import load_run_json

    info, _ = load_run_json(path)
    return "script" if info.get("source") == "script" else "trainer"
