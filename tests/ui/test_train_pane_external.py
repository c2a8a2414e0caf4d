"""The Train pane at 80×24 on runs tuitrain's trainer did not write: a TensorBoard folder nobody
writes any more, a LiveRun script stopped inside an epoch, one that raised (issue #24, items 3, 4, 11, 12).

The runs are written with the same writers LiveRun uses (``EventWriter``, ``run.json`` records) and
event files byte by byte as ``tf.summary`` writes them, so no TensorFlow starts in the test.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

from textual.widgets import DataTable, ProgressBar

from tests.runs.hostile_tb import epoch_records, write_log
from tests.ui.test_train_pane import shown
from tests.ui.waiting import wait_for
from tuitrain.runs.events import EventWriter
from tuitrain.runs.layout import EVENTS_FILE
from tuitrain.runs.record import new_record, outcome_fields
from tuitrain.runs.rundir import write_run_json
from tuitrain.ui.app import TuitrainApp
from tuitrain.ui.panes.train.pane import TrainPane

SIZE = (80, 24)
STEPS = 4


def _finished_log_folder(root: Path) -> Path:
    """Four epochs of ``epoch_loss`` only (Keras' TensorBoard default), written by a process that has ended."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    name = f"events.out.tfevents.{int(time.time())}.{socket.gethostname()}.{int(done.stdout)}.0.v2"
    write_log(root / "tb", *epoch_records(range(1, 5)), name=name)
    return root / "tb"


def _script_run(root: Path, *, stop_after: tuple[int, int] | None = None, error: str | None = None) -> Path:
    """A LiveRun script's run of 30 planned epochs: epoch 1 whole, then stopped after batch
    ``stop_after[1]`` of epoch ``stop_after[0]`` (a partial epoch row), or failed with ``error``."""
    run_dir = root / "script-run"
    run_dir.mkdir(parents=True)
    writer = EventWriter(run_dir / EVENTS_FILE, flush_interval=3600.0, t0=0.0)
    writer.now = lambda: 1.0
    writer.status("running", epochs=30, steps_per_epoch=STEPS)
    losses = {1: 0.70, 2: 0.40}  # the partial epoch's mean is lower: it must not read as the best
    for epoch, batches in ((1, STEPS), stop_after or (2, 2)):
        for b in range(1, batches + 1):
            writer.batch((epoch - 1) * STEPS + b, epoch, {"loss": losses[epoch] + 0.01 * b}, 300.0)
        if epoch == 1 or stop_after:
            partial = {"partial": True, "batches": batches} if batches < STEPS else {}
            writer.epoch((epoch - 1) * STEPS + batches, epoch, {"loss": losses[epoch], "lr": 0.01, **partial},
                         samples_per_s=300.0, epochs=30, steps=STEPS)
    status = "failed" if error else "stopped"
    message = None if error else f"stopped after batch {stop_after[1]} of epoch {stop_after[0]}"
    writer.status(status, message=error or message)
    writer.close()
    write_run_json(run_dir, new_record(run_dir.name, "script", status="running", now=100.0, source="script",
                                       epochs_total=30)
                   | outcome_fields(status, error=error, message=message, events=None, epochs_done=1, best={"loss": 0.7}))
    return run_dir


def _screen_text(app: TuitrainApp) -> str:
    """What the terminal shows, as plain text (the SVG export's text runs, spaces restored)."""
    import html
    import re

    svg = app.export_screenshot()
    return " ".join(html.unescape(t).replace("\xa0", " ") for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg))


def _open(run_dir: Path) -> TuitrainApp:
    return TuitrainApp(None, run_dir=run_dir, pane="train", background=False)  # `tuitrain RUN` / `tuitrain attach RUN`


async def test_a_finished_tensorboard_folder_reads_finished_per_epoch_with_a_note(tmp_path):
    app = _open(_finished_log_folder(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one("#train-epochs", DataTable)
        await wait_for(pilot, lambda: table.row_count == 4, "all four epochs (the last not held back)")
        await wait_for(pilot, lambda: "finished" in shown(app, "#train-status"), "the folder to read finished")
        pane, chart = app.query_one(TrainPane), app.query_one(TrainPane).chart
        stats = shown(app, "#train-stats")
        assert "running" not in shown(app, "#train-status")
        assert "last write" in stats and "s ago" in stats
        assert "epoch 4" in stats and "?" not in stats
        assert not app.query_one("#train-progress", ProgressBar).display  # no "--%" bar without a total
        assert (chart.granularity, chart.x_axis) == ("epoch", "epoch")  # no batch rows: not every point at step 0
        drawn = str(chart.render())
        assert "per epoch" in drawn and "x epoch" in drawn
        assert [line.split() for line in drawn.splitlines() if line.strip().startswith("1 ")] == [["1", "2", "3", "4"]]
        assert shown(app, "#train-note").startswith("TensorBoard log folder — no preset to edit")
        assert not app.query_one("#error-panel").has_class("-shown")
        assert chart.size.height >= 10  # the error box used to leave the chart 3 rows
        assert pane.series.epochs_done == 4


async def test_a_script_stopped_inside_an_epoch_says_where_at_80x24(tmp_path):
    app = _open(_script_run(tmp_path, stop_after=(2, 3)))
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one("#train-epochs", DataTable)
        await wait_for(pilot, lambda: table.row_count == 2, "both epoch rows")
        await wait_for(pilot, lambda: "stopped" in shown(app, "#train-status"), "the stopped status")
        assert [table.get_row_at(i)[0] for i in range(2)] == ["1", "2 (3/4 batches)"]
        stats = shown(app, "#train-stats")
        assert "epoch 1/30 + 3/4 batches" in stats  # whole epochs, as `tuitrain runs` counts them ("1/30")
        assert "stopped after batch 3 of epoch 2" in stats
        assert "best loss 0.7↓ @ep1" in stats  # the partial epoch's lower mean is no epoch's value
        assert shown(app, "#train-note").startswith("LiveRun script run — no preset to edit")
        assert not app.query_one("#error-panel").has_class("-shown")
        await pilot.press("1")  # the other panes say why they are empty, in their own space
        await wait_for(pilot, lambda: "No data: LiveRun script run" in _screen_text(app), "the Data pane's note")
        assert "see the error above" not in _screen_text(app)
        app.query_one("#panes").active = "compile"
        await wait_for(pilot, lambda: "LiveRun script run — no preset to edit" in _screen_text(app), "the Compile pane's note")


async def test_a_script_that_raised_shows_the_recorded_exception(tmp_path):
    error = "ValueError: boom in batch 3 (train.py:42 in on_train_batch_end)"
    app = _open(_script_run(tmp_path, error=error))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "failed" in shown(app, "#train-status"), "the failed status")
        stats = shown(app, "#train-stats")
        assert "ValueError: boom in batch 3" in stats and "train.py:42" in stats
        assert "no error and no log" not in stats and "step 1" not in stats


async def test_the_epoch_axis_of_a_log_folder_is_not_kept_for_the_next_run(tmp_path):
    app = _open(_finished_log_folder(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        chart = app.query_one(TrainPane).chart
        await wait_for(pilot, lambda: chart.granularity == "epoch", "the log folder charted per epoch")
        app.run_dir = _script_run(tmp_path, stop_after=(2, 3))  # a run with batch rows, chosen on the runs list
        await wait_for(pilot, lambda: app.query_one("#train-epochs", DataTable).row_count == 2, "the script run")
        assert (chart.granularity, chart.x_axis) == ("batch", "step")
