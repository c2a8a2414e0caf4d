"""A run's events for a screen: parsed off the event loop, applied on it, polled only as often as useful.

Attaching to a run of 10^7 batch rows must not freeze the app: :meth:`RunFeed.read` (called in
a worker thread) reads and parses one chunk of ``events.jsonl`` into numpy blocks, and
:meth:`RunFeed.apply` (on the event loop) copies them into the run's columns, which costs a
memcpy. While a run is watched, :class:`Backoff` says when to look again: soon after new rows,
then less and less often while nothing comes, rarely once the run has ended. No Textual.
"""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path
from typing import Any

import numpy as np

from tuitrain.runs.decode import BatchBlock
from tuitrain.runs.layout import EVENTS_FILE
from tuitrain.runs.columns import find_columns, start_build
from tuitrain.runs.reader import CHUNK, RESET, RunReader
from tuitrain.ui.series.column_feed import ColumnBlock, ColumnCache, column_parts
from tuitrain.ui.series.run_series import RunSeries

__all__ = ["RunFeed", "Backoff", "SMALL_READ"]

# Unread bytes up to this are read on the event loop (a poll of a live run: a few KB); more go to a worker.
SMALL_READ = 256 * 1024
FEED_CHUNK = CHUNK  # bytes a worker parses per step
CACHE_FROM = 4 * 1024 * 1024  # a run with this much JSON and no columns gets them built while it is read
BUILD_FROM = 16 * 1024 * 1024  # ... and from this much, built by another process while the app starts
BUILD_WAIT = 0.1  # seconds a worker's read waits for that process before it reports back


