"""What the Runs and Sweep screens answer when dismissed: in a module of its own, so the Runs screen
can open the Sweep screen without the two importing each other."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class WatchRun:
    """The Runs or Sweep screen's answer: show this run in the Train pane."""

    run_dir: Path
