"""Snapshot app: the Train pane showing a finished run with fixed content (see train_fixture)."""

from __future__ import annotations

import atexit
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:  # snap_compare loads this file by path
    sys.path.insert(0, str(ROOT))

from tests.ui.snapshot_apps.train_fixture import write_finished_run  # noqa: E402
from tuitrain.ui.app import TuitrainApp  # noqa: E402


def build_app() -> TuitrainApp:
    # Removed when the test process exits (the app reads the run until then), so no folder leaks.
    root = tempfile.TemporaryDirectory(prefix="tuitrain-snapshot-")
    atexit.register(root.cleanup)
    run_dir = write_finished_run(root.name)
    return TuitrainApp("spiral_mlp", run_dir=run_dir, pane="train", background=False)


app = build_app()

if __name__ == "__main__":
    app.run()
