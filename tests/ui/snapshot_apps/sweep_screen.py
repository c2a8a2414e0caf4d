"""Snapshot app: the Sweep screen over a sweep directory with fixed content (see sweep_fixture)."""

from __future__ import annotations

import atexit
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:  # snap_compare loads this file by path
    sys.path.insert(0, str(ROOT))

from textual.app import App  # noqa: E402

from tests.ui.snapshot_apps.sweep_fixture import write_sweep  # noqa: E402
from tuitrain.ui.screens.sweep import SweepScreen  # noqa: E402


class SweepApp(App):
    """Only the Sweep screen, not polling (the snapshot is taken of what it read once)."""

    def __init__(self, sweep_dir: Path) -> None:
        super().__init__()
        self.sweep_dir = sweep_dir

    def on_mount(self) -> None:
        self.push_screen(SweepScreen(self.sweep_dir, poll_s=0))


def build_app() -> SweepApp:
    root = tempfile.TemporaryDirectory(prefix="tuitrain-snapshot-")
    atexit.register(root.cleanup)
    return SweepApp(write_sweep(root.name))


app = build_app()

if __name__ == "__main__":
    app.run()
