"""Run names as ``tuitrain runs`` prints them: the one resolver every command taking a RUN uses.

A RUN argument is a path, or a run's name under the runs root (``--runs-dir``, ``$TUITRAIN_RUNS``
or ``./runs``) exactly as ``tuitrain runs`` prints it (a sweep's trials one folder down included),
or a unique start of one (``spiral_mlp-2026``), or a long name as the table shortens it, ``…`` in place
of its middle (``transfer_…-20261205-113000``). An unknown name is an error that names the root and the closest names.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from tuitrain.common.errors import TuitrainError
from tuitrain.common.safetext import clean_line
from tuitrain.common.suggest import did_you_mean
from tuitrain.runs.kinds import is_run
from tuitrain.runs.listing import default_runs_dir

# Folders looked at under the runs root (and in each sweep folder): a bound on what a lookup reads.
MAX_ENTRIES = 20_000
ELLIPSIS = "…"

Accept = Callable[[Path], bool]


class AmbiguousRun(TuitrainError):
    """The name is the start of several runs' names."""


def _subdirs(folder: Path) -> list[Path]:
    try:
        out = []
        for entry in os.scandir(folder):
            if len(out) >= MAX_ENTRIES:
                break
            if entry.is_dir():
                out.append(Path(entry.path))
        return out
    except OSError:
        return []


def run_names(root: Path, accept: Accept = is_run) -> dict[str, Path]:
    """Every run under ``root`` by the name ``tuitrain runs`` prints: the runs in it, and the runs one
    folder down (a sweep's trials), top-level names first when a trial shares one."""
    found: dict[str, Path] = {}
    nested: list[Path] = []
    for folder in sorted(_subdirs(root)):
        if accept(folder):
            found.setdefault(clean_line(folder.name), folder)
        if not is_run(folder):  # a sweep folder (or any folder of runs): its trials
            nested.extend(p for p in sorted(_subdirs(folder)) if accept(p))
    for folder in nested:
        found.setdefault(clean_line(folder.name), folder)
    return found


def _matches(text: str, name: str) -> bool:
    """``text`` is the start of ``name``, or the name as the runs table shortened it: ``START…END``
    (``transfer_…-20261205-113000``, ``spiral_mlp-2026…``, ``…mlp-20261205-101500``)."""
    start, dots, end = text.partition(ELLIPSIS)
    if not dots:
        return bool(text) and name.startswith(text)
    return bool(start or end) and len(name) > len(start) + len(end) and name.startswith(start) and name.endswith(end)


def resolve_run(text: str, runs_dir: str | os.PathLike | None = None, *, accept: Accept = is_run) -> Path:
    """The run ``text`` names: an existing run path, else a name or unique prefix under the runs root.

    A path that exists but is no run is returned as it is, so the caller's check says what it lacks;
    an unknown name raises with "did you mean" (up to 3 close names)."""
    path = Path(text).expanduser()
    if path.exists() and accept(path):
        return path
    if os.sep in text or (os.altsep and os.altsep in text) or path.exists():
        return path  # a path: the caller says why it is no run
    root = default_runs_dir(runs_dir)
    if text == clean_line(text) and accept(root / text):  # the usual case: an exact name, no scan
        return root / text
    names = run_names(root, accept)
    if text in names:
        return names[text]
    hits = sorted(name for name in names if _matches(text, name))
    if len(hits) == 1:
        return names[hits[0]]
    shown = clean_line(text)
    if hits:
        listed = ", ".join(hits[:5]) + (f" and {len(hits) - 5} more" if len(hits) > 5 else "")
        raise AmbiguousRun(f"'{shown}' is the start of {len(hits)} runs under {root}: {listed}. Give more of the name.")
    hint = did_you_mean(text, names)
    listing = "" if names else " (there are none; start one with `tuitrain train PRESET`)"
    raise TuitrainError(f"no run named '{shown}' under {root}{listing}.{hint} `tuitrain runs` lists the names; "
                        "a path to a run directory or TensorBoard log folder works too.")
