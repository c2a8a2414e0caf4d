"""Each metric's best epoch value so far (``best`` in run.json)."""

from __future__ import annotations

import math

import keras

from tuitrain.common.metric_names import NOT_METRICS, better_direction


class BestMetrics(keras.callbacks.Callback):
    """Each metric's best epoch value so far (``max`` for accuracy-like names), for run.json's ``best``."""

    def __init__(self) -> None:
        super().__init__()
        self.best: dict[str, float] = {}

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            if key in NOT_METRICS or isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            if not math.isfinite(value):
                continue
            old = self.best.get(key)
            better = max if better_direction(key) == "max" else min
            self.best[key] = float(value) if old is None else float(better(old, value))
