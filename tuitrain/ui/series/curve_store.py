"""A long run's chart curves kept beside its binary columns: the next open draws without computing them.

Opening a run of 10^7 batch rows from its columns costs a memory map, but the chart still had to
smooth every metric (the default EMA 0.6) and build each curve's min/max pyramid: a second of CPU
and a float copy of every curve. :class:`CurveStore` writes both, once, under ``columns/curves/``
(the smoothed values in the column's dtype, the pyramid's indices as int64) with a small JSON
header naming the columns' lineage (``index.json``: a new id when the columns start over, a
generation bumped when rows are taken away), the rows covered and each level's length. A curve
is loaded only when all of that still matches, the files have exactly the sizes the header says
and every pyramid index lies inside its own block; anything else (stale, torn, foreign, corrupt)
is ignored and the curve computed again, then saved over it. Never written through a link.
Format: ``docs/internals.md`` (extends DESIGN §2 with the columns). No Textual.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from tuitrain.runs.columns import ColumnSet, regular_size
from tuitrain.ui.series.downsample import MinMaxPyramid

__all__ = ["CURVES_DIR", "STORE_FROM", "CurveStore"]

FORMAT = "tuitrain-curves/1"
CURVES_DIR = "curves"
STORE_FROM = 100_000  # rows: shorter curves are computed faster than they are read
MAX_HEADER = 64 * 1024
INDEX_DTYPE = np.dtype("<i8")


def pyramid_levels(rows: int) -> list[int]:
    """Blocks per level of a pyramid over ``rows`` points (what ``MinMaxPyramid.update`` builds)."""
    levels, n = [], rows // MinMaxPyramid.BASE
    if n:
        levels.append(n)
        while n >= 2:
            n //= 2
            levels.append(n)
    return levels


class CurveStore:
    """The curves cached beside one run's columns (as they were when the series adopted them)."""

    def __init__(self, columns: ColumnSet) -> None:
        self.folder = Path(columns.folder) / CURVES_DIR
        self.lineage = columns.lineage
        self.rows = columns.rows
        self.files = dict(columns.files)
        self._missing: set[str] = set()  # looked for and not usable: not read again until saved

    def _stem(self, key: str, smoothing: float) -> str | None:
        entry = self.files.get(key)
        return None if entry is None else f"{entry[0]}-{smoothing:.6g}"

    # -- reading -----------------------------------------------------------------------------

    def load(self, key: str, smoothing: float) -> tuple[np.ndarray | None, MinMaxPyramid] | None:
        """(smoothed values mapped read-only or None for the raw curve, pyramid), or None when unusable."""
        stem = self._stem(key, smoothing)
        if stem is None or self.lineage is None or stem in self._missing:
            return None
        found = self._load(stem, key, smoothing)
        if found is None:
            self._missing.add(stem)
        return found

    def _load(self, stem: str, key: str, smoothing: float) -> tuple[np.ndarray | None, MinMaxPyramid] | None:
        try:
            if self.folder.is_symlink():
                return None  # a curves folder that leads elsewhere is not this run's
            head = self._header(stem, key, smoothing)
            if head is None:
                return None
            rows, levels = head["rows"], head["levels"]
            pyramid = self._read_pyramid(self.folder / f"{stem}.pyr", rows, levels)
            if pyramid is None:
                return None
            smoothed = None
            if smoothing > 0.0:
                dtype = np.dtype(self.files[key][1])
                path = self.folder / f"{stem}.sm"
                if regular_size(path) != rows * dtype.itemsize:
                    return None
                smoothed = np.memmap(path, dtype=dtype, mode="r", shape=(rows,)) if rows else np.empty(0, dtype)
            return smoothed, pyramid
        except (OSError, ValueError):
            return None

    def _header(self, stem: str, key: str, smoothing: float) -> dict | None:
        path = self.folder / f"{stem}.json"
        if not 0 < regular_size(path) <= MAX_HEADER:
            return None
        head = json.loads(path.read_bytes())
        if not isinstance(head, dict) or head.get("format") != FORMAT or head.get("lineage") != self.lineage:
            return None
        rows = head.get("rows")
        if (head.get("column") != self.files[key][0] or head.get("smoothing") != smoothing
                or not isinstance(rows, int) or not STORE_FROM <= rows <= self.rows or head.get("levels") != pyramid_levels(rows)):
            return None  # rows past the cached ones (a run that went on) are added to the curve in memory
        return head

    @staticmethod
    def _read_pyramid(path: Path, rows: int, levels: list[int]) -> MinMaxPyramid | None:
        if regular_size(path) != 2 * sum(levels) * INDEX_DTYPE.itemsize:
            return None
        data = np.fromfile(path, dtype=INDEX_DTYPE)
        found, offset, span = [], 0, MinMaxPyramid.BASE
        for n in levels:
            lo, hi = data[offset:offset + n], data[offset + n:offset + 2 * n]
            offset += 2 * n
            first = np.arange(n, dtype=np.int64) * span  # every index inside its own block, or the file is not ours
            for idx in (lo, hi):
                if n and not (np.all(idx >= first) and np.all(idx < first + span)):
                    return None
            found.append((lo, hi))
            span *= 2
        return MinMaxPyramid.from_levels(found)

    # -- writing -----------------------------------------------------------------------------

    def save(self, key: str, smoothing: float, smoothed: np.ndarray | None, pyramid: MinMaxPyramid) -> bool:
        """Keep a curve computed over exactly the adopted rows (header last: a torn save is never read)."""
        stem = self._stem(key, smoothing)
        rows = self.rows
        levels = pyramid.levels
        if (stem is None or self.lineage is None or rows < STORE_FROM or levels != pyramid_levels(rows)
                or (smoothing > 0.0) != (smoothed is not None) or (smoothed is not None and len(smoothed) < rows)):
            return False
        try:
            self.folder.mkdir(exist_ok=True)
            if self.folder.is_symlink() or not self.folder.is_dir():
                return False
            if smoothed is not None:
                dtype = np.dtype(self.files[key][1])
                _write_atomic(self.folder / f"{stem}.sm", [np.ascontiguousarray(smoothed[:rows], dtype=dtype)])
            parts = []
            for k in range(len(levels)):
                lo, hi = pyramid.level(k)
                parts += [lo.astype(INDEX_DTYPE), hi.astype(INDEX_DTYPE)]
            _write_atomic(self.folder / f"{stem}.pyr", parts)
            head = {"format": FORMAT, "lineage": self.lineage, "column": self.files[key][0], "rows": rows,
                    "smoothing": smoothing, "levels": levels}
            _write_atomic(self.folder / f"{stem}.json", [json.dumps(head, separators=(",", ":")).encode()])
            self._missing.discard(stem)
            return True
        except (OSError, ValueError):
            return False  # a cache: when it cannot be written, the curve is computed next time too


def _write_atomic(path: Path, parts: list) -> None:
    """Write to a temporary name beside ``path`` (never through a link), then rename over it."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "wb") as fh:
        for part in parts:
            fh.write(part if isinstance(part, bytes) else memoryview(part).cast("B"))
    os.replace(tmp, path)
