"""What a path is (a run directory, a TensorBoard log folder), told from names alone.

The command line asks this before the app's first frame, so this module imports nothing
heavy: no numpy, no event decoder, no TFRecord reader (``runs.compare`` pulls ~200 modules).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["RUN_JSON", "EVENT_FILE_MARK", "is_run", "is_tensorboard_dir", "event_files", "find_event_files"]

RUN_JSON = "run.json"  # a tuitrain run directory's marker (also runs.rundir.RUN_JSON)
EVENT_FILE_MARK = "tfevents"  # in every TensorBoard event file's name


def event_files(folder: Path) -> list[Path]:
    """TensorBoard event files directly in ``folder``, sorted (none when it cannot be listed)."""
    try:
        return sorted(p for p in folder.iterdir() if EVENT_FILE_MARK in p.name and p.is_file())
    except OSError:
        return []


def find_event_files(logdir: str | os.PathLike) -> dict[str, list[Path]]:
    """Event files of a log folder by subfolder (``""`` = the folder itself), one level deep."""
    root = Path(logdir)
    found: dict[str, list[Path]] = {}
    own = event_files(root)
    if own:
        found[""] = own
    try:
        subdirs = sorted(p for p in root.iterdir() if p.is_dir())
    except OSError:
        subdirs = []
    for sub in subdirs:
        files = event_files(sub)
        if files:
            found[sub.name] = files
    return found


def is_tensorboard_dir(path: str | os.PathLike) -> bool:
    """A folder with TensorBoard event files (in it or one level down) that is not a tuitrain run."""
    path = Path(path)
    return path.is_dir() and not (path / RUN_JSON).is_file() and bool(find_event_files(path))


def is_run(path: str | os.PathLike) -> bool:
    """A run directory (run.json) or a TensorBoard log folder."""
    path = Path(path)
    return (path / RUN_JSON).is_file() or is_tensorboard_dir(path)
