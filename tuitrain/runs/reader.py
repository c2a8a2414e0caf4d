"""Tail a run directory while the trainer writes it: the live chart and ``tuitrain train`` stand on this.

The reader keeps a byte offset and reads only what was appended since the last call, at most
``chunk`` bytes at a time, so a 10^7-row file is read in steps a worker can report progress on.
An incomplete last line waits for its newline; a line longer than ``max_line`` is skipped
without being held in memory; a file that shrinks or is replaced starts the reading over (a
:data:`RESET` marker tells a sink to forget what it had). Reading never blocks or locks the
writer, and only regular files are read (``events.jsonl`` symlinked to ``/dev/zero`` or a FIFO
is reported, not read).

Two interfaces:

- :meth:`RunReader.read` returns parts: :class:`~tuitrain.runs.decode.BatchBlock` (numpy rows
  of batch metrics), long-key event dicts (epoch, status, log) and :data:`RESET`. The chart's
  columnar store is fed from it.
- :meth:`RunReader.poll` returns long-key event dicts (``docs/internals.md``), for callers that
  want one dict per event (``tuitrain train``'s progress, small runs).
"""

from __future__ import annotations

import os
import stat
from collections import deque
from pathlib import Path
from typing import Any

from tuitrain.runs.decode import BatchBlock, EventDecoder, SkipLog, block_events
from tuitrain.runs.layout import EVENTS_FILE, TRAINER_LOG
from tuitrain.runs.rundir import NO_RUN_JSON, RunInfo, effective_status, load_run_json, run_json_problem
from tuitrain.common.fsutil import read_tail
from tuitrain.common.safetext import clean, clean_line

# Bytes read per call: a UI worker hands over a chunk at a time (about 17,000 batch rows; the
# transient objects of a bigger chunk cost more memory than the calls save).
CHUNK = 1024 * 1024
# A longer line is skipped, never read whole (real rows are under 100 bytes; epoch rows a few KB).
MAX_LINE = 1024 * 1024
RESET = "reset"  # a part: the file was replaced or truncated, what came before is gone


class RunReader:
    """Incremental reader of one run directory's ``events.jsonl``."""

    def __init__(self, run_dir: str | os.PathLike, *, chunk: int = CHUNK, max_line: int = MAX_LINE,
                 events_file: str = EVENTS_FILE) -> None:
        self.run_dir = Path(run_dir)
        self.events_path = self.run_dir / events_file
        self.chunk = chunk
        self.max_line = max_line
        self.offset = 0
        self.size = 0  # the file's size at the last look
        self.resets = 0
        self._partial = b""
        self._skipping = False  # inside an over-long line: drop bytes until its newline
        self._decoder = EventDecoder()
        self._inode: int | None = None
        self._not_regular = False

    @property
    def skipped(self) -> SkipLog:
        """Lines skipped so far, with reasons (also over-long lines and a non-regular file)."""
        return self._decoder.skipped

    @property
    def at_end(self) -> bool:
        """Everything that was in the file at the last look has been read."""
        return self.offset >= self.size

    @property
    def fraction(self) -> float:
        """How much of the file is read (for a progress line while a big run loads)."""
        return 1.0 if self.size <= 0 else min(1.0, self.offset / self.size)

    def read(self, max_bytes: int | None = None) -> list[Any]:
        """Parts decoded from at most ``max_bytes`` new bytes (``chunk`` by default); ``[]`` if none."""
        try:
            st = os.stat(self.events_path)
        except (FileNotFoundError, NotADirectoryError):
            return []
        except OSError as err:
            self._note_once(f"cannot read: {err.strerror or err}")
            return []
        if not stat.S_ISREG(st.st_mode):
            self._note_once("not a regular file: not read")
            return []
        parts: list[Any] = []
        if (self._inode is not None and st.st_ino != self._inode) or st.st_size < self.offset:
            self._reset()  # the file was replaced or truncated: start over
            parts.append(RESET)
        self._inode = st.st_ino
        self.size = st.st_size
        if st.st_size <= self.offset:
            return parts
        want = min(st.st_size - self.offset, max_bytes or self.chunk)
        try:
            with open(self.events_path, "rb") as fh:
                fh.seek(self.offset)
                data = fh.read(want)
        except OSError as err:
            self._note_once(f"cannot read: {err.strerror or err}")
            return parts
        self.offset += len(data)
        parts.extend(self._lines(data))
        return parts

    def _lines(self, data: bytes) -> list[Any]:
        if self._skipping:
            cut = data.find(b"\n")
            if cut < 0:
                return []
            data = data[cut + 1:]
            self._skipping = False
        end = data.rfind(b"\n")
        if end < 0:
            self._partial += data
            self._check_partial()
            return []
        complete = self._partial + data[:end + 1]
        self._partial = data[end + 1:]
        self._check_partial()
        return self._decoder.decode_chunk(complete)

    def _check_partial(self) -> None:
        if len(self._partial) > self.max_line:
            self._partial = b""
            self._skipping = True
            self._decoder.line_no += 1
            self._decoder.skipped.add(self._decoder.line_no, f"longer than {self.max_line // 1024} KiB")

    def _note_once(self, reason: str) -> None:
        if reason not in self._decoder.skipped.counts:
            self._decoder.skipped.add(0, reason)

    def poll(self) -> list[dict[str, Any]]:
        """New events since the last poll as long-key dicts (``[]`` when nothing new or no file yet)."""
        events: list[dict[str, Any]] = []
        for part in self.read():
            if isinstance(part, BatchBlock):
                events.extend(block_events(part))
            elif part is not RESET:
                events.append(part)
        return events

    def _reset(self) -> None:
        self.offset = 0
        self.resets += 1
        self._partial = b""
        self._skipping = False
        skipped = self._decoder.skipped
        self._decoder = EventDecoder()
        self._decoder.skipped = skipped

    def status(self) -> dict[str, Any]:
        """``run.json`` with ``status`` replaced by ``crashed`` when its trainer is gone."""
        info, problem = load_run_json(self.run_dir)
        problem = None if not info and problem == NO_RUN_JSON else problem or run_json_problem(info)
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
