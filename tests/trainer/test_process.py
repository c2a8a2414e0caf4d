"""A real detached trainer run on a tiny spiral, shared by the tests that read what it left."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import wait_final
from tests.trainer.helpers import Tail
from tuitrain.__main__ import main as cli_main
from tuitrain.runs.events import read_events

SPIRAL_PARAMS = 2 * 64 + 64 + 64 * 64 + 64 + 64 * 2 + 2  # Dense 64 → Dense 64 → Dense 2 on 2 features


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory) -> Path:
    """`tuitrain train --detach` in a child process: it must return while the trainer goes on."""
    runs = tmp_path_factory.mktemp("runs")
    cmd = [sys.executable, "-m", "tuitrain", "train", "spiral_mlp", "--runs-dir", str(runs), "--detach",
           "--set", "data.samples=200", "--set", "fit.epochs=2", "--set", "fit.tensorboard=true",
           "--set", "fit.checkpoint_every=0"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    run_dir = Path(done.stdout.strip().splitlines()[-1])
    assert run_dir.parent == runs and "tuitrain attach" in done.stderr
    assert wait_final(run_dir) == "finished", Tail(run_dir).reader.log_tail()
    return run_dir


def test_detached_trainer_has_its_own_session_and_no_terminal(finished_run):
    info = Tail(finished_run).reader.status()
    assert info["sid"] == info["pid"] != os.getpid()
    assert info["controlling_tty"] is False


def test_run_json_records_outcome_versions_and_devices(finished_run):
    info = Tail(finished_run).reader.status()
    assert info["status"] == "finished" and info["error"] is None
    assert info["epochs_done"] == info["epochs_total"] == 2
    assert info["ended"] >= info["started"]
    assert {"python", "tensorflow", "keras", "numpy"} <= set(info["versions"])
    assert any(d.startswith("CPU:") for d in info["devices"])
    assert info["host"] and info["monitor"] == "val_loss" and "val_loss" in info["best"]
    # One device, float32 (no [distribute] table); system samples with no GPU: CPU and memory only.
    assert (info["strategy"], info["replicas"], info["precision"]) == ("default", 1, "float32")
    assert info["gpu_problem"]  # no GPU on this machine: run.json says why (the Train pane shows it)
    system = info["system"]
    assert system["samples"] >= 1 and system["rss_peak"] > 0 and system["gpu_mem_peak"] is None
    samples = [json.loads(line) for line in (finished_run / "system.jsonl").read_text().splitlines()]
    assert samples and all(s["gpus"] == [] and s["rss"] > 0 for s in samples)


def test_events_hold_batch_and_epoch_rows_with_metrics(finished_run):
    events = read_events(finished_run / "events.jsonl")
    batches = [e for e in events if e["kind"] == "batch"]
    epochs = [e for e in events if e["kind"] == "epoch"]
    statuses = [e for e in events if e["kind"] == "status"]
    assert statuses[0]["status"] == "running" and statuses[0]["epochs"] == 2
    steps = statuses[0]["steps_per_epoch"]
    assert steps == 5  # 160 training samples (20 % validation) in batches of 32
    assert statuses[-1]["status"] == "finished"
    assert [b["step"] for b in batches] == list(range(1, 2 * steps + 1))
    assert all({"loss", "accuracy", "samples_per_s", "epoch", "time"} <= set(b) for b in batches)
    assert [e["epoch"] for e in epochs] == [1, 2]
    assert all({"loss", "accuracy", "val_loss", "val_accuracy", "lr"} <= set(e) for e in epochs)
    assert epochs[-1]["steps"] == steps and epochs[-1]["epochs"] == 2
    assert (finished_run / "preset.toml").read_text().count("samples = 200") == 1
    assert "Total params" in (finished_run / "model.summary.txt").read_text()


def test_metrics_csv_has_a_row_per_epoch(finished_run):
    with open(finished_run / "metrics.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["epoch"] for r in rows] == ["0", "1"]
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(rows[0])


def test_final_model_and_checkpoints_load_safely(finished_run):
    import keras

    for name in ("model.keras", "checkpoints/last.keras", "checkpoints/best.keras"):
        model = keras.models.load_model(finished_run / name, safe_mode=True)
        assert model.count_params() == SPIRAL_PARAMS, name
    assert not list((finished_run / "checkpoints").glob(".*tmp*"))  # no temp files left behind


def test_tensorboard_event_files_read_by_tensorboard(finished_run):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(finished_run / "tensorboard" / "train"))
    acc.Reload()
    tags = acc.Tags()["scalars"] + acc.Tags().get("tensors", [])
    assert "epoch_loss" in tags


def test_runs_command_lists_the_run(finished_run, capsys):
    assert cli_main(["runs", "--runs-dir", str(finished_run.parent)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["NAME", "STATUS", "EPOCHS", "BEST", "DURATION", "GPU", "MEM", "REASON"]
    assert out[1].split()[:4] == [finished_run.name, "finished", "2/2", "val_loss"]


def test_unsaved_preset_reads_relative_data_files_from_where_it_was_started(tmp_path, monkeypatch):
    # In-process trainer (TensorFlow is loaded already): the app may start an unsaved preset whose
    # `file:` path is relative to the directory the app runs in, not to the run directory.
    import numpy as np

    from tuitrain.runs.rundir import write_run_json
    from tuitrain.trainer.process import Trainer
    from tuitrain.preset import dumps_preset, parse_preset

    work = tmp_path / "work"
    work.mkdir()
    rng = np.random.default_rng(0)
    np.savez(work / "xy.npz", x=rng.normal(size=(64, 2)).astype("float32"), y=rng.integers(0, 2, 64))
    preset = parse_preset('name = "unsaved"\n[data]\nsource = "file:xy.npz"\n'
                          '[[layers]]\ntype = "Dense"\nunits = 2\nactivation = "softmax"\n'
                          '[compile]\noptimizer = "sgd"\nloss = "sparse_categorical_crossentropy"\n'
                          '[fit]\nepochs = 1\nbatch_size = 16\n')
    run_dir = tmp_path / "runs" / "unsaved-1"
    run_dir.mkdir(parents=True)
    (run_dir / "preset.toml").write_text(dumps_preset(preset))
    write_run_json(run_dir, {"status": "starting", "started": 0.0, "preset_path": None, "base_dir": str(work)})
    monkeypatch.chdir(tmp_path)
    assert Trainer(run_dir).run() == 0, Tail(run_dir).reader.status().get("error")
    assert Tail(run_dir).reader.status()["status"] == "finished"


def test_a_sweep_trial_continues_from_an_earlier_trials_weights(finished_run, tmp_path):
    """Hyperband's next round: epochs 3..3 of a run that starts from the finished run's weights."""
    from tuitrain.preset import load_preset
    from tuitrain.trainer.spawn import start_run

    preset = load_preset(finished_run / "preset.toml")
    preset.fit.update(epochs=3, initial_epoch=2, tensorboard=False)
    sweep = {"dir": str(tmp_path), "trial": "1", "values": {}}
    run = start_run(preset, runs_dir=tmp_path, name="trial-1",
                    info={"sweep": sweep, "warm_start": str(finished_run / "model.keras")})
    tail = Tail(run)
    assert run.name.startswith("trial-1-") and tail.wait_status("finished", "failed", "crashed") == "finished"
    info = json.loads((run / "run.json").read_text())
    assert info["sweep"] == sweep and info["epochs_done"] == 3
    logs = [e.get("message", "") for e in tail.kinds("log")]
    assert f"weights from {finished_run / 'model.keras'}" in logs
    [epoch] = tail.kinds("epoch")
    earlier = [e for e in read_events(finished_run / "events.jsonl") if e["kind"] == "epoch"]
    assert epoch["epoch"] == 3 and epoch["loss"] < earlier[0]["loss"]  # trained weights, not a fresh start


def test_a_warm_start_that_is_no_keras_model_fails_the_run_with_the_reason(tmp_path):
    from tuitrain.preset import dumps_preset, parse_preset
    from tuitrain.runs.rundir import write_run_json
    from tuitrain.trainer.process import Trainer

    preset = parse_preset('name = "t"\n[data]\nsource = "synthetic:spiral"\nsamples = 64\n'
                          '[[layers]]\ntype = "Dense"\nunits = 2\nactivation = "softmax"\n'
                          '[compile]\noptimizer = "sgd"\nloss = "sparse_categorical_crossentropy"\n[fit]\nepochs = 1\n')
    run_dir = tmp_path / "t-1"
    run_dir.mkdir()
    (run_dir / "preset.toml").write_text(dumps_preset(preset))
    write_run_json(run_dir, {"status": "starting", "started": 0.0, "warm_start": "/etc/passwd"})
    assert Trainer(run_dir).run() == 1
    status = Tail(run_dir).reader.status()
    assert status["status"] == "failed" and status["error"] == "warm_start: /etc/passwd is not a .keras model file"
