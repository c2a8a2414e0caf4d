"""Snapshot app: two finished runs with fixed content under a runs root (see train_fixture); the
test opens the Runs screen, marks both and looks at their overlaid chart."""

from __future__ import annotations

import atexit
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:  # snap_compare loads this file by path
    sys.path.insert(0, str(ROOT))

from tests.ui.snapshot_apps.train_fixture import write_compare_runs  # noqa: E402
from tuitrain.ui.app import TuitrainApp  # noqa: E402


def build_app() -> TuitrainApp:
    root = tempfile.TemporaryDirectory(prefix="tuitrain-snapshot-")
    atexit.register(root.cleanup)
    write_compare_runs(root.name)
    return TuitrainApp("spiral_mlp", pane="train", background=False, runs_dir=root.name)


app = build_app()

if __name__ == "__main__":
    app.run()