class RunFeed:
    """One run's reader and series; ``read`` may run in a thread, ``apply`` runs where the series is drawn."""

    def __init__(self, run_dir: str | os.PathLike, series: RunSeries | None = None) -> None:
        from tuitrain.runs.source import open_run

        self.run_dir = Path(run_dir)
        # a run directory (its events read in bulk), or a TensorBoard folder (poll() only)
        self.reader = open_run(self.run_dir)
        self._bulk = isinstance(self.reader, RunReader)
        if self._bulk:
            self.reader.chunk = FEED_CHUNK
        self.series = series if series is not None else RunSeries()
        self._lock = threading.Lock()  # one read at a time (a worker and a timer may both ask)
        self._reserved = False
        self.cancelled = False
        self._columns = None  # chunks of the run's binary columns, read before the JSON after them
        self._cache: ColumnCache | None = None
        self._column_bytes = 0  # what handing the columns over counts as in unread_bytes (see _open_columns)
        self._builder: subprocess.Popen | None = None  # the process building the columns (start_build)
        self._followed = (0, 0)  # rows and other.jsonl bytes of its columns handed over so far
        if self._bulk:
            self._open_columns(build=True)

    def _open_columns(self, build: bool = False) -> None:
        """Columns that cover the start of ``events.jsonl`` are read first; else the JSON read is cached as columns."""
        found = find_columns(self.run_dir, self.reader.events_path.name)
        if found is not None:
            decoder = self.reader._decoder
            self._columns = column_parts(found, decoder)
            self._column_chunks = 1
            # 1, whatever their size: mapped columns are not parsed, so a poll hands them over itself (the
            # chart is complete in the first frame) instead of a worker; 1, not 0: there is something to read
            self._column_bytes = 1
            self.reader.offset = found.events_bytes
            self._reserved = True
        elif build and self.unread_bytes() >= BUILD_FROM and (builder := start_build(self.run_dir, self.reader.events_path.name)):
            self._builder = builder  # read() waits for it, then maps what it built
        elif self.unread_bytes() >= CACHE_FROM:
            self._cache = ColumnCache(self.run_dir, self.reader.events_path)

    def _follow_build(self) -> list[Any]:
        """While another process builds the columns: what it has committed since the last look (waiting at
        most ``BUILD_WAIT``), so the chart fills in as it goes. Once it is done the JSON after its columns is
        read as for any run; if it failed, the JSON from the start, here."""
        try:
            self._builder.wait(timeout=BUILD_WAIT)
            done = True
        except subprocess.TimeoutExpired:
            done = False
        parts = self._built_so_far()
        if done:
            failed = self._builder.returncode != 0
            self._builder = None
            if failed and self._followed != (0, 0):
                self.reader._reset()  # start over from the JSON: the series drops what it was given
                self._followed = (0, 0)
                return [RESET]
        return parts

    def _built_so_far(self) -> list[Any]:
        found = find_columns(self.run_dir, self.reader.events_path.name)
        rows, other = self._followed
        if found is None or found.rows < rows or (found.rows == rows and found.other_bytes <= other):
            return []
        decoded = self.reader._decoder.decode_chunk(found.other(other)) if found.other_bytes > other else []
        parts = [p for p in decoded if not isinstance(p, BatchBlock)]
        if found.rows > rows:
            step = found.column("step", rows)
            parts.append(ColumnBlock({name: found.column(name, rows) for name in found.names()},
                                     trusted=bool(np.all(step[1:] >= step[:-1])), source=found if rows == 0 else None))
        self._followed = (found.rows, found.other_bytes)
        self.reader.offset = found.events_bytes  # the JSON these rows came from is read
        return parts

    def unread_bytes(self) -> int:
        """Bytes appended since the last read (a stat, no read; 0 for a reader without offsets)."""
        if not self._bulk:
            return 0
        try:
            size = self.reader.events_path.stat().st_size
        except OSError:
            return 0
        pending = self._column_bytes if self._columns is not None else 0
        return pending + (size - self.reader.offset if size >= self.reader.offset else size)

    def read(self, max_bytes: int | None = None) -> list[Any]:
        """Parse the next chunk (thread-safe; returns parts for :meth:`apply`)."""
        with self._lock:
            if self.cancelled:
                return []
            if not self._bulk:
                return list(self.reader.poll())  # long-key dicts: the series takes them as they are
            if self._builder is not None:
                parts = self._follow_build()
                if parts or self._builder is not None:
                    return parts  # else: the build ended with nothing new, the JSON after its columns follows
            if self._columns is not None:
                return self._next_columns()
            before = self.reader.offset
            parts = self.reader.read(max_bytes)
            self._cache_parts(parts)
            if not self._reserved and parts:
                rows = sum(len(p.values) for p in parts if isinstance(p, BatchBlock))
                used = self.reader.offset - before
                if rows and used and self.reader.size > 4 * used:  # a big file: size the columns once
                    parts.append(("reserve", int(rows * self.reader.size / used * 1.02)))
                self._reserved = True
            return parts

    def _next_columns(self) -> list[Any]:
        """The next chunk of the columns (the first: the events and the first rows together)."""
        parts = next(self._columns, [])
        self._column_chunks -= 1
        if self._column_chunks > 0 and not any(isinstance(p, ColumnBlock) for p in parts):
            parts += next(self._columns, [])
            self._column_chunks -= 1
        if self._column_chunks <= 0:
            self._columns = None  # all handed over: from now on the JSON after them
        return parts

    def _cache_parts(self, parts: list[Any]) -> None:
        if self._cache is None:
            return
        if RESET in parts:
            self._cache = None  # the file was replaced: nothing half-built is kept
            return
        self._cache.add(parts, self.reader.offset - len(self.reader._partial))

    def apply(self, parts: list[Any]) -> int:
        """Add parsed parts to the series (event loop); returns how many rows or events were used."""
        if self.cancelled:
            return 0
        rest = []
        for part in parts:
            if isinstance(part, tuple) and part and part[0] == "reserve":
                self.series.expect_batch_rows(part[1])
            else:
                rest.append(part)
        return self.series.apply(rest)

    def chunks(self):
        """Parts chunk after chunk until the file is read or the feed cancelled (a worker's loop)."""
        while not self.cancelled:
            parts = self.read()
            if not parts and self._columns is None and self._builder is None and (not self._bulk or self.reader.at_end):
                return
            yield parts

    def read_all_here(self) -> int:
        """Read and apply everything now (tests, small runs, tools without an event loop)."""
        return sum(self.apply(parts) for parts in self.chunks())

    @property
    def loading(self) -> bool:
        """More of the file is waiting than one poll reads: show progress, read in a worker."""
        return self._bulk and (self._builder is not None or self._columns is not None or not self.reader.at_end)

    def progress_text(self) -> str:
        """``reading events.jsonl: 45 % of 58 MB`` while a big file loads."""
        size = self.reader.size
        if self._builder is not None:
            size = size or self.reader.events_path.stat().st_size
            done = min(1.0, self.reader.offset / size) if size else 0.0
            return f"indexing {EVENTS_FILE} for the chart (once): {100 * done:.0f} % of {size / 1e6:.0f} MB"
        return f"reading {EVENTS_FILE}: {100 * self.reader.fraction:.0f} % of {size / 1e6:.0f} MB"

    def cancel(self) -> None:
        """Stop feeding (the run is no longer shown): a worker's next read returns nothing; a build of
        its columns stops too (what it committed stays usable: the next open reads the rest as JSON)."""
        self.cancelled = True
        builder = self._builder
        if builder is not None and builder.poll() is None:
            builder.terminate()


class Backoff:
    """Seconds until the next look at a run: ``fast`` after new rows, doubling to ``slow`` while
    nothing comes, ``ended`` once the run is over (a finished run changes only if resumed)."""

    def __init__(self, fast: float = 0.5, slow: float = 4.0, ended: float = 10.0) -> None:
        self.fast, self.slow, self.ended = fast, slow, ended
        self.interval = fast

    def next(self, got_new: bool, active: bool) -> float:
        if not active and not got_new:
            self.interval = self.ended
        elif got_new:
            self.interval = self.fast
        else:
            self.interval = min(self.slow, self.interval * 2)
        return self.interval

    def reset(self) -> None:
        self.interval = self.fast
