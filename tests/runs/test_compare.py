"""`diff` and `metrics` on runs of every origin: the trainer, LiveRun in a script, TensorBoard folders.

Expected values come from what Keras itself recorded: the trainer's metrics.csv (Keras'
CSVLogger), the History of an in-process fit, the History a TensorBoard-writing script printed.
"""

from __future__ import annotations

import argparse
import ast
import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import wait_final
from tests.trainer.helpers import spiral
from tuitrain.trainer.spawn import start_run
from tuitrain.runs.compare import diff_lines, read_all, run_settings, series_rows
from tuitrain.cli.compare_commands import diff_command, metrics_command, runs_json
from tuitrain.keras import LiveRun
from tuitrain.preset import dumps_preset

TB_SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "tensorboard_writer.py"


def test_diff_names_each_changed_key_with_both_values():
    a = {"compile": {"optimizer": {"type": "Adam", "learning_rate": 0.01}, "loss": "mse"},
         "layers": [{"type": "Dense", "units": 32}, {"type": "Dense", "units": 64}], "fit": {"epochs": 5}}
    b = {"compile": {"optimizer": {"type": "Adam", "learning_rate": 0.001}, "loss": "mse"},
         "layers": [{"type": "Dense", "units": 32}, {"type": "Dense", "units": 128}, {"type": "Dropout", "rate": 0.5}],
         "fit": {"epochs": 5, "shuffle": False}}
    assert diff_lines(a, b) == [
        "compile.optimizer.learning_rate  0.01 → 0.001",
        "layers[1].units                  64 → 128",
        "layers[2].type                   (none) → Dropout",
        "layers[2].rate                   (none) → 0.5",
        "fit.shuffle                      (none) → false",
    ]
    assert diff_lines(a, a) == []
    # float32 round trips are the same setting
    assert diff_lines({"lr": 0.01}, {"lr": float(np.float32(0.01))}) == []


def _args(**kw):
    defaults = {"batch": False, "json": False, "since": None}
    return argparse.Namespace(**(defaults | kw))


