"""Snapshot app: the app over a runs folder with one fixed finished run (``?`` is pressed on its Runs screen)."""

from __future__ import annotations

import atexit
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:  # snap_compare loads this file by path
    sys.path.insert(0, str(ROOT))

from tests.ui.snapshot_apps.train_fixture import write_finished_run  # noqa: E402
from tuitrain.ui.app import TuitrainApp  # noqa: E402


# The Runs screen's title names its folder: a fixed name, so the snapshot is the same on every run.
RUNS = Path(tempfile.gettempdir()) / "tuitrain-snapshot-runs-help"


def build_app() -> TuitrainApp:
    shutil.rmtree(RUNS, ignore_errors=True)
    atexit.register(shutil.rmtree, RUNS, True)
    write_finished_run(RUNS)
    return TuitrainApp("spiral_mlp", background=False, runs_dir=RUNS)


app = build_app()
