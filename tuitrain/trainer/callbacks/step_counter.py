"""Where training is (epoch, global step), for the callbacks that count steps."""

from __future__ import annotations

import keras


class StepCounter(keras.callbacks.Callback):
    """Where training is: 1-based ``epoch``, global ``step``, steps per epoch (from Keras' params)."""

    def __init__(self) -> None:
        super().__init__()
        self.steps = 0
        self.epochs = 0
        self.epoch = 0
        self.step = 0
        self.epochs_planned = 0  # [[phases]]: the run's epochs, when one `fit` trains only its phase's

    def on_train_begin(self, logs=None):
        self.steps = int(self.params.get("steps") or 0)
        self.epochs = max(int(self.params.get("epochs") or 0), self.epochs_planned)

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch + 1
        self.step = epoch * self.steps

    def step_of(self, batch: int) -> int:
        """The global step that ends with batch ``batch`` (0-based) of the current epoch."""
        return (self.epoch - 1) * self.steps + batch + 1
