"""run.json's progress fields refreshed every few seconds, through an injected callable."""

from __future__ import annotations

import time
from typing import Any, Callable

import keras


class RunProgress(keras.callbacks.Callback):
    """Calls ``update`` at an epoch end at most every ``every_s`` seconds (run.json progress)."""

    def __init__(self, update: Callable[[], Any], *, every_s: float) -> None:
        super().__init__()
        self.update = update
        self.every_s = every_s
        self._last = time.monotonic()

    def on_epoch_end(self, epoch, logs=None):
        now = time.monotonic()
        if now - self._last >= self.every_s:
            self._last = now
            self.update()
