"""A run's binary columns (``runs/columns.py``) as parts for :class:`RunSeries`, a chunk at a time.

Opening a finished run then costs copying mapped columns (a memcpy per chunk) instead of
decoding every JSON line; the JSON after the columns' end is read as before. When a run has
no usable columns, :class:`ColumnCache` writes what the feed decodes anyway, so the next open
is fast. No Textual.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from tuitrain.runs.columns import ColumnSet, ColumnWriter, cache_folder
from tuitrain.runs.decode import BatchBlock, EventDecoder

__all__ = ["ColumnBlock", "column_parts", "ColumnCache", "COLUMN_CHUNK"]

COLUMN_CHUNK = 1 << 20  # rows copied per part (the mapping of a chunk is let go after it)


@dataclass
class ColumnBlock:
    """Consecutive batch rows, one array per column name (views of the mapped files)."""

    arrays: dict[str, np.ndarray]
    trusted: bool = False  # steps checked to rise already
    source: ColumnSet | None = None  # the columns these rows are (their cached chart curves live beside them)


def column_parts(columns: ColumnSet, decoder: EventDecoder) -> Iterator[list[Any]]:
    """The non-batch events (decoded by ``decoder``, which then knows the aliases), then the rows in chunks."""
    events = [p for p in decoder.decode_chunk(columns.other()) if not isinstance(p, BatchBlock)]
    head: list[Any] = []
    if not columns.rows:
        yield head + events
        return
    step = columns.column("step")
    rising = bool(np.all(step[1:] >= step[:-1]))  # the one pass over a column at open (the chart needs it anyway)
    yield head + events + [ColumnBlock({name: columns.column(name) for name in columns.names()}, trusted=rising,
                                              source=columns)]


class ColumnCache:
    """Columns written from what a feed decodes of a run that had none (built once, used next time)."""

    def __init__(self, run_dir: Path, events_path: Path) -> None:
        folder = cache_folder(run_dir)
        self.writer: ColumnWriter | None = None
        if folder is None:
            return
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if folder.is_symlink() or folder.parent.is_symlink():
                return
            for path in folder.iterdir():
                if path.is_file():
                    path.unlink()
            self.writer = ColumnWriter(folder, events_path)
            self.writer.usable = True
        except OSError:
            self.writer = None

    def add(self, parts: list[Any], complete_bytes: int) -> None:
        """Parts decoded from ``events.jsonl[:complete_bytes]`` (all of it so far, in order)."""
        if self.writer is None:
            return
        import json

        try:
            for part in parts:
                if isinstance(part, BatchBlock):
                    self.writer.append({n: part.values[:, j] for j, n in enumerate(part.names)})
                elif isinstance(part, dict):
                    self.writer.append_other((json.dumps(part, separators=(",", ":")) + "\n").encode())
            self.writer.commit(complete_bytes)
        except (OSError, ValueError):
            self.writer = None  # a cache: when it cannot be written, the JSON is still read
