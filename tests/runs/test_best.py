"""The runs list's one best number: the monitored metric, its best value and the epoch it came from."""

from __future__ import annotations

import shutil

from tests.ui.snapshot_apps.train_fixture import write_finished_run
from tuitrain.runs.best import BestMetric, best_metric, best_metrics, epoch_rows, monitored_metric
from tuitrain.runs.events import EventWriter
from tuitrain.runs.layout import COLUMNS_DIR, EVENTS_FILE
from tuitrain.runs.rundir import RunInfo, read_run_json, write_run_json


def test_the_monitor_its_best_value_and_the_epoch_it_came_from(tmp_path):
    run = RunInfo.from_dir(write_finished_run(tmp_path))
    rows = epoch_rows(run.path)
    assert [r["epoch"] for r in rows] == list(range(1, 13))
    best = best_metric(run)
    expected = min(rows, key=lambda r: r["val_loss"])
    assert best == BestMetric("val_loss", expected["val_loss"], expected["epoch"])
    assert best.text() == f"val_loss {expected['val_loss']:.4g} @ep{expected['epoch']}"
    acc = best_metric(run, "val_accuracy")
    assert acc.epoch == max(rows, key=lambda r: r["val_accuracy"])["epoch"] and acc.text().startswith("val_acc ")
    assert set(best_metrics(run)) == {"loss", "accuracy", "val_loss", "val_accuracy"}


def test_without_a_monitor_the_first_validation_metric_and_without_columns_the_events_file(tmp_path):
    path = write_finished_run(tmp_path)
    info = read_run_json(path)
    info["monitor"], info["best"] = None, {"loss": info["best"]["loss"], "val_accuracy": info["best"]["val_accuracy"]}
    write_run_json(path, info)
    shutil.rmtree(path / COLUMNS_DIR)  # an older run or another writer: the epoch rows come from events.jsonl
    run = RunInfo.from_dir(path)
    assert monitored_metric(run) == "val_accuracy"
    assert best_metric(run).epoch is not None and best_metric(run, "nope") is None


def test_a_partial_epoch_is_never_the_best_one(tmp_path):
    path = tmp_path / "run"
    path.mkdir()
    writer = EventWriter(path / EVENTS_FILE, t0=0.0)
    writer.epoch(10, 1, {"val_loss": 0.5}, samples_per_s=1.0, epochs=3, steps=10)
    writer.epoch(13, 2, {"val_loss": 0.2, "partial": True}, samples_per_s=1.0, epochs=3, steps=10)
    writer.epoch(30, 3, {"val_loss": 0.2}, samples_per_s=1.0, epochs=3, steps=10)
    writer.close()
    write_run_json(path, {"name": "run", "preset_name": "p", "status": "finished", "best": {"val_loss": 0.2},
                          "monitor": "val_loss", "epochs_done": 3, "epochs_total": 3})
    assert best_metric(RunInfo.from_dir(path)) == BestMetric("val_loss", 0.2, 3)


def test_an_unreadable_events_file_gives_the_value_without_an_epoch(tmp_path):
    path = write_finished_run(tmp_path)
    shutil.rmtree(path / COLUMNS_DIR)
    (path / EVENTS_FILE).unlink()
    (path / EVENTS_FILE).symlink_to("/dev/zero")
    best = best_metric(RunInfo.from_dir(path))
    assert best.metric == "val_loss" and best.epoch is None and "@ep" not in best.text()
