"""Snapshot app: the Runs screen over a runs folder with fixed content (see runs_fixture)."""

from __future__ import annotations

import atexit
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:  # snap_compare loads this file by path
    sys.path.insert(0, str(ROOT))

from textual.app import App  # noqa: E402

from tests.ui.snapshot_apps.runs_fixture import write_runs  # noqa: E402
from tuitrain.ui.screens.runs import RunsScreen  # noqa: E402


class FixedRunsScreen(RunsScreen):
    """The Runs screen with its root named ``runs`` in the title (the real one is a temporary folder)."""

    def root_label(self) -> str:
        return "runs"


class RunsApp(App):
    """Only the Runs screen over ``runs_dir``."""

    def __init__(self, runs_dir: Path) -> None:
        super().__init__()
        self.runs_dir = runs_dir

    def on_mount(self) -> None:
        self.push_screen(FixedRunsScreen(runs_dir=self.runs_dir))


def build_app() -> RunsApp:
    root = tempfile.TemporaryDirectory(prefix="tuitrain-snapshot-")
    atexit.register(root.cleanup)
    write_runs(root.name)
    return RunsApp(Path(root.name))


app = build_app()

if __name__ == "__main__":
    app.run()
