"""Stop and pause requests acted on between batches."""

from __future__ import annotations

import time
from collections import deque
from typing import Any, Callable

from tuitrain.runs.control import ControlInbox
from tuitrain.runs.events import EventWriter
from tuitrain.trainer.callbacks.step_counter import StepCounter

# How often a paused run looks for the request that resumes it.
PAUSE_POLL_S = 0.05


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
