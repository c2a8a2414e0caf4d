"""The app on runs it did not start: a stock Keras script with LiveRun, a TensorBoard folder, both live.

Each writer is a real process that waits at a gate after a few epochs, so the test sees the app
follow a run that is provably still being written; then the gate opens and the app follows it
to the end. Also: the runs list's settings columns and the app's ``--set`` overrides.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.ui.test_train_pane import finished_runs, open_runs, shown  # noqa: F401 - the shared fixture
from tests.ui.waiting import wait_for
from tuitrain.ui.app import TuitrainApp
from tuitrain.ui.panes.train.pane import TrainPane

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def _start(script: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(SCRIPTS / script), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True)


def _wait_path(find, proc: subprocess.Popen, timeout: float = 120.0) -> Path:
    deadline = time.monotonic() + timeout
    while (found := find()) is None:
        if proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"the writer never made its folder:\n{proc.stdout.read() if proc.stdout else ''}")
        time.sleep(0.05)
    return found


@pytest.fixture
def writer():
    procs: list[subprocess.Popen] = []
    yield lambda script, *args: procs.append(_start(script, *args)) or procs[-1]
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


async def _watch_live(run_dir: Path, gate: Path, proc: subprocess.Popen, epochs: int, live_at_least: int,
                      *, says_finished: bool) -> TuitrainApp:
    """``says_finished``: the run's status turns ``finished`` (a log folder's once its writer process is gone)."""
    app = TuitrainApp(None, run_dir=run_dir, pane="train", background=False)  # what `tuitrain attach DIR` opens
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(TrainPane)
        table = app.query_one("#train-epochs")
        await wait_for(pilot, lambda: table.row_count >= live_at_least, f"{live_at_least} epochs while the writer waits")
        # the status reaches the app as a message: it may trail the rows of the same look by a refresh
        await wait_for(pilot, lambda: app.run_status == "running", "the app to hear the run is running")
        assert proc.poll() is None
        assert "no preset to edit" in (app.notice or "") and app.preset_error is None
        assert not app.query_one("#error-panel").has_class("-shown")  # a one-line note, not the error box
        assert app.notice in shown(app, "#train-note")
        gate.touch()
        await wait_for(pilot, lambda: table.row_count == epochs, f"all {epochs} epochs")
        assert proc.wait(timeout=120) == 0
        if says_finished:
            await wait_for(pilot, lambda: app.run_status == "finished", "the run to say finished")
        assert "loss" in pane.series.metric_keys("epoch") and "val_loss" in pane.series.metric_keys("epoch")
    return app


async def test_attach_follows_a_stock_keras_script_with_liverun(tmp_path, writer):
    runs, gate = tmp_path / "runs", tmp_path / "gate"
    proc = writer("stock_keras.py", str(runs), str(gate), "4")
    run_dir = _wait_path(lambda: next((p for p in runs.glob("stock-*") if (p / "run.json").is_file()), None)
                         if runs.is_dir() else None, proc)
    await _watch_live(run_dir, gate, proc, epochs=4, live_at_least=2, says_finished=True)


async def test_attach_follows_a_tensorboard_folder_another_process_writes(tmp_path, writer):
    from tuitrain.runs.tensorboard import is_tensorboard_dir

    logdir, gate = tmp_path / "tensorboard-logs", tmp_path / "gate"
    proc = writer("tensorboard_writer.py", str(logdir), str(gate), "8", "6")
    _wait_path(lambda: logdir if is_tensorboard_dir(logdir) else None, proc)
    await _watch_live(logdir, gate, proc, epochs=8, live_at_least=2, says_finished=True)


async def test_runs_list_shows_chosen_settings_as_columns(finished_runs, monkeypatch, open_app):  # noqa: F811
    root, runs = finished_runs
    monkeypatch.setenv("TUITRAIN_RUNS", str(root))
    async with open_app("spiral_mlp", pane="train", background=False, size=(140, 40)) as (app, pilot):
        screen = await open_runs(app, pilot)
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("tab", *"compile.optimizer.learning_rate", "enter")  # a key typed below the checklist
        await wait_for(pilot, lambda: screen.columns == ["compile.optimizer.learning_rate"], "the column chosen")
        table = screen.query_one("#runs-table")
        values = {str(table.get_cell(str(r), "setting:compile.optimizer.learning_rate")) for r in runs}
        assert values == {"0.01", "0.05"}


async def test_the_app_applies_set_overrides_as_unsaved_changes(open_app):
    async with open_app("spiral_mlp", overrides=["fit.epochs=300", "layers.0.units=8"], background=False, size=(120, 40)) as (app, _):
        assert app.preset.fit["epochs"] == 300 and app.preset.layers[0]["units"] == 8
        assert app.modified
