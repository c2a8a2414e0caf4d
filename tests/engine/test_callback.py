"""The live-metrics callback inside a real (in-process) Keras fit."""

from __future__ import annotations

import numpy as np

from tuitrain.engine.callback import LiveMetrics
from tuitrain.engine.events import EventWriter, read_events


def test_vector_metrics_are_left_out_and_training_goes_on(tmp_path):
    import keras

    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    # Precision with several thresholds reports one value per threshold: a vector, not a number.
    model.compile("sgd", "binary_crossentropy", metrics=[keras.metrics.Precision(thresholds=[0.3, 0.7], name="prec")])
    writer = EventWriter(tmp_path / "events.jsonl")
    live = LiveMetrics(writer, None, samples=len(x), batch_size=16)
    history = model.fit(x, y, epochs=2, batch_size=16, callbacks=[live], verbose=0)
    writer.close()

    assert np.shape(history.history["prec"][-1]) == (2,)  # Keras did hand the callback a vector
    assert live.epochs_done == 2 and live.failure is None
    events = read_events(tmp_path / "events.jsonl")
    epochs = [e for e in events if e["kind"] == "epoch"]
    assert [e["epoch"] for e in epochs] == [1, 2]
    assert all("loss" in e and "prec" not in e for e in epochs)
    assert len([e for e in events if e["kind"] == "batch"]) == 8
    told = [e["message"] for e in events if e["kind"] == "log"]
    assert told == ["metric prec has shape (2,), not one number: left out of the live metrics (metrics.csv has it)"]
