"""The live-metrics callback: batch and epoch events, samples/s, control requests, NaN watch.

It writes events; it does not plot, print or save models (``checkpoint.py`` does that).

Keras dispatches ``on_train_batch_end`` to a worker thread when the backend is thread-safe and
every callback is ``async_safe`` or leaves that hook alone (``keras/src/callbacks/callback_list.py``):
the training loop then never waits for a batch's metric values. This callback is async-safe
(rows go through a locked buffer, steps come from Keras' batch index, not a counter), so it
never takes that fast path away. With TensorFlow, Keras 3.15 marks the backend not thread-safe
(``IS_THREAD_SAFE = False`` in ``keras/src/backend/tensorflow/core.py``) and calls batch hooks
synchronously; it converts each batch's logs to Python floats even in a bare ``fit`` (for
``History``), so reading them here adds no device sync. Control — stop, pause — lives in
``on_train_batch_begin``, which Keras always calls on the training thread: the only hook where
sleeping pauses training on every backend, and where ``model.stop_training`` takes effect
after the batch about to run.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from typing import Any

import keras
import numpy as np

from tuitrain.engine.control import ControlInbox
from tuitrain.engine.events import EventWriter
from tuitrain.engine.fit_options import better_direction

# samples/s is averaged over windows of about this many seconds (per-batch rates are noise).
RATE_WINDOW_S = 0.5


class LiveMetrics(keras.callbacks.Callback):
    async_safe = True

    def __init__(
        self,
        writer: EventWriter,
        inbox: ControlInbox | None,
        *,
        samples: int | None,
        batch_size: int,
        log_every: int = 1,
        on_status: Any = None,
    ) -> None:
        super().__init__()
        self.writer = writer
        # Called with "paused" / "running" / "stopping" so run.json (what `tuitrain runs` and
        # other readers see first) says it too, not only events.jsonl.
        self.on_status = on_status or (lambda status: None)
        self.inbox = inbox
        self.samples = samples
        self.batch_size = batch_size
        self.log_every = max(1, int(log_every))
        self.steps = 0  # steps per epoch (from Keras' params)
        self.epochs = 0
        self.epoch = 0  # 1-based epoch in progress
        self.step = 0  # global steps done
        self.epochs_done = 0  # complete epochs (what a resume starts from)
        self.stop_reason: str | None = None  # stop_batch | stop_epoch | signal
        self.stop_note: str | None = None  # e.g. "SIGTERM received"
        self.failure: str | None = None  # NaN/Inf loss message
        self.paused = False
        self.best: dict[str, float] = {}
        self._pending: deque[str] = deque()  # requests from signal handlers
        self._lock = threading.Lock()
        self._epoch_t0 = 0.0
        self._last_batch_t = 0.0
        self._batches_in_epoch = 0
        self._paused_s = 0.0
        self._pause_t0 = 0.0
        self._win_t = 0.0
        self._win_n = 0
        self._rate = 0.0
        self._seen = 0  # samples done in this epoch (max over batch ends)
        self.samples_total = 0  # samples trained in this process (the benchmark's numerator)
        self._non_scalar: set[str] = set()  # metrics left out of the events (told once each)

    # -- Keras hooks ---------------------------------------------------------------------------

    def on_train_begin(self, logs=None):
        self.steps = int(self.params.get("steps") or 0)
        self.epochs = int(self.params.get("epochs") or 0)
        self.step = self.epochs_done * self.steps
        self.writer.status("running", step=self.step, epoch=self.epoch, epochs=self.epochs, steps_per_epoch=self.steps,
                           initial_epoch=self.epochs_done, samples=self.samples, batch_size=self.batch_size)

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch + 1
        self.step = epoch * self.steps
        now = time.monotonic()
        with self._lock:
            if self._win_t:
                # The rate window spans epochs (short epochs would never fill one) but not validation.
                self._win_t += now - self._last_batch_t
            else:
                self._win_t = now
            self._epoch_t0 = self._last_batch_t = now
            self._seen = 0
            self._batches_in_epoch = 0
            self._paused_s = 0.0

    def on_train_batch_begin(self, batch, logs=None):
        self._handle_requests()
        while self.paused and not self.model.stop_training:
            self.writer.flush()
            time.sleep(0.05)
            self._handle_requests(force=True)

    def on_train_batch_end(self, batch, logs=None):
        logs = self._scalars(logs or {})
        step = (self.epoch - 1) * self.steps + batch + 1
        now = time.monotonic()
        done = (batch + 1) * self.batch_size
        if self.samples:
            done = min(done, self.samples)
        with self._lock:
            self.step = max(self.step, step)
            self._seen = max(self._seen, done)
            self._batches_in_epoch = max(self._batches_in_epoch, batch + 1)
            self._last_batch_t = max(self._last_batch_t, now)
            rate = self._update_rate(now)
        loss = logs.get("loss")
        if loss is not None and not math.isfinite(loss) and self.failure is None:
            self.failure = f"loss became {loss} at step {step} (epoch {self.epoch}, batch {batch + 1}); training stopped."
            self.model.stop_training = True
        if step % self.log_every == 0 or batch + 1 == self.steps:
            self.writer.batch(step, self.epoch, logs, rate)

    def on_epoch_end(self, epoch, logs=None):
        logs = dict(self._scalars(logs or {}))
        with self._lock:
            train_s = max(1e-9, self._last_batch_t - self._epoch_t0 - self._paused_s)
            rate = self._seen / train_s if self._seen else 0.0
            partial = self.steps and self._batches_in_epoch < self.steps
            self.samples_total += self._seen
        lr = self._learning_rate()
        if lr is not None and "lr" not in logs and "learning_rate" not in logs:
            logs["lr"] = lr
        if partial:
            logs["partial"] = True
        else:
            self.epochs_done = epoch + 1
        self._track_best(logs)
        self.writer.epoch(self.step, self.epoch, logs, samples_per_s=rate, epochs=self.epochs, steps=self.steps)
        loss = logs.get("loss")
        if loss is not None and not math.isfinite(loss) and self.failure is None:
            self.failure = f"loss became {loss} at step {self.step} (epoch {self.epoch}); training stopped."
        if self.stop_reason == "stop_epoch" or self.failure:
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        self.writer.flush()

    # -- control ---------------------------------------------------------------------------

    def request(self, action: str, *, note: str | None = None) -> None:
        """Queue a request from a signal handler: no locks taken here, acked at the next batch.

        ``signal`` stops like ``stop_batch`` and takes effect at once, even during validation.
        """
        if action == "signal":
            self.stop_reason, self.stop_note = "signal", note
            if self.model is not None:
                self.model.stop_training = True
        self._pending.append(action)

    def drain_requests(self) -> None:
        """After ``fit``: acknowledge signal requests that arrived after the last batch began."""
        while self._pending:
            self._apply(self._pending.popleft())

    def _handle_requests(self, force: bool = False) -> None:
        actions = list(self.inbox.poll(force=force)) if self.inbox is not None else []
        while self._pending:
            actions.append(self._pending.popleft())
        for action in actions:
            self._apply(action)

    def _announce(self, status: str, **fields: Any) -> None:
        """Acknowledge a control request in the events and in run.json."""
        self.writer.status(status, **fields)
        self.on_status(status)

    def _apply(self, action: str) -> None:
        at = {"step": self.step, "epoch": self.epoch}
        if action == "pause" and not self.paused:
            self.paused = True
            self._pause_t0 = time.monotonic()
            self._announce("paused", message=f"paused at step {self.step} (epoch {self.epoch})", **at)
        elif action == "resume" and self.paused:
            self._unpause()
            self._announce("running", message="resumed", **at)
        elif action == "signal":
            self._unpause()
            self.model.stop_training = True
            self._announce("stopping", message=f"{self.stop_note or 'signal'}: stopping after the current batch",
                               request="signal", **at)
        elif action == "stop_batch" and self.stop_reason != "signal":
            self._unpause()
            self.stop_reason = "stop_batch"
            self.model.stop_training = True
            self._announce("stopping", message="stopping after the current batch", request="stop_batch", **at)
        elif action == "stop_epoch" and self.stop_reason is None:
            self._unpause()
            self.stop_reason = "stop_epoch"
            self._announce("stopping", message=f"stopping after epoch {self.epoch}", request="stop_epoch", **at)

    def _unpause(self) -> None:
        if self.paused:
            self.paused = False
            now = time.monotonic()
            with self._lock:
                self._paused_s += now - self._pause_t0
                self._win_t, self._win_n = now, self.samples_total + self._seen  # the pause is not part of any rate

    # -- numbers ---------------------------------------------------------------------------

    def _update_rate(self, now: float) -> float:
        """samples/s over the last full window (~0.5 s of training); a provisional value before one."""
        total = self.samples_total + self._seen
        dt = now - self._win_t
        if dt >= RATE_WINDOW_S:
            self._rate = (total - self._win_n) / dt
            self._win_t, self._win_n = now, total
        elif not self._rate and dt > 0.05:
            return (total - self._win_n) / dt
        return self._rate

    def _scalars(self, logs: dict[str, Any]) -> dict[str, Any]:
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

    def _track_best(self, logs: dict[str, Any]) -> None:
        for key, value in logs.items():
            if key in ("lr", "learning_rate", "partial") or not isinstance(value, (int, float)) or not math.isfinite(value):
                continue
            old = self.best.get(key)
            better = max if better_direction(key) == "max" else min
            self.best[key] = float(value) if old is None else float(better(old, value))


class RunProgress(keras.callbacks.Callback):
    """Calls ``update`` at an epoch end at most every ``every_s`` seconds (run.json progress)."""

    def __init__(self, update: Any, *, every_s: float) -> None:
        super().__init__()
        self.update = update
        self.every_s = every_s
        self._last = time.monotonic()

    def on_epoch_end(self, epoch, logs=None):
        now = time.monotonic()
        if now - self._last >= self.every_s:
            self._last = now
            self.update()
