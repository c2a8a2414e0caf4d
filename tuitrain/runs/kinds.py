"""What a path is (a run directory, a TensorBoard log folder), told from names alone.

The command line asks this before the app's first frame, so this module imports nothing
heavy: no numpy, no event decoder, no TFRecord reader (``runs.compare`` pulls ~200 modules).
"""

from __future__ import annotations

import os
from pathlib import Path

from tuitrain.runs.layout import EVENTS_FILE, RUN_JSON

__all__ = ["EVENT_FILE_MARK", "is_run", "is_run_dir", "is_tensorboard_dir", "event_files", "find_event_files"]

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


def is_run_dir(path: str | os.PathLike) -> bool:
    """A tuitrain run directory (``run.json``, even a damaged one, or events already written)."""
    path = Path(path)
    return os.path.lexists(path / RUN_JSON) or (path / EVENTS_FILE).is_file()


def is_run(path: str | os.PathLike) -> bool:
    """A run directory or a TensorBoard log folder."""
    return is_run_dir(path) or is_tensorboard_dir(path)
