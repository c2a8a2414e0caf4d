"""Faults: NaN loss, errors in model or data code, kill -9 — and resuming what a crash left."""

from __future__ import annotations

import csv
import zipfile

import pytest

from tests.trainer.helpers import Tail, kill_trainer, spiral
from tuitrain.__main__ import main as cli_main
from tuitrain.runs.reader import RunReader
from tuitrain.runs.listing import list_runs
from tuitrain.trainer.spawn import start_run
from tuitrain.runs.events import read_events
from tuitrain.runs.rundir import write_run_json


def test_nan_loss_fails_the_run_naming_the_step(tmp_path, capsys):
    rc = cli_main(["train", "spiral_mlp", "--runs-dir", str(tmp_path), "--set", "data.samples=200",
                   "--set", "fit.epochs=3", "--set", "compile.optimizer.learning_rate=1e30"])
    out = capsys.readouterr().out
    assert rc == 1
    run_dir = list_runs(tmp_path)[0].path
    info = RunReader(run_dir).status()
    assert info["status"] == "failed"
    assert info["error"].startswith("loss became nan at step ")
    assert f"failed: {info['error']}" in out and "trainer.log" in out
    final = read_events(run_dir / "events.jsonl")[-1]
    assert final["kind"] == "status" and final["status"] == "failed" and final["message"] == info["error"]
    assert not (run_dir / "model.keras").exists()  # NaN weights are not saved as the model


def test_error_in_model_code_fails_with_the_error_text(tmp_path):
    run_dir = start_run(spiral("data.samples=200", "layers.0.kernel_initializer=no_such_init"), runs_dir=tmp_path)
    tail = Tail(run_dir)
    assert tail.wait_status("failed", "finished", "crashed") == "failed"
    error = tail.reader.status()["error"]
    assert "layers[0]" in error and "no_such_init" in error
    events = read_events(run_dir / "events.jsonl")
    assert [e["kind"] for e in events] == ["log", "status"]
    assert events[-1]["status"] == "failed" and events[-1]["message"] == error


def test_unexpected_exception_in_data_code_is_recorded_with_its_type(tmp_path, monkeypatch):
    # In-process (TensorFlow is loaded once for the folder): not a TuitrainError, raised inside prepare().
    import tuitrain.data
    from tuitrain.trainer.process import Trainer

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(tuitrain.data, "load_dataset", broken)
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "preset.toml").write_text((spiral().path).read_text())
    write_run_json(run_dir, {"status": "starting", "started": 0.0})
    assert Trainer(run_dir).run() == 1
    info = RunReader(run_dir).status()
    assert info["status"] == "failed" and info["error"] == "RuntimeError: disk on fire"
    assert read_events(run_dir / "events.jsonl")[-1]["message"] == "RuntimeError: disk on fire"


@pytest.fixture(scope="module")
def crashed_run(tmp_path_factory):
    runs = tmp_path_factory.mktemp("runs")
    run_dir = start_run(spiral("data.samples=400", "fit.epochs=100000"), runs_dir=runs)  # default spacing: epoch 1 saves
    tail = Tail(run_dir)
    try:
        tail.wait(lambda t: len(t.kinds("epoch")) >= 2 and (run_dir / "checkpoints" / "state.json").exists(),
                  "two epochs and a checkpoint")
    finally:
        kill_trainer(run_dir)
    tail.wait(lambda t: t.status() == "crashed", "the reader to see the crash")
    return run_dir


def test_kill_9_leaves_a_readable_directory(crashed_run):
    import keras

    events = read_events(crashed_run / "events.jsonl")
    batches = [e for e in events if e["kind"] == "batch"]
    assert len([e for e in events if e["kind"] == "epoch"]) >= 2
    assert [b["step"] for b in batches] == sorted(b["step"] for b in batches)
    model = keras.models.load_model(crashed_run / "checkpoints" / "last.keras", safe_mode=True)
    assert model.count_params() > 0
    assert list_runs(crashed_run.parent)[0].status == "crashed"


def test_following_a_crashed_run_says_so_and_shows_the_log_end(crashed_run):
    import io

    from tuitrain.cli.train_commands import follow_run

    with open(crashed_run / "trainer.log", "a") as log:
        log.write("last words of the trainer\n")
    out = io.StringIO()
    assert follow_run(crashed_run, out) == 1
    text = out.getvalue()
    assert "crashed: the trainer process ended without writing its outcome" in text
    assert "  | last words of the trainer" in text


def test_resume_continues_from_the_last_checkpoint(crashed_run, capsys):
    import json

    from tuitrain.trainer.checkpoint import STATE_ENTRY, read_state

    state_file = crashed_run / "checkpoints" / "state.json"
    state = read_state(crashed_run / "checkpoints")
    done = state["epochs_done"]
    assert state["best_epoch"] is not None
    # A best nothing can beat: the resumed epochs must keep the old best and the epoch it came from.
    state["best"] = 0.0 if state["mode"] == "min" else 1.0
    best_file = crashed_run / "checkpoints" / "best.keras"
    with zipfile.ZipFile(best_file) as old:
        entries = {i.filename: old.read(i) for i in old.infolist()}
    entries[STATE_ENTRY] = json.dumps(state).encode()
    with zipfile.ZipFile(best_file, "w") as new:
        for name, data in entries.items():
            new.writestr(name, data)
    rc = cli_main(["train", "--resume", str(crashed_run), "--set", f"fit.epochs={done + 2}"])
    assert rc == 0, capsys.readouterr().out
    info = RunReader(crashed_run).status()
    assert info["status"] == "finished" and info["epochs_done"] == done + 2
    events = read_events(crashed_run / "events.jsonl")
    resumed_at = max(i for i, e in enumerate(events) if e["kind"] == "status" and e["status"] == "running")
    assert [e["epoch"] for e in events[resumed_at:] if e["kind"] == "epoch"] == [done + 1, done + 2]
    with open(crashed_run / "metrics.csv", newline="") as fh:
        epochs = [int(r["epoch"]) for r in csv.DictReader(fh)]
    assert epochs[-2:] == [done, done + 1]
    assert info["attempts"][0]["status"] == "crashed"
    assert info["best_epoch"] == state["best_epoch"]
    assert json.loads(state_file.read_text())["best_epoch"] == state["best_epoch"]
