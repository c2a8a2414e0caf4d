"""The run's Keras callbacks, one job each; ``LiveRun`` (``engine/liverun.py``) puts them together.

- :class:`EventLog` writes batch and epoch rows with samples/s to ``events.jsonl``;
- :class:`RunControl` acts on stop/pause requests (``control.jsonl``, signals) between batches;
- :class:`StopOnNaN` is Keras' own ``TerminateOnNaN`` that also says where the loss went bad;
- :class:`BestMetrics` keeps each metric's best epoch value (``best`` in run.json);
- :class:`RunProgress` refreshes run.json's progress fields every few seconds.

They assume Keras calls them in order on one thread, as it does with TensorFlow (Keras marks
that backend not thread-safe, ``IS_THREAD_SAFE = False``, and so never dispatches batch hooks
to its worker pool). None declares ``async_safe``: on a backend that may dispatch
``on_train_batch_end`` to several threads at once, Keras then calls these in order too.
Control lives in ``on_train_batch_begin``, always called on the training thread: the one hook
where sleeping pauses training, and where ``model.stop_training`` takes effect after the batch
about to run.
"""

from __future__ import annotations

import math
import time
from collections import deque
from typing import Any, Callable

import keras
import numpy as np

from tuitrain.runs.control import ControlInbox
from tuitrain.runs.events import EventWriter
from tuitrain.common.metric_names import NOT_METRICS, better_direction

# samples/s is averaged over windows of about this many seconds (per-batch rates are noise).
RATE_WINDOW_S = 0.5
# How often a paused run looks for the request that resumes it.
PAUSE_POLL_S = 0.05


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


class RateMeter:
    """Samples per second of training: over ~0.5 s windows, spanning epochs, without pauses or validation."""

    def __init__(self) -> None:
        self.total = 0  # samples counted so far
        self._win_t = 0.0
        self._win_n = 0
        self._rate = 0.0
        self._last_t = 0.0

    def resume(self, now: float) -> None:
        """Training (re)starts at ``now``: time since the last batch (validation, a pause) does not count."""
        if self._win_t and self._last_t:
            self._win_t += now - self._last_t
        else:
            self._win_t = now
        self._last_t = now

    def add(self, samples: int, now: float) -> float:
        """Count ``samples`` just done; the current rate (provisional before a full window)."""
        self.total += samples
        self._last_t = now
        dt = now - self._win_t
        if dt >= RATE_WINDOW_S:
            self._rate = (self.total - self._win_n) / dt
            self._win_t, self._win_n = now, self.total
        elif not self._rate and dt > 0.05:
            return (self.total - self._win_n) / dt
        return self._rate


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
        self._epoch_t0 = 0.0
        self._train_s = 0.0  # training time in this epoch (pauses and validation left out)
        self._non_scalar: set[str] = set()  # metrics left out of the events (told once each)

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
        now = time.monotonic()
        self.step = self.step_of(batch)
        done = (batch + 1) * (self.batch_size or 0)
        if self.samples:
            done = min(done, self.samples)
        rate = self.rate.add(done - self._seen, now) if self.batch_size else 0.0
        self._seen, self._batches = done, batch + 1
        self._train_s = now - self._epoch_t0
        if self.step % self.log_every == 0 or batch + 1 == self.steps:
            self.writer.batch(self.step, self.epoch, self.scalars(logs or {}), rate)

    def on_epoch_end(self, epoch, logs=None):
        logs = dict(self.scalars(logs or {}))
        rate = self._seen / self._train_s if self._seen and self._train_s > 0 else 0.0
        self.samples_total += self._seen
        lr = self._learning_rate()
        if lr is not None and "lr" not in logs and "learning_rate" not in logs:
            logs["lr"] = lr
        if self.steps and self._batches < self.steps:
            logs["partial"] = True
        else:
            self.epochs_done = epoch + 1
        self.writer.epoch(self.step, self.epoch, logs, samples_per_s=rate, epochs=self.epochs, steps=self.steps)

    def on_train_end(self, logs=None):
        self.writer.flush()

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
                self.writer.log(f"metric {key} {what}, not one number: left out of the live metrics (metrics.csv has it)")
        return kept

    def _learning_rate(self) -> float | None:
        try:
            return float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))
        except Exception:
            return None


