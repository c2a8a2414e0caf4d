"""``LiveRun`` in a user's own script: the run directory it writes, control, failures."""

from __future__ import annotations

import csv
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tests.trainer.helpers import Tail
from tuitrain.runs.control import request_control
from tuitrain.runs.events import read_events
from tuitrain.runs.rundir import RunInfo, read_run_json
from tuitrain.keras import LiveRun

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "stock_keras.py"


def _fit(tmp_path, *callbacks, epochs=3, x=None, activation="relu", **fit_kw):
    import keras

    keras.utils.set_random_seed(0)
    if x is None:
        x = np.random.default_rng(0).normal(size=(100, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("int32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(16, activation=activation),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    live = fit_kw.pop("live", None) or LiveRun(runs_dir=tmp_path, name="mine")
    history = model.fit(x, y, epochs=epochs, batch_size=20, validation_split=0.2, verbose=0,
                        callbacks=[live, *callbacks], **fit_kw)
    return live, history


def test_a_script_run_directory_has_what_the_trainer_writes(tmp_path):
    live, history = _fit(tmp_path)
    run_dir = live.run_dir
    assert run_dir.parent == tmp_path and run_dir.name.startswith("mine-")
    info = read_run_json(run_dir)
    assert info["status"] == "finished" and info["error"] is None and info["source"] == "script"
    assert info["epochs_done"] == info["epochs_total"] == 3 and info["samples"] == 80 and info["batch_size"] == 20
    assert {"python", "numpy", "keras", "tensorflow", "tuitrain"} <= set(info["versions"])
    assert any(d.startswith("CPU:") for d in info["devices"]) and info["host"] and info["pid"]
    assert info["compile"]["optimizer"]["type"] == "Adam"
    assert info["compile"]["optimizer"]["learning_rate"] == pytest.approx(0.01)
    assert info["compile"]["loss"] == "sparse_categorical_crossentropy"
    assert [layer["type"] for layer in info["layers"]] == ["Dense", "Dense"]
    assert [layer["units"] for layer in info["layers"]] == [16, 2] and info["params"] == 4 * 16 + 16 + 16 * 2 + 2
    assert info["fit"]["batch_size"] == 20 and info["fit"]["epochs"] == 3 and info["fit"]["validation_split"] == 0.2
    assert info["best"]["val_loss"] == pytest.approx(min(history.history["val_loss"]), rel=1e-5)

    events = read_events(run_dir / "events.jsonl")
    epochs = [e for e in events if e["kind"] == "epoch"]
    assert [e["epoch"] for e in epochs] == [1, 2, 3] and all(e["steps"] == 4 for e in epochs)
    assert [e["val_loss"] for e in epochs] == pytest.approx(history.history["val_loss"], rel=1e-5)
    assert len([e for e in events if e["kind"] == "batch"]) == 12
    assert [e["status"] for e in events if e["kind"] == "status"] == ["running", "finished"]
    with open(run_dir / "metrics.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [float(r["loss"]) for r in rows] == pytest.approx(history.history["loss"], rel=1e-5)
    assert "Dense" in (run_dir / "model.summary.txt").read_text()
    run = RunInfo.from_dir(run_dir)
    assert run.status == "finished" and run.preset_name == "mine" and run.epochs_done == 3


def test_a_stop_request_is_honoured_between_batches(tmp_path):
    import keras

    class AskToStop(keras.callbacks.Callback):
        def __init__(self, live):
            super().__init__()
            self.live = live
            self.sent = False

        def on_train_batch_end(self, batch, logs=None):
            if batch == 1 and not self.sent:
                self.sent = True
                request_control(self.live.run_dir, "stop_batch")

    x = np.random.default_rng(0).normal(size=(100, 4)).astype("float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    live3 = LiveRun(runs_dir=tmp_path, name="stopped")
    history = model.fit(x, (x[:, 0] > 0).astype("int32"), epochs=50, batch_size=20, verbose=0,
                        callbacks=[live3, AskToStop(live3)])
    info = read_run_json(live3.run_dir)
    assert info["status"] == "stopped" and len(history.history["loss"]) < 50
    events = read_events(live3.run_dir / "events.jsonl")
    statuses = [e for e in events if e["kind"] == "status"]
    assert [s["status"] for s in statuses] == ["running", "stopping", "stopped"]
    # Acknowledged at a batch's start; that batch is the last one trained.
    assert max(e["step"] for e in events if e["kind"] == "batch") == statuses[1]["step"] + 1


def test_a_nan_loss_fails_the_run_with_the_reason(tmp_path):
    x = np.random.default_rng(0).normal(size=(100, 4)).astype("float32")
    x[40:] = np.nan
    live, history = _fit(tmp_path, x=x, shuffle=False, activation="tanh")  # relu would turn NaN into 0
    info = read_run_json(live.run_dir)
    assert info["status"] == "failed"
    assert info["error"] == "loss became nan at step 3 (epoch 1, batch 3); training stopped."
    assert len(history.history["loss"]) == 1


def test_a_stock_keras_script_in_its_own_process_is_live_and_obeys_pause(tmp_path):
    gate = tmp_path / "gate"
    runs = tmp_path / "runs"
    proc = subprocess.Popen([sys.executable, str(SCRIPT), str(runs), str(gate), "4"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        tail = None
        end = time.monotonic() + 120
        while tail is None:
            found = sorted(runs.glob("stock-*")) if runs.is_dir() else []
            if found and (found[0] / "run.json").is_file():
                tail = Tail(found[0])
            elif proc.poll() is not None or time.monotonic() > end:
                raise AssertionError(proc.stdout.read().decode())
            else:
                time.sleep(0.05)
        tail.wait(lambda t: len(t.kinds("epoch")) == 2, "two epochs while the script waits at its gate")
        assert tail.status() == "running" and tail.reader.status()["pid"] == proc.pid
        request_control(tail.reader.run_dir, "pause")
        gate.touch()
        tail.wait(lambda t: t.status() == "paused", "the pause acknowledged in run.json")
        assert len(tail.kinds("epoch")) == 2  # paused before the third epoch's first batch
        request_control(tail.reader.run_dir, "resume")
        assert tail.wait_status("finished", "failed", "crashed") == "finished"
        assert [e["epoch"] for e in tail.kinds("epoch")] == [1, 2, 3, 4]
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_300_character_name_is_cut_with_a_warning_and_fit_runs_to_the_end(tmp_path):
    """#22: the run directory's name went over the file system's 255 bytes and killed the user's fit."""
    with pytest.warns(UserWarning, match="the name is 300 characters; cut to its first 100"):
        live = LiveRun(runs_dir=tmp_path, name="n" * 300)
    live, history = _fit(tmp_path, epochs=1, live=live)
    assert len(history.history["loss"]) == 1
    assert live.run_dir.name.startswith("n" * 100 + "-") and len(live.run_dir.name) == 100 + 16
    assert read_run_json(live.run_dir)["status"] == "finished"


@pytest.mark.parametrize("name, message", [("a\x1b]0;x\x07", "holds control characters"), ("", "expected a non-empty text"),
                                           (5, "expected a non-empty text, got 5")])
def test_a_bad_name_is_an_error_when_the_callback_is_made_before_fit(tmp_path, name, message):
    with pytest.raises(ValueError, match=message):
        LiveRun(runs_dir=tmp_path, name=name)


def _failing_at(epoch: int, batch: int):
    import keras

    class Boom(keras.callbacks.Callback):
        def on_epoch_begin(self, e, logs=None):
            self.epoch = e + 1

        def on_train_batch_end(self, b, logs=None):
            if self.epoch == epoch and b + 1 == batch:
                raise ValueError(f"boom in batch {batch}")
    return Boom()


def test_an_exception_inside_with_liverun_is_what_the_run_directory_says(tmp_path):
    from tuitrain.cli.train_commands import failure_reason

    boom = _failing_at(epoch=2, batch=3)
    with pytest.raises(ValueError, match="boom in batch 3"):
        with LiveRun(runs_dir=tmp_path, name="crashy") as live:
            _fit(tmp_path, boom, live=live)
    info = read_run_json(live.run_dir)
    line = _failing_at.__code__.co_firstlineno + 9  # the `raise` in Boom
    assert info["status"] == "failed" and info["ended"] is not None
    assert info["error"] == f"ValueError: boom in batch 3 (test_liverun.py:{line} in on_train_batch_end)"
    assert info["epochs_done"] == 1 and info["step"] == 4 + 3  # where it really failed, not step 1
    assert "ValueError: boom in batch 3" in (live.run_dir / "trainer.log").read_text()  # the traceback, for the log view
    events = read_events(live.run_dir / "events.jsonl")
    assert [e["status"] for e in events if e["kind"] == "status"] == ["running", "failed"]
    assert failure_reason(RunInfo.from_dir(live.run_dir)).startswith("ValueError: boom in batch 3 (test_liverun.py")


def test_an_uncaught_exception_is_recorded_before_python_prints_it(tmp_path, monkeypatch):
    printed = []
    monkeypatch.setattr(sys, "excepthook", lambda *exc: printed.append(exc[1]))
    live = LiveRun(runs_dir=tmp_path, name="uncaught")
    try:
        _fit(tmp_path, _failing_at(epoch=1, batch=2), live=live)
    except ValueError as err:
        sys.excepthook(type(err), err, err.__traceback__)  # what Python does with an exception nobody catches
    assert [str(e) for e in printed] == ["boom in batch 2"]  # the user's own hook still runs
    assert read_run_json(live.run_dir)["error"].startswith("ValueError: boom in batch 2")
    assert sys.excepthook is not live._hook  # a finished or failed run leaves the hook as it found it
    _fit(tmp_path, live=LiveRun(runs_dir=tmp_path, name="after"))
    assert sys.excepthook.__name__ == "<lambda>"


def test_a_stop_inside_an_epoch_is_marked_partial_and_left_out_of_best(tmp_path):
    import keras

    class StopInEpochTwo(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch + 1

        def on_train_batch_end(self, batch, logs=None):
            if self.epoch == 2 and batch == 1:
                live.request("stop_batch")  # acknowledged as batch 3 begins: batch 3 is the last trained

    live = LiveRun(runs_dir=tmp_path, name="partial")
    _, history = _fit(tmp_path, StopInEpochTwo(), epochs=30, live=live)
    info = read_run_json(live.run_dir)
    assert info["status"] == "stopped" and info["message"] == "stopped after batch 3 of epoch 2"
    assert info["epochs_done"] == 1
    epochs = [e for e in read_events(live.run_dir / "events.jsonl") if e["kind"] == "epoch"]
    assert epochs[-1]["partial"] and epochs[-1]["batches"] == 3 and epochs[-1]["steps"] == 4
    assert "batches" not in history.history and len(history.history["loss"]) == 2
    assert history.history["loss"][1] < history.history["loss"][0]  # the partial epoch would have won "best"
    assert info["best"]["loss"] == pytest.approx(history.history["loss"][0], rel=1e-5)  # epoch 1's, the only whole one
