"""Keras' TerminateOnNaN that also says where the loss went bad."""

from __future__ import annotations

import math
from typing import Any

import keras

from tuitrain.trainer.callbacks.step_counter import StepCounter


class StopOnNaN(StepCounter, keras.callbacks.TerminateOnNaN):
    """Keras' ``TerminateOnNaN`` (it stops training), plus ``failure``: what went wrong, where.

    ``failure`` is the sentence users see in run.json and ``tuitrain train``, e.g. ``loss became
    nan at step 12 (epoch 2, batch 2); training stopped.``
    """

    def __init__(self) -> None:
        StepCounter.__init__(self)
        self.raise_error = False  # TerminateOnNaN's own setting: stop gracefully, callbacks still end
        self.failure: str | None = None

    def on_train_batch_end(self, batch, logs=None):
        # A plain float check per batch; Keras' own TerminateOnNaN code stops training when it fails.
        if self.failure is None and _bad(logs):
            super().on_batch_end(batch, logs)
            self.failure = (f"loss became {logs['loss']} at step {self.step_of(batch)} "
                            f"(epoch {self.epoch}, batch {batch + 1}); training stopped.")

    def on_epoch_end(self, epoch, logs=None):
        if self.failure is None and _bad(logs):
            step = self.epoch * self.steps
            self.failure = f"loss became {logs['loss']} at step {step} (epoch {self.epoch}); training stopped."
        if self.failure:
            self.model.stop_training = True


def _bad(logs: dict[str, Any] | None) -> bool:
    loss = (logs or {}).get("loss")
    if loss is None:
        return False
    try:
        return not math.isfinite(loss)
    except TypeError:
        try:
            return not math.isfinite(float(loss))
        except (TypeError, ValueError):
            return False
