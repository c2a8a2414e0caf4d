"""Each of the run's job callbacks on its own, inside a real (in-process) Keras fit where it matters."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import numpy as np
import pytest

from tuitrain.trainer.callbacks import BestMetrics, EventLog, RunControl, StopOnNaN
from tuitrain.runs.control import ControlInbox, request_control
from tuitrain.runs.events import EventWriter, read_events


def _data(n: int = 64):
    x = np.random.default_rng(0).normal(size=(n, 3)).astype("float32")
    return x, (x[:, 0] > 0).astype("float32")


def _model(**compile_kw):
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(compile_kw.pop("optimizer", "sgd"), "binary_crossentropy", **compile_kw)
    return model


def test_event_log_writes_batch_and_epoch_rows_and_leaves_vector_metrics_out(tmp_path):
    import keras

    x, y = _data()
    # Precision with several thresholds reports one value per threshold: a vector, not a number.
    model = _model(metrics=[keras.metrics.Precision(thresholds=[0.3, 0.7], name="prec")])
    writer = EventWriter(tmp_path / "events.jsonl")
    log = EventLog(writer, samples=len(x), batch_size=16)
    history = model.fit(x, y, epochs=2, batch_size=16, callbacks=[log], verbose=0)
    writer.close()

    assert np.shape(history.history["prec"][-1]) == (2,)  # Keras did hand the callback a vector
    assert log.epochs_done == 2 and log.samples_total == 128 and log.step == 8
    events = read_events(tmp_path / "events.jsonl")
    epochs = [e for e in events if e["kind"] == "epoch"]
    assert [e["epoch"] for e in epochs] == [1, 2] and [e["step"] for e in epochs] == [4, 8]
    assert all("loss" in e and "prec" not in e and e["lr"] == pytest.approx(0.01) for e in epochs)
    assert epochs[-1]["loss"] == pytest.approx(history.history["loss"][-1], rel=1e-5)
    batches = [e for e in events if e["kind"] == "batch"]
    assert [b["step"] for b in batches] == list(range(1, 9))
    told = [e["message"] for e in events if e["kind"] == "log"]
    assert told == ["metric prec has shape (2,), not one number: left out of the live metrics (metrics.csv has it)"]


def test_event_log_every_n_steps_keeps_each_epochs_last_batch(tmp_path):
    x, y = _data(80)
    writer = EventWriter(tmp_path / "events.jsonl")
    model = _model()
    model.fit(x, y, epochs=1, batch_size=16, callbacks=[EventLog(writer, samples=80, batch_size=16, log_every=2)], verbose=0)
    writer.close()
    steps = [e["step"] for e in read_events(tmp_path / "events.jsonl") if e["kind"] == "batch"]
    assert steps == [2, 4, 5]


def test_event_log_marks_an_epoch_cut_short_as_partial(tmp_path):
    import keras

    class StopAtBatch2(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                self.model.stop_training = True

    x, y = _data()
    writer = EventWriter(tmp_path / "events.jsonl")
    log = EventLog(writer, samples=len(x), batch_size=16)
    _model().fit(x, y, epochs=3, batch_size=16, callbacks=[log, StopAtBatch2()], verbose=0)
    writer.close()
    epochs = [e for e in read_events(tmp_path / "events.jsonl") if e["kind"] == "epoch"]
    assert len(epochs) == 1 and epochs[0]["partial"] is True and epochs[0]["step"] == 2
    assert log.epochs_done == 0  # a resume redoes the cut epoch


def test_stop_on_nan_is_keras_terminate_on_nan_and_says_where(tmp_path):
    import keras

    x, y = _data()
    x[20:] = np.nan  # the second batch of 16 is the first with NaN inputs
    nan = StopOnNaN()
    assert isinstance(nan, keras.callbacks.TerminateOnNaN)
    history = _model().fit(x, y, epochs=3, batch_size=16, callbacks=[nan], verbose=0, shuffle=False)
    assert nan.failure == "loss became nan at step 2 (epoch 1, batch 2); training stopped."
    assert len(history.history["loss"]) == 1  # stopped within the first epoch


def test_stop_on_nan_leaves_a_healthy_run_alone():
    x, y = _data()
    nan = StopOnNaN()
    history = _model().fit(x, y, epochs=2, batch_size=16, callbacks=[nan], verbose=0)
    assert nan.failure is None and len(history.history["loss"]) == 2


def test_best_metrics_ranks_by_direction_and_skips_nan_and_learning_rate():
    best = BestMetrics()
    for logs in ({"loss": 0.9, "val_accuracy": 0.5, "lr": 0.1},
                 {"loss": 0.4, "val_accuracy": 0.7, "lr": 0.01},
                 {"loss": float("nan"), "val_accuracy": 0.6, "partial": True}):
        best.on_epoch_end(0, logs)
    assert best.best == {"loss": 0.4, "val_accuracy": 0.7}


def _control(tmp_path):
    """A RunControl on a stand-in model (it only reads and sets ``stop_training``)."""
    writer = EventWriter(tmp_path / "events.jsonl")
    statuses: list[str] = []
    pauses: list[float] = []
    control = RunControl(writer, ControlInbox(tmp_path), on_status=statuses.append, on_pause_end=pauses.append)
    control.set_model(SimpleNamespace(stop_training=False))
    control.set_params({"epochs": 3, "steps": 4})
    control.on_train_begin()
    control.on_epoch_begin(0)
    return control, writer, statuses, pauses


def test_control_stop_after_epoch(tmp_path):
    control, writer, statuses, _ = _control(tmp_path)
    request_control(tmp_path, "stop_epoch")
    control.on_train_batch_begin(1)
    assert control.stop_reason == "stop_epoch" and not control.model.stop_training  # not before the epoch ends
    control.on_epoch_end(0)
    assert control.model.stop_training and statuses == ["stopping"]
    writer.close()
    stopping = [e for e in read_events(tmp_path / "events.jsonl") if e["kind"] == "status"]
    assert stopping[-1]["message"] == "stopping after epoch 1" and stopping[-1]["step"] == 1


def test_control_stop_after_batch(tmp_path):
    control, writer, statuses, _ = _control(tmp_path)
    request_control(tmp_path, "stop_batch")
    request_control(tmp_path, "stop_batch")  # sent twice (two clicks): acknowledged once
    control.on_train_batch_begin(2)
    assert statuses == ["stopping"]
    assert control.model.stop_training and control.stop_reason == "stop_batch"
    writer.close()


def test_control_pause_blocks_the_batch_until_resume(tmp_path):
    control, writer, statuses, pauses = _control(tmp_path)
    request_control(tmp_path, "pause")

    def resume_once_paused():
        while "paused" not in statuses:
            threading.Event().wait(0.01)
        request_control(tmp_path, "resume")

    helper = threading.Thread(target=resume_once_paused)
    helper.start()
    control.on_train_batch_begin(3)  # returns only after the resume
    helper.join()
    assert statuses == ["paused", "running"] and not control.paused and len(pauses) == 1 and pauses[0] > 0
    writer.close()
    messages = [e["message"] for e in read_events(tmp_path / "events.jsonl") if e["kind"] == "status"]
    assert messages == ["paused at step 3 (epoch 1)", "resumed"]


def test_control_signal_stops_at_once_and_wins_over_a_later_stop(tmp_path):
    control, writer, statuses, _ = _control(tmp_path)
    control.request("signal", note="SIGTERM received")
    assert control.model.stop_training  # even before the next batch (e.g. during validation)
    request_control(tmp_path, "stop_epoch")
    control.on_train_batch_begin(0)
    assert control.stop_reason == "signal" and control.stop_note == "SIGTERM received"
    assert statuses == ["stopping"]
    writer.close()