def _csv(runs, **kw):
    out = io.StringIO()
    metrics_command(_args(runs=[str(r) for r in runs], **kw), out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


@pytest.fixture(scope="module")
def engine_runs(tmp_path_factory):
    """One real trainer run, and a copy whose preset.toml says what a second run with other settings would."""
    runs = tmp_path_factory.mktemp("runs")
    run_dir = start_run(spiral("data.samples=200", "fit.epochs=2"), runs_dir=runs)
    assert wait_final(run_dir) == "finished"
    other = runs / "other"
    shutil.copytree(run_dir, other)
    preset = spiral("data.samples=200", "fit.epochs=2", "compile.optimizer.learning_rate=0.001", "layers.1.units=128")
    (other / "preset.toml").write_text(dumps_preset(preset))
    return run_dir, other


def test_engine_runs_diff_and_metrics(engine_runs):
    run_dir, other = engine_runs
    out = io.StringIO()
    diff_command(argparse.Namespace(run_a=str(run_dir), run_b=str(other)), out)
    lines = out.getvalue().splitlines()[2:]
    assert out.getvalue().splitlines()[:2] == [f"--- {run_dir}", f"+++ {other}"]
    assert [" ".join(line.split()) for line in lines] == [
        "layers[1].units 64 → 128", "compile.optimizer.learning_rate 0.01 → 0.001"]

    with open(run_dir / "metrics.csv", newline="") as fh:
        keras_rows = list(csv.DictReader(fh))
    rows = _csv([run_dir])
    assert [int(r["epoch"]) for r in rows] == [1, 2] and {r["run"] for r in rows} == {run_dir.name}
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert [float(r[key]) for r in rows] == pytest.approx([float(r[key]) for r in keras_rows], rel=1e-6), key
    batches = _csv([run_dir], batch=True)
    assert [int(r["step"]) for r in batches] == list(range(1, 11))  # 160 samples / 32, two epochs
    later = _csv([run_dir], batch=True, since=float(batches[4]["time"]))
    assert later and all(float(r["time"]) > float(batches[4]["time"]) for r in later)


def test_runs_json_lists_every_run_with_its_best_value(engine_runs):
    run_dir, _ = engine_runs
    out = io.StringIO()
    runs_json(argparse.Namespace(runs_dir=str(run_dir.parent)), out)
    doc = json.loads(out.getvalue())
    record = next(r for r in doc["runs"] if r["name"] == run_dir.name)
    assert record["status"] == "finished" and record["epochs_done"] == 2
    assert record["best_monitor"]["metric"] == "val_loss"
    assert record["best_monitor"]["value"] == pytest.approx(record["best"]["val_loss"])
    # The trainer's system peaks: the process's memory; no GPU on this machine, so no GPU figure.
    assert record["system"]["rss_peak"] > 50e6
    assert "gpu_mem_peak" not in record["system"]


def _script_run(tmp_path, units, lr):
    import keras

    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).normal(size=(100, 4)).astype("float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(units, activation="relu"),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=lr), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    live = LiveRun(runs_dir=tmp_path, name=f"u{units}")
    history = model.fit(x, (x[:, 0] > 0).astype("int32"), epochs=2, batch_size=20, validation_split=0.2,
                        verbose=0, callbacks=[live])
    return live.run_dir, history.history


def test_liverun_runs_diff_and_metrics(tmp_path):
    a, history = _script_run(tmp_path, 16, 0.01)
    b, _ = _script_run(tmp_path, 32, 0.001)
    lines = [" ".join(line.split()) for line in diff_lines(run_settings(a), run_settings(b))]
    assert lines == ["compile.optimizer.learning_rate 0.01 → 0.001", "layers[0].units 16 → 32"]
    rows = _csv([a, b])
    mine = [r for r in rows if r["run"] == a.name]
    assert len(rows) == 4 and [int(r["epoch"]) for r in mine] == [1, 2]
    for key in ("loss", "accuracy", "val_loss"):
        assert [float(r[key]) for r in mine] == pytest.approx(history[key], rel=1e-6), key


@pytest.fixture(scope="module")
def tensorboard_folder(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tb")
    done = subprocess.run([sys.executable, str(TB_SCRIPT), str(tmp / "logs"), str(tmp / "no-gate"), "3", "99"],
                          capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    history = ast.literal_eval(next(line for line in done.stdout.splitlines() if line.startswith("HISTORY "))[8:])
    return tmp / "logs", history


def test_tensorboard_folder_metrics_and_diff(tensorboard_folder, tmp_path):
    logdir, history = tensorboard_folder
    rows = _csv([logdir])
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3]
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert [float(r[key]) for r in rows] == pytest.approx(history[key], rel=1e-6), key
    out = io.StringIO()
    metrics_command(_args(runs=[str(logdir)], json=True), out)
    doc = json.loads(out.getvalue())
    assert doc["kind"] == "epoch" and doc["runs"][0]["rows"][2]["loss"] == pytest.approx(history["loss"][2], rel=1e-6)
    assert [e["epoch"] for e in read_all(logdir) if e["kind"] == "epoch"] == [1, 2, 3]

    script_run, _ = _script_run(tmp_path, 16, 0.01)
    settings = run_settings(logdir)
    assert [layer["units"] for layer in settings["layers"]] == [8, 2]
    lines = [" ".join(line.split()) for line in diff_lines(settings, run_settings(script_run))]
    assert "layers[0].units 8 → 16" in lines
    assert series_rows(read_all(logdir), "batch") == []


def test_diff_of_several_runs_and_one_setting_by_key():
    from tuitrain.runs.compare import MISSING, diff_many, setting

    runs = [{"compile": {"optimizer": "adam"}, "layers": [{"units": 8}]},
            {"compile": {"optimizer": "adam"}, "layers": [{"units": 16}]},
            {"compile": {"optimizer": "sgd"}, "layers": [{"units": 8}]}]
    assert diff_many(runs) == [("compile.optimizer", ["adam", "adam", "sgd"]), ("layers[0].units", [8, 16, 8])]
    assert setting(runs[1], "layers[0].units") == 16 and setting(runs[2], "compile.optimizer.type") == "sgd"
    assert setting(runs[0], "fit.epochs") is MISSING


def test_runs_table_shows_chosen_settings_per_run(engine_runs, capsys):
    from tuitrain.__main__ import main

    run_dir, other = engine_runs
    assert main(["runs", "--runs-dir", str(run_dir.parent), "--columns", "layers[1].units,compile.optimizer.learning_rate"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["NAME", "STATUS", "EPOCHS", "BEST", "LAYERS[1].UNITS", "COMPILE.OPTIMIZER.LEARNING_RATE",
                                "DURATION", "GPU", "MEM", "REASON"]
    cells = {line.split()[0]: line.split() for line in lines[1:]}
    assert cells[run_dir.name][5:7] == ["64", "0.01"] and cells["other"][5:7] == ["128", "0.001"]
