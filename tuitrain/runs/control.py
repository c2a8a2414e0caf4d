"""Control requests: the app and the CLI ask a running trainer to stop or pause.

Requests are appended as JSON lines to ``RUN_DIR/control.jsonl`` (one small ``write`` with
O_APPEND, so concurrent senders never interleave). The trainer remembers how far it has read
and acts on each new line once; it acknowledges in ``events.jsonl`` with a status event
(``stopping``, ``paused``, ``running``). A file rather than a signal so that requests are
kept in order, survive a pause, and work for any user who can write to the run directory.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from tuitrain.common.errors import TuitrainError

from tuitrain.runs.layout import CONTROL_FILE
ACTIONS = ("stop_batch", "stop_epoch", "pause", "resume")
MAX_READ = 64 * 1024  # bytes of control.jsonl read per poll
MAX_LINE = 4096  # a request is one short JSON object


def request_control(run_dir: str | os.PathLike, action: str) -> None:
    """Ask the trainer of ``run_dir`` to ``stop_batch``, ``stop_epoch``, ``pause`` or ``resume``."""
    if action not in ACTIONS:
        raise TuitrainError(f"unknown control action '{action}': use one of {', '.join(ACTIONS)}.")
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise TuitrainError(f"{run_dir}: no such run directory.")
    line = json.dumps({"action": action, "time": time.time()}) + "\n"
    fd = os.open(run_dir / CONTROL_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)


class ControlInbox:
    """The trainer's side: new requests since the last look, checked at most every ``interval`` s."""

    def __init__(self, run_dir: str | os.PathLike, *, interval: float = 0.1, skip_existing: bool = True,
                 offset: int | None = None) -> None:
        """``offset``: where this attempt's requests begin (``control_offset`` in run.json, set at launch).

        Without it, ``skip_existing`` starts at the file's current end. Either way a resumed run
        does not replay the stop that ended its previous attempt; with ``offset`` a request sent
        while the trainer was still starting (importing TensorFlow) is not skipped as "old".
        """
        self.path = Path(run_dir) / CONTROL_FILE
        self.interval = interval
        self._next = 0.0
        self._partial = b""
        if offset is not None:
            self._offset = int(offset)
        else:
            self._offset = self.path.stat().st_size if (skip_existing and self.path.exists()) else 0

    def poll(self, *, force: bool = False) -> list[str]:
        now = time.monotonic()
        if not force and now < self._next:
            return []
        self._next = now + self.interval
        try:
            size = os.stat(self.path).st_size
        except FileNotFoundError:
            return []
        if size <= self._offset:
            return []
        with open(self.path, "rb") as fh:
            fh.seek(self._offset)
            data = fh.read(min(size - self._offset, MAX_READ))  # bounded: a copied run may hold a huge file
        self._offset += len(data)
        data = self._partial + data
        lines = data.split(b"\n")
        self._partial = lines.pop()
        if len(self._partial) > MAX_LINE:  # no request is this long: drop it rather than hold it
            self._partial = b""
        actions = []
        for line in lines:
            try:
                action = json.loads(line).get("action") if len(line) <= MAX_LINE else None
            except (ValueError, AttributeError, RecursionError):
                continue
            if action in ACTIONS:
                actions.append(action)
        return actions
