"""Checkpoints of the last and the best model, each committed together with the state it holds.

A checkpoint and the state that says which epoch it holds are one file: the state is a
``tuitrain_state.json`` entry inside the ``.keras`` zip (Keras ignores entries it does not
know). Each file is written under a temporary name, its state added, flushed to disk, and
renamed over the old one, so a trainer killed at any moment leaves, for each of
``last.keras`` and ``best.keras``, either the old file with the old state or the new file with
the new state — never the weights of one epoch with the epoch count of another. Resume reads
the epochs done from ``last.keras`` and the best value from ``best.keras``.
``checkpoints/state.json`` is a readable copy written afterwards; it is only a fallback for
checkpoints written before the state moved into the file.

A save costs a few to hundreds of milliseconds, far more than a small epoch, so after the first
epoch's save they are spaced at least ``every_s`` seconds apart during training (``[fit]
checkpoint_every``; 0 saves every epoch, so a kill loses at most one epoch); the best epoch's
weights are kept in memory until they can be written, and both files are written when training
ends (``finalize``). A best model written late has the best epoch's weights but the optimizer
state of the moment it was written (resume uses ``last.keras``, which is exact).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
import zipfile
from pathlib import Path
from typing import Any, Callable

import keras

from tuitrain.common.fsutil import atomic_write_text, fsync_dir, read_bounded
from tuitrain.runs.layout import BEST_NAME, LAST_NAME, STATE_NAME as STATE

STATE_ENTRY = "tuitrain_state.json"  # inside the .keras zip
MAX_STATE_BYTES = 64 * 1024

# The steps of one commit, in order; tests stop the commit at each one (see ``_reach``).
STAGES = ("saved", "state_added", "synced", "best_copied", "best_renamed", "last_renamed", "state_json")

# Tests set this to a function that raises at a chosen stage, as a kill at that moment would.
fault_hook: Callable[[str], None] | None = None


def _reach(stage: str) -> None:
    if fault_hook is not None:
        fault_hook(stage)


def _tmp(path: Path) -> Path:
    return path.with_name(f".{path.stem}.tmp{path.suffix}")  # Keras wants the .keras suffix


def _add_state(path: Path, state: dict[str, Any]) -> None:
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr(STATE_ENTRY, json.dumps(state, indent=2) + "\n")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def save_model_atomic(model: Any, path: Path, state: dict[str, Any] | None = None) -> None:
    """``model.save`` to a temp name beside ``path``, add ``state`` inside it, fsync, rename."""
    tmp = _tmp(path)
    try:
        model.save(tmp)
        if state is not None:
            _add_state(tmp, state)
        _fsync(tmp)
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except Exception:
        tmp.unlink(missing_ok=True)
        raise


def checkpoint_state(path: Path) -> dict[str, Any] | None:
    """The state committed inside a checkpoint file; None when it has none or cannot be read."""
    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo(STATE_ENTRY)
            if info.file_size > MAX_STATE_BYTES:
                return None
            data = json.loads(zf.read(info).decode("utf-8"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, RecursionError):
        return None
    return data if isinstance(data, dict) else None


class Checkpointer(keras.callbacks.Callback):
    """``last.keras`` every epoch (spaced by ``every_s``), ``best.keras`` by ``monitor``."""

    def __init__(self, folder: Path, *, monitor: str, mode: str, every_s: float = 5.0,
                 epochs_done: int = 0, best: float | None = None, best_epoch: int | None = None,
                 live: Any = None) -> None:
        super().__init__()
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.last_path = self.folder / LAST_NAME
        self.best_path = self.folder / BEST_NAME
        for stale in (_tmp(self.last_path), _tmp(self.best_path)):  # left by a trainer killed mid-save
            stale.unlink(missing_ok=True)
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
        self.phase: dict[str, int] | None = None  # [[phases]]: the phase (and its start) the weights belong to

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
        cut_short = bool(getattr(self.live, "epoch_partial", False))  # a stop's partial epoch is no epoch's value
        if isinstance(value, (int, float)) and not cut_short and self._improved(float(value)):
            self.best, self.best_epoch = float(value), epoch + 1
            self._best_is_current = True
        if time.monotonic() - self._last_save >= self.every_s:
            self.save()
        elif self._best_is_current:
            self._best_weights = self.model.get_weights()  # already fresh numpy arrays

    def save(self) -> None:
        """Commit last (and best when it changed), each file with its state inside, then state.json."""
        if not self._dirty:
            return
        state = self.state()
        last_tmp = _tmp(self.last_path)
        try:
            self.model.save(last_tmp)
            _reach("saved")
            _add_state(last_tmp, state)
            _reach("state_added")
            _fsync(last_tmp)
            _reach("synced")
            if self._best_is_current:
                best_tmp = _tmp(self.best_path)
                shutil.copyfile(last_tmp, best_tmp)
                _fsync(best_tmp)
                _reach("best_copied")
                os.replace(best_tmp, self.best_path)
                _reach("best_renamed")
                self._best_weights = None
            elif self._best_weights is not None:
                current = self.model.get_weights()
                self.model.set_weights(self._best_weights)
                try:
                    save_model_atomic(self.model, self.best_path, state)
                finally:
                    self.model.set_weights(current)
                _reach("best_renamed")
                self._best_weights = None
            os.replace(last_tmp, self.last_path)
            fsync_dir(self.folder)
            _reach("last_renamed")
        except Exception:
            last_tmp.unlink(missing_ok=True)
            _tmp(self.best_path).unlink(missing_ok=True)
            raise
        self.saves += 1
        self._dirty = False
        self._last_save = time.monotonic()
        atomic_write_text(self.folder / STATE, json.dumps(state, indent=2) + "\n")
        _reach("state_json")

    def finalize(self) -> None:
        """After ``fit`` returns: whatever is not on disk yet."""
        if self.live is not None and self.live.failure:
            return
        self.save()

    def state(self) -> dict[str, Any]:
        state = {"epochs_done": self.epochs_done, "monitor": self.monitor, "mode": self.mode,
                 "best": self.best, "best_epoch": self.best_epoch}
        return state | (self.phase or {})


def read_state(folder: Path) -> dict[str, Any]:
    """What ``--resume`` continues from: epochs done as ``last.keras`` records them, the best value
    and its epoch as ``best.keras`` records them (each file's own state describes exactly that file)."""
    folder = Path(folder)
    last = checkpoint_state(folder / LAST_NAME)
    if last is None:  # a checkpoint from before the state lived inside it
        try:
            data = json.loads(read_bounded(folder / STATE, MAX_STATE_BYTES, what=STATE).decode("utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError, RecursionError):
            return {}
    state = dict(last)
    best = checkpoint_state(folder / BEST_NAME)
    if best is not None and best.get("monitor") == last.get("monitor"):
        state["best"], state["best_epoch"] = best.get("best"), best.get("best_epoch")
    return state
