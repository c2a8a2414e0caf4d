"""Batch and epoch rows with samples/s, written to the run's event file."""

from __future__ import annotations

import time
from typing import Any

import keras
import numpy as np

from tuitrain.runs.events import EventWriter
from tuitrain.runs.layout import METRICS_CSV
from tuitrain.trainer.callbacks.rate_meter import RateMeter
from tuitrain.trainer.callbacks.step_counter import StepCounter


class EventLog(StepCounter):
    """Batch rows (every ``log_every`` steps) and epoch rows with samples/s, in ``events.jsonl``.

    ``samples`` / ``batch_size`` turn batches into samples (the last batch of an epoch may be
    short); with no batch size (a ``tf.data`` input), samples/s is written as 0.
    """

    def __init__(self, writer: EventWriter, *, samples: int | None, batch_size: int | None,
                 log_every: int = 1, epochs_done: int = 0) -> None:
        super().__init__()
        self.writer = writer
        self.samples = samples
        self.batch_size = batch_size
        self.log_every = max(1, int(log_every))
        self.epochs_done = epochs_done  # complete epochs (what a resume starts from)
        self.samples_total = 0  # samples trained by this callback (the benchmark's numerator)
        self.rate = RateMeter()
        self._seen = 0  # samples done in this epoch
        self._batches = 0  # batches done in this epoch
        self.partial = False  # the last epoch that ended was cut short by a stop (its values are no epoch's)
        self._epoch_t0 = 0.0
        self._train_s = 0.0  # training time in this epoch (pauses and validation left out)
        self._non_scalar: set[str] = set()  # metrics left out of the events (told once each)
        self._number_types: tuple[type, ...] | None = None  # value types of logs known to be all numbers

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self.step = self.epochs_done * self.steps
        self.writer.status("running", step=self.step, epoch=self.epoch, epochs=self.epochs, steps_per_epoch=self.steps,
                           initial_epoch=self.epochs_done, samples=self.samples, batch_size=self.batch_size)

    def on_epoch_begin(self, epoch, logs=None):
        super().on_epoch_begin(epoch, logs)
        now = time.monotonic()
        self.rate.resume(now)
        self._epoch_t0 = now
        self._seen = self._batches = 0
        self._train_s = 0.0

    def paused_for(self, seconds: float) -> None:
        """A pause just ended (called by :class:`RunControl`): it counts in no rate."""
        self._epoch_t0 += seconds
        self.rate.resume(time.monotonic())

    def on_train_batch_end(self, batch, logs=None):
        """Called every batch: a few µs (issue #25), so no per-key work here; the writer formats at flush."""
        now = time.monotonic()
        step = self.step = (self.epoch - 1) * self.steps + batch + 1  # step_of(batch), inlined
        rate = 0.0
        if self.batch_size:
            done = (batch + 1) * self.batch_size
            if self.samples and done > self.samples:
                done = self.samples
            rate = self.rate.add(done - self._seen, now)
            self._seen = done
        self._batches = batch + 1
        self._train_s = now - self._epoch_t0
        if step % self.log_every == 0 or batch + 1 == self.steps:
            self.writer.batch(step, self.epoch, self._scalar_logs(logs or {}), rate)

    def _scalar_logs(self, logs: dict[str, Any]) -> dict[str, Any]:
        """:meth:`scalars`, checked once per layout of value types (they do not change from batch to batch)."""
        types = tuple(map(type, logs.values()))
        if types == self._number_types:
            return logs
        kept = self.scalars(logs)
        if kept is logs:
            self._number_types = types
        return kept

    def on_epoch_end(self, epoch, logs=None):
        logs = dict(self.scalars(logs or {}))
        rate = self._seen / self._train_s if self._seen and self._train_s > 0 else 0.0
        self.samples_total += self._seen
        lr = self._learning_rate()
        if lr is not None and "lr" not in logs and "learning_rate" not in logs:
            logs["lr"] = lr
        self.partial = bool(self.steps and self._batches < self.steps)
        if self.partial:
            logs["partial"], logs["batches"] = True, self._batches
        else:
            self.epochs_done = epoch + 1
        self.writer.epoch(self.step, self.epoch, logs, samples_per_s=rate, epochs=self.epochs, steps=self.steps)

    def on_train_end(self, logs=None):
        self.writer.flush()

    @property
    def batches_done(self) -> int:
        """Batches trained in the current (or last) epoch: where a stop left it."""
        return self._batches

    def scalars(self, logs: dict[str, Any]) -> dict[str, Any]:
        """``logs`` without per-class / per-threshold vectors (F1Score(average=None), Precision(thresholds=[…])).

        Events hold one number per metric; a vector is told once in the log and left out
        rather than crash training. Returns ``logs`` itself when every value is a number.
        """
        if all(isinstance(v, (int, float)) for v in logs.values()):
            return logs
        kept: dict[str, Any] = {}
        for key, value in logs.items():
            if isinstance(value, (int, float)):
                kept[key] = value
                continue
            try:
                if np.ndim(value) == 0:
                    kept[key] = float(value)
                    continue
                shape = np.shape(value)
            except (TypeError, ValueError):
                shape = None
            if key not in self._non_scalar:
                self._non_scalar.add(key)
                what = f"has shape {shape}" if shape is not None else f"is a {type(value).__name__}"
                self.writer.log(f"metric {key} {what}, not one number: left out of the live metrics ({METRICS_CSV} has it)")
        return kept

    def _learning_rate(self) -> float | None:
        try:
            return float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))
        except Exception:
            return None
