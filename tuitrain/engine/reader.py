"""Tail a run directory while the trainer writes it: the live chart and ``tuitrain train`` stand on this.

``RunReader.poll()`` reads only the bytes appended since the previous poll, keeps an incomplete
last line until its newline arrives, and returns the new events with long keys (see
``tuitrain.engine.events``). Reading never blocks or locks the writer.
"""

from __future__ import annotations

import os
from collections import deque
from pathlib import Path
from typing import Any

from tuitrain.engine.events import EVENTS_FILE, EventDecoder
from tuitrain.engine.rundir import TRAINER_LOG, RunInfo, effective_status, load_run_json, run_json_problem
from tuitrain.fsutil import read_tail
from tuitrain.safetext import clean, clean_line

# Upper bound on one poll's read, so a first poll of a huge file does not stall a UI frame too long.
MAX_READ = 8 * 1024 * 1024


class RunReader:
    """Incremental reader of one run directory."""

    def __init__(self, run_dir: str | os.PathLike) -> None:
        self.run_dir = Path(run_dir)
        self.events_path = self.run_dir / EVENTS_FILE
        self.offset = 0
        self._partial = b""
        self._decoder = EventDecoder()
        self._inode: int | None = None

    def poll(self) -> list[dict[str, Any]]:
        """New events since the last poll (``[]`` when nothing new or no file yet)."""
        try:
            st = os.stat(self.events_path)
        except FileNotFoundError:
            return []
        if (self._inode is not None and st.st_ino != self._inode) or st.st_size < self.offset:
            self._reset()  # the file was replaced or truncated: start over
        self._inode = st.st_ino
        if st.st_size == self.offset:
            return []
        with open(self.events_path, "rb") as fh:
            fh.seek(self.offset)
            data = fh.read(min(st.st_size - self.offset, MAX_READ))
        self.offset += len(data)
        data = self._partial + data
        lines = data.split(b"\n")
        self._partial = lines.pop()  # b"" after a complete line, else the torn tail
        events = []
        for line in lines:
            event = self._decoder.decode_line(line)
            if event is not None:
                events.append(event)
        return events

    def _reset(self) -> None:
        self.offset = 0
        self._partial = b""
        self._decoder = EventDecoder()

    def status(self) -> dict[str, Any]:
        """``run.json`` with ``status`` replaced by ``crashed`` when its trainer is gone."""
        info, problem = load_run_json(self.run_dir)
        problem = None if not info and problem == "no run.json" else problem or run_json_problem(info)
        if problem:  # crafted or damaged: shown as such, never half-trusted
            return {"status": "invalid", "error": problem}
        if info:
            info["status"] = effective_status(info)
            for key in ("error", "message"):  # texts for a terminal (Keras' own included)
                if isinstance(info.get(key), str):
                    info[key] = clean(info[key])
        return info

    def log_tail(self, n: int = 20) -> list[str]:
        """The last ``n`` lines of ``trainer.log`` (tracebacks, TensorFlow warnings)."""
        path = self.run_dir / TRAINER_LOG
        try:  # bounded: a trainer.log that is a link to /dev/zero or a FIFO is a reason, not a hang
            text = read_tail(path, 64 * 1024).decode("utf-8", errors="replace")
        except FileNotFoundError:
            return []
        except OSError as err:
            return [f"({TRAINER_LOG} cannot be read: {str(err).removeprefix(f'{path}: ')})"]
        return [clean_line(line) for line in deque(text.splitlines(), maxlen=n)]  # shown on terminals: escaped

    def run_info(self) -> RunInfo:
        return RunInfo.from_dir(self.run_dir)
