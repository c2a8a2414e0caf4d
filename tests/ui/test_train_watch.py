"""The Train pane on long runs: a big file loads in a worker with a progress line, a finished run
is looked at rarely, and nothing is read while the pane is hidden."""

from __future__ import annotations

import shutil
import time

import pytest

from tuitrain.runs.events import EventWriter
from tuitrain.runs.rundir import write_run_json
from tuitrain.preset import find_preset
from tuitrain.ui.series import feed as feed_module
from tuitrain.ui.app import TuitrainApp
from tuitrain.ui.panes.train import pane as train_module
from tuitrain.ui.panes.train.pane import TrainPane

ROWS = 6000


async def wait_for(pilot, condition, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause(0.02)


@pytest.fixture
def long_run(tmp_path):
    run = tmp_path / "spiral_mlp-20260101-000000"
    run.mkdir()
    shutil.copy(find_preset("spiral_mlp"), run / "preset.toml")
    writer = EventWriter(run / "events.jsonl", flush_interval=3600)
    writer.status("running", epochs=3, steps_per_epoch=ROWS // 3)
    for step in range(1, ROWS + 1):
        writer.batch(step, 1 + (step - 1) * 3 // ROWS, {"loss": 1.0 / step, "accuracy": step / ROWS}, 100.0)
        if step % (ROWS // 3) == 0:
            writer.epoch(step, step * 3 // ROWS, {"loss": 1.0 / step, "val_loss": 2.0 / step}, samples_per_s=100.0,
                         epochs=3, steps=ROWS // 3)
    writer.status("finished")
    writer.close()
    write_run_json(run, {"status": "finished", "started": 1.0, "ended": 100.0, "preset_name": "spiral_mlp",
                         "epochs_total": 3, "epochs_done": 3})
    return run


async def test_a_long_run_loads_in_a_worker_with_progress_then_polls_rarely(long_run, monkeypatch):
    shutil.rmtree(long_run / "columns")  # a run from before the binary columns: the JSON, chunk by chunk
    monkeypatch.setattr(feed_module, "FEED_CHUNK", 20_000)  # ~350 rows a chunk: many steps
    monkeypatch.setattr(train_module, "SMALL_READ", 10_000)
    applied = []
    real_apply = TrainPane._apply_loaded
    monkeypatch.setattr(TrainPane, "_apply_loaded", lambda self, feed, parts: (
        applied.append((len(self.series.batch), self.query_one("#train-stats").render().plain)),
        real_apply(self, feed, parts)))
    app = TuitrainApp(long_run / "preset.toml", run_dir=long_run, pane="train", background=False)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(TrainPane)
        await wait_for(pilot, lambda: len(pane.series.batch) == ROWS and not pane._loading(), "the whole run")
        assert len(applied) > 5
        rows_before, stats_before = applied[len(applied) // 2]
        assert 0 < rows_before < ROWS and "reading events.jsonl" in stats_before  # a progress line meanwhile
        await wait_for(pilot, lambda: "step 6000/6000" in pane.query_one("#train-stats").render().plain, "the end")
        assert "reading events.jsonl" not in pane.query_one("#train-stats").render().plain
        assert "finished" in pane.query_one("#train-status").render().plain
        assert pane.backoff.interval == pane.backoff.ended  # a finished run: looked at every 10 s
        assert pane.chart.renders >= 1


async def test_a_run_with_columns_shows_every_row_and_epoch_without_the_json(long_run, monkeypatch):
    from tuitrain.runs.decode import EventDecoder

    decoded = []
    real = EventDecoder.decode_chunk
    monkeypatch.setattr(EventDecoder, "decode_chunk", lambda self, chunk: decoded.append(len(chunk)) or real(self, chunk))
    app = TuitrainApp(long_run / "preset.toml", run_dir=long_run, pane="train", background=False)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(TrainPane)
        await wait_for(pilot, lambda: "step 6000/6000" in pane.query_one("#train-stats").render().plain, "the end")
        x, y = pane.series.curve("batch", "loss")
        assert x.tolist() == list(range(1, ROWS + 1)) and abs(y[-1] - 1 / ROWS) < 1e-7
        assert pane.series.epoch.get("val_loss").tolist() == pytest.approx([2 / 2000, 2 / 4000, 2 / 6000], rel=1e-6)
        assert "finished" in pane.query_one("#train-status").render().plain
    assert sum(decoded) < 2000  # only columns/other.jsonl's few lines were JSON (the file has 6,000 rows)


async def test_nothing_is_polled_while_the_train_pane_is_hidden(long_run):
    app = TuitrainApp(long_run / "preset.toml", run_dir=long_run, pane="train", background=False)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(TrainPane)
        # the load worker's last step polls once more: wait until it is done, not only for the rows
        # (a run with columns is read by the poll itself: wait until a poll found nothing new and settled)
        await wait_for(pilot, lambda: len(pane.series.batch) == ROWS and not pane._loading()
                       and pane._poll_timer is not None and pane.backoff.interval == pane.backoff.ended, "the run")
        polls = pane._polls
        await pilot.press("1")  # the Data pane
        await wait_for(pilot, lambda: pane._poll_timer is None, "the poll timer to stop")
        assert pane._polls == polls
        await pilot.press("4")
        await wait_for(pilot, lambda: pane._polls > polls and pane._poll_timer is not None, "a poll on showing")


async def test_a_new_smoothing_of_a_long_run_is_computed_off_the_event_loop(long_run, monkeypatch):
    from tuitrain.ui.series import curves as curves_module
    from tuitrain.ui.series import run_series as series_module

    monkeypatch.setattr(curves_module, "PREPARE_AT", 1000)  # 6,000 rows count as long here
    prepared = []
    real = series_module.RunSeries.prepare
    monkeypatch.setattr(series_module.RunSeries, "prepare",
                        lambda self, *a: prepared.append(a) or real(self, *a))
    app = TuitrainApp(long_run / "preset.toml", run_dir=long_run, pane="train", background=False)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(TrainPane)
        await wait_for(pilot, lambda: len(pane.series.batch) == ROWS and not pane._loading(), "the run")
        chart = pane.chart
        chart.smoothing = 0.95
        await wait_for(pilot, lambda: ("batch", "loss", 0.95) in prepared and chart._preparing is None, "the worker")
        await pilot.pause()
        assert "ema .95" in chart.render().plain  # drawn smoothed once ready
        x, y = pane.series.curve("batch", "loss", smoothing=0.95)
        assert len(y) == ROWS and pane.series.ready("batch", "loss", 0.95)


def test_log_axis_ticks_read_as_numbers():
    import math

    from tuitrain.ui.widgets.chart.ticks import log_ticks

    _, labels = log_ticks(math.log10(1.1e-8), math.log10(2.0), 5)
    assert labels == ["1e-07", "1e-05", "0.001", "0.1"]  # every other decade inside the range
    _, labels = log_ticks(math.log10(1.1e-8), math.log10(1.3e-8), 5)
    assert labels and all("e-08" in label for label in labels)
    assert "0.000000" not in "".join(labels)


async def test_a_write_to_a_live_runs_events_wakes_the_pane_before_the_timer(tmp_path):
    """The pane's timer is pushed a minute out; a new batch still shows within seconds (the watcher)."""
    from tests.ui.waiting import wait_ready
    from tuitrain.ui.series.feed import Backoff

    run = tmp_path / "spiral_mlp-20260101-000001"
    run.mkdir()
    shutil.copy(find_preset("spiral_mlp"), run / "preset.toml")
    writer = EventWriter(run / "events.jsonl", flush_interval=3600)
    writer.status("running", epochs=1, steps_per_epoch=100)
    writer.batch(1, 1, {"loss": 1.0}, 100.0)
    writer.flush()
    write_run_json(run, {"status": "running", "started": 1.0, "preset_name": "spiral_mlp", "epochs_total": 1})
    app = TuitrainApp(run / "preset.toml", run_dir=run, pane="train", background=False)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(TrainPane)
        await wait_for(pilot, lambda: len(pane.series.batch) == 1, "the first batch")
        pane.backoff = Backoff(fast=60.0, slow=60.0, ended=60.0)
        pane._schedule(60.0)  # only a wake can read the next batch within the test's time
        started = time.monotonic()
        writer.batch(2, 1, {"loss": 0.5}, 100.0)
        writer.flush()
        await wait_for(pilot, lambda: len(pane.series.batch) == 2, "the woken read", timeout=20.0)
        assert time.monotonic() - started < 20.0 and pane._last_wake > 0
        assert pane.series.batch.get("loss")[-1] == pytest.approx(0.5)
        await wait_ready(pilot)  # the other panes finish mounting before the app closes
    writer.close()
