"""Growable numeric columns: how a run's rows are kept without a Python object per row.

A long run is millions of batch rows. :class:`GrowableArray` is one column with amortised O(1)
appends and a no-copy ``view()``; :class:`Table` is rows of named columns, fed whole numpy blocks
at a time, that remembers whether its x columns are still sorted (so the chart can bisect) and
bumps a ``generation`` when rows are taken away (so caches built on it start over). Batch metrics
are kept as float32 (the 5 significant digits the event file keeps); a value outside float32's
range turns its column into float64. No Textual.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["GrowableArray", "Table", "X_AXES", "MAX_COLUMNS"]

X_AXES = ("step", "epoch", "time")
MAX_COLUMNS = 256  # metric columns per table; a file naming more is not kept whole
_F32_MAX = float(np.finfo(np.float32).max)
_F32_TINY = float(np.finfo(np.float32).tiny)


class GrowableArray:
    """A numeric vector with amortised O(1) append; ``view()`` is the filled part (no copy)."""

    __slots__ = ("_buf", "_n")

    def __init__(self, capacity: int = 256, fill_to: int = 0, dtype: Any = np.float64) -> None:
        self._buf = np.empty(max(capacity, fill_to, 16), dtype=dtype)
        self._n = 0
        self.pad_to(fill_to)

    def __len__(self) -> int:
        return self._n

    @property
    def dtype(self) -> np.dtype:
        return self._buf.dtype

    @property
    def nbytes(self) -> int:
        return self._buf.nbytes

    def append(self, value: float) -> None:
        self.extend(np.array([value]))

    def extend(self, values: np.ndarray) -> None:
        values = np.asarray(values)
        if self._buf.dtype == np.float32 and values.dtype != np.float32 and not _fits_f32(values):
            wider = np.empty(len(self._buf), dtype=np.float64)  # a value float32 would turn into inf or 0
            wider[: self._n] = self._buf[: self._n]
            self._buf = wider
        end = self._n + len(values)
        if end > len(self._buf):
            self.reserve(max(end, int(len(self._buf) * 1.5)))
        self._buf[self._n:end] = values
        self._n = end

    def pad_to(self, n: int) -> None:
        """Fill with NaN (0 for integers) up to length ``n`` (a column that appeared late)."""
        if n <= self._n:
            return
        if n > len(self._buf):
            self.reserve(max(n, int(len(self._buf) * 1.5)))
        self._buf[self._n:n] = np.nan if self._buf.dtype.kind == "f" else 0
        self._n = n

    @classmethod
    def adopt(cls, data: np.ndarray) -> "GrowableArray":
        """A column over ``data`` as it is (a read-only mapping of a run's column file: no copy, its
        pages read only when drawn); the first append copies it into a growable buffer."""
        col = cls.__new__(cls)
        col._buf, col._n = data, len(data)
        return col

    def reserve(self, capacity: int) -> None:
        if capacity > len(self._buf):
            new = np.empty(capacity, dtype=self._buf.dtype)
            new[: self._n] = self._buf[: self._n]
            self._buf = new

    def truncate(self, n: int) -> None:
        self._n = min(self._n, max(0, n))

    def view(self) -> np.ndarray:
        return self._buf[: self._n]

    def last(self) -> float:
        return float(self._buf[self._n - 1]) if self._n else math.nan


def _fits_f32(values: np.ndarray) -> bool:
    mag = np.abs(values[np.isfinite(values)]) if values.dtype.kind == "f" else np.abs(values)
    return not len(mag) or bool(mag.max() <= _F32_MAX and (mag[mag > 0].min(initial=1.0) >= _F32_TINY))


class SortedFlags(dict):
    """Per x column: non-decreasing so far. A deferred column is checked when first asked."""

    def __init__(self, table: "Table") -> None:
        super().__init__()
        self._table = table
        self._deferred: set[str] = set()

    def defer(self, key: str) -> None:
        self._deferred.add(key)
        super().__setitem__(key, True)

    def _settle(self, key: str) -> None:
        if key in self._deferred:
            self._deferred.discard(key)
            v = self._table.get(key)
            super().__setitem__(key, bool(np.all(v[1:] >= v[:-1])) if len(v) > 1 else True)

    def get(self, key, default=None):
        self._settle(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self._settle(key)
        return super().__getitem__(key)

    def __setitem__(self, key, value) -> None:
        self._deferred.discard(key)
        super().__setitem__(key, value)


class Table:
    """Rows of numbers with named columns; a key missing from a row reads as NaN."""

    def __init__(self, metric_dtype: Any = np.float64) -> None:
        self.n = 0
        self.columns: dict[str, GrowableArray] = {}
        self.generation = 0  # bumped when rows are taken away (a resumed run), so caches start over
        self.sorted: SortedFlags = SortedFlags(self)  # per x column: still non-decreasing
        self.dropped: set[str] = set()  # columns beyond MAX_COLUMNS
        self._metric_dtype = metric_dtype
        self._reserve = 0

    def _dtype(self, key: str) -> Any:
        if key in ("step", "time"):
            return np.float64
        if key == "epoch":
            return np.float32
        return self._metric_dtype

    def _column(self, key: str) -> GrowableArray | None:
        col = self.columns.get(key)
        if col is None:
            if len(self.columns) >= MAX_COLUMNS + len(X_AXES):
                self.dropped.add(key)
                return None
            col = self.columns[key] = GrowableArray(max(256, self._reserve), fill_to=self.n, dtype=self._dtype(key))
        return col

    def reserve(self, rows: int) -> None:
        """Room for ``rows`` rows in every column (the loader's estimate from the file size)."""
        self._reserve = rows
        for col in self.columns.values():
            col.reserve(rows)

    def append(self, row: dict[str, float]) -> None:
        self.append_block(tuple(row), np.array([list(row.values())], dtype=np.float64))

    def append_block(self, names: tuple[str, ...], values: np.ndarray) -> None:
        self.append_columns(names, [values[:, j] for j in range(len(names))])

    def adopt_columns(self, names: tuple[str, ...], arrays: list[np.ndarray]) -> None:
        """The first rows of an empty table, kept as given (mapped files: nothing copied); whether an
        x column is sorted is found out when first asked (its pages are read only if it is drawn)."""
        assert self.n == 0
        self.columns = {}
        for key, data in zip(names, arrays):
            if len(self.columns) < MAX_COLUMNS + len(X_AXES):
                self.columns[key] = GrowableArray.adopt(data)
                if key in X_AXES:
                    self.sorted.defer(key)
            else:
                self.dropped.add(key)
        self.n = len(arrays[0]) if arrays else 0

    def append_columns(self, names: tuple[str, ...], arrays: list[np.ndarray]) -> None:
        """Rows given column by column (one array per name, all the same length)."""
        rows = len(arrays[0]) if arrays else 0
        if not rows:
            return
        for key, new in zip(names, arrays):
            col = self._column(key)
            if col is None:
                continue
            if key in X_AXES:
                prev = col.last() if len(col) else -math.inf
                ok = bool(new[0] >= prev) if prev == prev else True
                self.sorted[key] = self.sorted.get(key, True) and ok and bool(np.all(new[1:] >= new[:-1]))
            col.extend(new)
        self.n += rows
        for col in self.columns.values():
            if len(col) < self.n:
                col.pad_to(self.n)

    def truncate(self, n: int) -> None:
        """Keep the first ``n`` rows."""
        if n >= self.n:
            return
        self.n = max(0, n)
        for col in self.columns.values():
            col.truncate(self.n)
        for key in self.sorted:
            self.sorted[key] = True if self.n < 2 else bool(np.all(np.diff(self.get(key)) >= 0))
        self.generation += 1

    @property
    def reserved(self) -> int:
        """Rows the columns were sized for (a copy of a column starts that big too)."""
        return self._reserve

    def get(self, key: str) -> np.ndarray:
        col = self.columns.get(key)
        return col.view() if col is not None else np.full(self.n, np.nan)

    @property
    def nbytes(self) -> int:
        return sum(c.nbytes for c in self.columns.values())

    def __len__(self) -> int:
        return self.n
