"""Divergence watch: a loss that grows by orders of magnitude is reported while the run goes on.

NaN and infinity end a run (``callback.StopOnNaN``); a loss that climbs from 0.7 to 1e11 stays finite,
and a run could "finish" that way with nothing said. This callback remembers the lowest positive
loss seen and warns each time the loss reaches ``factor`` (1000) times it, then 1000 times that,
so a steady climb is reported a few times, not every batch.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import keras

FACTOR = 1e3


class DivergenceWatch(keras.callbacks.Callback):
    async_safe = True  # a float comparison per batch; the warning is rare

    def __init__(self, warn: Callable[[str], None], *, factor: float = FACTOR, monitor: str = "loss") -> None:
        super().__init__()
        self.warn = warn
        self.factor = factor
        self.monitor = monitor
        self.lowest: float | None = None
        self.alarms = 0
        self.epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch + 1

    def on_train_batch_end(self, batch, logs=None):
        self._see((logs or {}).get(self.monitor), f"epoch {self.epoch}, batch {batch + 1}")

    def on_epoch_end(self, epoch, logs=None):
        self._see((logs or {}).get(self.monitor), f"the end of epoch {epoch + 1}")

    def _see(self, value: Any, where: str) -> None:
        if not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            return  # NaN is StopOnNaN's business; losses ≤ 0 (e.g. cosine) have no scale to grow from
        if self.lowest is None or value < self.lowest:
            self.lowest = float(value)
            return
        if value >= self.lowest * self.factor ** (self.alarms + 1):
            self.alarms += 1
            self.warn(f"{self.monitor} is diverging: {value:.3g} at {where}, {value / self.lowest:.2g} times its lowest"
                      f" value {self.lowest:.3g}; a smaller learning rate (compile.optimizer.learning_rate) usually helps")
