"""Checkpoints of the last and the best model, written atomically.

Each file is saved under a temporary name in the same folder and renamed over the old one, so
a trainer killed at any moment leaves the previous checkpoint whole. A save costs a few to
hundreds of milliseconds, far more than a small epoch, so after the first epoch's save they
are spaced at least ``every_s`` seconds apart during training; the best epoch's weights are
kept in memory until they can be written, and both files are written when training ends
(``finalize``). A best model written late has the best epoch's weights but the optimizer
state of the moment it was written (resume uses ``last.keras``, which is exact).
``checkpoints/state.json`` records what ``--resume`` needs: epochs done and the best value.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from pathlib import Path
from typing import Any

import keras

from tuitrain.fsutil import atomic_write_text

STATE = "state.json"


def save_model_atomic(model: Any, path: Path) -> None:
    """``model.save`` to ``.name.tmp.keras`` beside ``path`` (Keras wants the suffix), then rename."""
    tmp = path.with_name(f".{path.stem}.tmp{path.suffix}")
    try:
        model.save(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def copy_atomic(src: Path, dst: Path) -> None:
    tmp = dst.with_name(f".{dst.stem}.tmp{dst.suffix}")
    shutil.copyfile(src, tmp)
    os.replace(tmp, dst)


class Checkpointer(keras.callbacks.Callback):
    """``last.keras`` every epoch (spaced by ``every_s``), ``best.keras`` by ``monitor``."""

    def __init__(self, folder: Path, *, monitor: str, mode: str, every_s: float = 5.0,
                 epochs_done: int = 0, best: float | None = None, best_epoch: int | None = None,
                 live: Any = None) -> None:
        super().__init__()
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.last_path = self.folder / "last.keras"
        self.best_path = self.folder / "best.keras"
        self.monitor = monitor
        self.mode = mode
        self.every_s = every_s
        self.live = live  # LiveRun: epochs done and failures
        self.best = best
        self.best_epoch = best_epoch  # a resumed run keeps the epoch its best value came from
        self.epochs_done = epochs_done
        self.saves = 0
        self._best_weights: list | None = None  # best epoch's weights not yet on disk
        self._best_is_current = False
        self._last_save = float("-inf")  # the first epoch always saves: a kill -9 soon after still leaves one
        self._dirty = False

    def _improved(self, value: float) -> bool:
        if not math.isfinite(value):
            return False
        if self.best is None:
            return True
        return value < self.best if self.mode == "min" else value > self.best

    def on_epoch_end(self, epoch, logs=None):
        if self.live is not None and self.live.failure:
            return  # never overwrite good checkpoints with NaN weights
        logs = logs or {}
        self.epochs_done = self.live.epochs_done if self.live is not None else epoch + 1
        self._dirty = True
        value = logs.get(self.monitor)
        self._best_is_current = False
        if isinstance(value, (int, float)) and self._improved(float(value)):
            self.best, self.best_epoch = float(value), epoch + 1
            self._best_is_current = True
        if time.monotonic() - self._last_save >= self.every_s:
            self.save()
        elif self._best_is_current:
            self._best_weights = self.model.get_weights()  # already fresh numpy arrays

    def save(self) -> None:
        """Write last (and best when it changed), then the resume state."""
        if not self._dirty:
            return
        save_model_atomic(self.model, self.last_path)
        if self._best_is_current:
            copy_atomic(self.last_path, self.best_path)
            self._best_weights = None
        elif self._best_weights is not None:
            current = self.model.get_weights()
            self.model.set_weights(self._best_weights)
            try:
                save_model_atomic(self.model, self.best_path)
            finally:
                self.model.set_weights(current)
            self._best_weights = None
        self.saves += 1
        self._dirty = False
        self._last_save = time.monotonic()
        atomic_write_text(self.folder / STATE, json.dumps(self.state(), indent=2) + "\n")

    def finalize(self) -> None:
        """After ``fit`` returns: whatever is not on disk yet."""
        if self.live is not None and self.live.failure:
            return
        self.save()

    def state(self) -> dict[str, Any]:
        return {"epochs_done": self.epochs_done, "monitor": self.monitor, "mode": self.mode,
                "best": self.best, "best_epoch": self.best_epoch}


def read_state(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((Path(folder) / STATE).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}
