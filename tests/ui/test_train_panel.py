"""The Train pane's side panel words, read straight from a run's series (no app needed)."""

import pytest

from tuitrain.runs.decode import SkipLog
from tuitrain.ui.panes.train.panel import describe_run, epoch_cells, epoch_column_label, idle_text
from tuitrain.ui.series.run_series import RunSeries


def _series(epochs_done: int, epochs=4, steps=10, seconds_per_step=0.5):
    """A run of ``epochs`` epochs of ``steps`` batches, ``epochs_done`` of them logged."""
    events = [{"kind": "status", "status": "running", "epochs": epochs, "steps_per_epoch": steps}]
    step = 0
    for e in range(1, epochs_done + 1):
        for _ in range(steps):
            step += 1
            events.append({"kind": "batch", "step": step, "epoch": e, "time": step * seconds_per_step,
                           "loss": 1.0 / step, "samples_per_s": 64.0})
        events.append({"kind": "epoch", "step": step, "epoch": e, "time": step * seconds_per_step,
                       "loss": 1.0 / step, "val_loss": 1.5 / step + (0.5 if e == epochs_done else 0.0),
                       "lr": 0.001, "samples_per_s": 128.0})
    series = RunSeries()
    series.extend(events)
    return series


def test_a_running_run_shows_progress_eta_rate_and_best():
    series = _series(epochs_done=2)  # 20 of 40 steps, 5 s per epoch
    panel = describe_run(series, {"status": "running"}, "running", "run-1")
    assert panel.status.plain == "● running  run-1"
    lines = panel.stats.plain.splitlines()
    assert lines[0] == "epoch 2/4 · step 20/40"
    assert lines[1] == "ETA 0:10 · 128 samples/s"  # two epochs left at the pace between epoch ends
    assert lines[2] == "best val_loss 0.15↓ @ep1"  # 1.5/10 in epoch 1; epoch 2 got worse
    assert lines[3] == "lr 0.001 · 0:10 elapsed"
    assert "quitting leaves the run going" in lines[-1]
    assert panel.progress == (40, 20) and panel.placeholder == ""


def test_eta_after_one_epoch_leaves_out_the_first_batch():
    series = _series(epochs_done=1, seconds_per_step=1.0)  # first batch ends at 1 s, the epoch at 10 s
    panel = describe_run(series, {}, "running", "run-1")
    # 9 s for 9 batches after the first: 10 s an epoch, three epochs to go
    assert "ETA 0:30" in panel.stats.plain


def test_a_run_that_failed_before_its_first_batch_says_why_on_the_chart():
    series = RunSeries()
    series.extend([{"kind": "status", "status": "failed", "message": "bad shape", "epochs": 3}])
    panel = describe_run(series, {"status": "failed", "error": "ValueError: bad shape"}, "failed", "run-2")
    assert panel.placeholder == "the run failed before its first batch:\n\nValueError: bad shape"
    assert panel.stats.plain.splitlines()[-1] == "ValueError: bad shape"
    assert "ETA" not in panel.stats.plain and "quitting" not in panel.stats.plain
    assert panel.progress == (3, 0)  # no steps per epoch known: the bar counts epochs


def test_loading_progress_and_skipped_lines_are_shown():
    skipped = SkipLog()
    skipped.add(7, "not JSON")
    panel = describe_run(_series(epochs_done=1), {"status": "done"}, "done", "run-3",
                         loading="reading 40%", skipped=skipped)
    lines = panel.stats.plain.splitlines()
    assert lines[0] == "reading 40%"
    assert skipped.summary() in lines
    assert "ETA" not in panel.stats.plain


def test_no_run_says_how_to_start_one():
    status, stats, placeholder = idle_text("spiral")
    assert status.plain == "no run"
    assert stats.plain == "press s to train spiral\nr lists earlier runs"
    assert placeholder == "no run yet: press s to train spiral"
    assert "ctrl+o" in idle_text(None)[1].plain


@pytest.mark.parametrize(("event", "cells"), [
    ({"epoch": 3, "loss": 0.123456, "val_accuracy": 0.5, "lr": 0.01, "time": 75.0},
     ["3", "0.1235", "0.5", "0.01", "1:15"]),
    ({"epoch": 1, "loss": True, "time": 0.0}, ["1", "", "", "", "0:00"]),  # a flag is not a number
])
def test_epoch_table_cells(event, cells):
    assert epoch_cells(event, ["loss", "val_accuracy"]) == cells
    assert epoch_column_label("val_accuracy") == "val_acc"


def test_a_log_folder_reads_finished_with_its_last_write_and_no_unknown_totals():
    series = RunSeries()
    series.extend([{"kind": "epoch", "epoch": e, "step": 0, "time": float(e), "loss": 1.0 / e} for e in (1, 2, 3, 4)])
    info = {"status": "finished", "source": "tensorboard", "updated": 1000.0}
    panel = describe_run(series, info, "finished", "tb", now=1000.0 + 7 * 60)
    assert panel.status.plain == "● finished  tb"
    assert panel.stats.plain.splitlines()[:2] == ["last write 7 min ago", "epoch 4"]  # not "epoch 4/? · step 0/?"
    assert panel.progress is None  # no bar reading "--%"
    live = describe_run(series, {**info, "status": "running"}, "running", "tb", now=1005.0)
    assert live.status.plain == "● live  tb" and "last write 5 s ago" in live.stats.plain
    assert "quitting leaves the run going" not in live.stats.plain  # nothing of ours runs to leave going


def test_a_stop_inside_an_epoch_counts_whole_epochs_and_marks_the_partial_row():
    series = _series(epochs_done=1, epochs=30, steps=13)
    partial = {"kind": "epoch", "step": 20, "epoch": 2, "time": 11.0, "loss": 0.01, "steps": 13, "partial": True,
               "batches": 7, "samples_per_s": 100.0}
    series.extend([partial, {"kind": "status", "status": "stopped", "message": "stopped after batch 7 of epoch 2"}])
    panel = describe_run(series, {"status": "stopped", "message": "stopped after batch 7 of epoch 2"}, "stopped", "r")
    lines = panel.stats.plain.splitlines()
    assert lines[0] == "epoch 1/30 + 7/13 batches · step 20/390"
    assert "best val_loss" in panel.stats.plain and "@ep1" in panel.stats.plain
    assert series.best("loss") == (pytest.approx(1.0 / 13), 1)  # 0.01 of the partial epoch is no epoch's loss
    assert lines[-1] == "stopped after batch 7 of epoch 2"
    assert epoch_cells(partial, ["loss"])[0] == "2 (7/13 batches)"
    assert epoch_cells(series.epoch_rows[0], ["loss"])[0] == "1"


def test_a_run_killed_outright_says_where_it_was():
    series = _series(epochs_done=2, epochs=4, steps=10)
    panel = describe_run(series, {"status": "crashed", "source": "script"}, "crashed", "r")
    assert panel.stats.plain.splitlines()[-1] == "the script's process ended after step 20 without recording why (killed?)"
