"""Each metric's best epoch value so far (``best`` in run.json)."""

from __future__ import annotations

import math

import keras

from typing import Callable

from tuitrain.common.metric_names import NOT_METRICS, better_direction


class BestMetrics(keras.callbacks.Callback):
    """Each metric's best epoch value so far (``max`` for accuracy-like names), for run.json's ``best``.

    ``is_partial()`` says the epoch just ended was cut short by a stop: the mean over its first
    batches is no epoch's value and would often win "best" (fewer, easier batches), so it is left out."""

    def __init__(self, is_partial: Callable[[], bool] = lambda: False) -> None:
        super().__init__()
        self.best: dict[str, float] = {}
        self.is_partial = is_partial

    def on_epoch_end(self, epoch, logs=None):
        if self.is_partial():
            return
        for key, value in (logs or {}).items():
            if key in NOT_METRICS or isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            if not math.isfinite(value):
                continue
            old = self.best.get(key)
            better = max if better_direction(key) == "max" else min
            self.best[key] = float(value) if old is None else float(better(old, value))