class RunControl(StepCounter):
    """Stop and pause requests from the app, the CLI (``control.jsonl``) and signals, between batches.

    Each request is acknowledged with a status event (``paused``, ``running``, ``stopping``)
    and ``on_status(status)`` (run.json says it too, for readers that look there first).
    ``on_pause_end(seconds)`` lets the event log keep the pause out of samples/s.
    """

    def __init__(self, writer: EventWriter, inbox: ControlInbox | None, *,
                 on_status: Callable[[str], None] | None = None,
                 on_pause_end: Callable[[float], None] | None = None) -> None:
        super().__init__()
        self.writer = writer
        self.inbox = inbox
        self.on_status = on_status or (lambda status: None)
        self.on_pause_end = on_pause_end or (lambda seconds: None)
        self.paused = False
        self.stop_reason: str | None = None  # stop_batch | stop_epoch | signal
        self.stop_note: str | None = None  # e.g. "SIGTERM received"
        self._pending: deque[str] = deque()  # requests from signal handlers and before fit
        self._pause_t0 = 0.0

    def on_train_batch_begin(self, batch, logs=None):
        self.step = self.step_of(batch) - 1
        self._handle_requests()
        while self.paused and not self.model.stop_training:
            self.writer.flush()
            time.sleep(PAUSE_POLL_S)
            self._handle_requests(force=True)

    def on_epoch_end(self, epoch, logs=None):
        self.step = self.epoch * self.steps
        if self.stop_reason == "stop_epoch":
            self.model.stop_training = True

    def request(self, action: str, *, note: str | None = None) -> None:
        """Queue a request (from a signal handler: no locks taken here); acted on at the next batch.

        ``signal`` stops like ``stop_batch`` and takes effect at once, even during validation.
        """
        if action == "signal":
            self.stop_reason, self.stop_note = "signal", note
            if self.model is not None:
                self.model.stop_training = True
        self._pending.append(action)

    def drain_requests(self) -> None:
        """After ``fit``: acknowledge requests that arrived after the last batch began."""
        while self._pending:
            self._apply(self._pending.popleft())

    def _handle_requests(self, force: bool = False) -> None:
        actions = list(self.inbox.poll(force=force)) if self.inbox is not None else []
        while self._pending:
            actions.append(self._pending.popleft())
        for action in actions:
            self._apply(action)

    def _announce(self, status: str, **fields: Any) -> None:
        # run.json first: a reader that sees the event then finds run.json agreeing with it.
        self.on_status(status)
        self.writer.status(status, step=self.step, epoch=self.epoch, **fields)

    def _apply(self, action: str) -> None:
        if action == "pause" and not self.paused:
            self.paused = True
            self._pause_t0 = time.monotonic()
            self._announce("paused", message=f"paused at step {self.step} (epoch {self.epoch})")
        elif action == "resume" and self.paused:
            self._unpause()
            self._announce("running", message="resumed")
        elif action == "signal":
            self._unpause()
            self.model.stop_training = True
            self._announce("stopping", message=f"{self.stop_note or 'signal'}: stopping after the current batch",
                           request="signal")
        elif action == "stop_batch" and self.stop_reason not in ("signal", "stop_batch"):  # a repeat says nothing new
            self._unpause()
            self.stop_reason = "stop_batch"
            self.model.stop_training = True
            self._announce("stopping", message="stopping after the current batch", request="stop_batch")
        elif action == "stop_epoch" and self.stop_reason is None:
            self._unpause()
            self.stop_reason = "stop_epoch"
            self._announce("stopping", message=f"stopping after epoch {self.epoch}", request="stop_epoch")

    def _unpause(self) -> None:
        if self.paused:
            self.paused = False
            self.on_pause_end(time.monotonic() - self._pause_t0)


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
