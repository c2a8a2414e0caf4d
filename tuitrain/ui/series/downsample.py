"""Shrink long metric histories to what a chart of a given width can show, keeping the spikes.

A terminal chart has a few hundred columns at most, so plotting a million logged batches
point by point only costs time. ``minmax_downsample`` keeps, for every chart column, the
points holding that column's lowest and highest value (a loss spike or a NaN-recovery dip
stays visible), so the redraw cost is bounded by the width, not by the history.
``ema`` is the smoothing the chart offers; it is vectorised so changing the smoothing on
a long run does not stall the UI.

``minmax_downsample`` still looks at every point. For long series :class:`MinMaxPyramid` keeps,
for every block of 64, 128, 256… points, where the block's minimum and maximum are; a chart
column covering any range of points is then answered from O(log n) blocks plus two partial
blocks at its ends, so a redraw costs the same at 10^4 and 10^7 points, and the answer is exact
(the same min and max as a scan). It grows with the series and costs about 1/8 byte per point.
Pure numpy, no Textual.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["minmax_downsample", "ema", "ema_step", "MinMaxPyramid", "column_ranges"]


def minmax_downsample(x: np.ndarray, y: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Return at most ``2 * width`` points of (x, y) keeping each column's min and max.

    ``x`` must be non-decreasing (steps, epochs, wall time). The x range is split into
    ``width`` equal columns; in each column the first point holding the minimum and the
    first holding the maximum are kept, in their original order, so the output is a subset
    of the input with x still non-decreasing. Non-finite y values (NaN, inf) are dropped.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"x and y must be 1-D arrays of the same length, got {x.shape} and {y.shape}")
    width = max(1, int(width))
    finite = np.isfinite(y) & np.isfinite(x)
    if not finite.all():
        x, y = x[finite], y[finite]
    n = len(x)
    if n <= 2 * width:
        return x.copy(), y.copy()

    lo, hi = x[0], x[-1]
    if hi <= lo:  # all points share one x: one column
        starts = np.array([0])
    else:
        # Column c covers [lo + c*span, lo + (c+1)*span); the last column is closed on the right.
        edges = lo + (hi - lo) * (np.arange(1, width) / width)
        starts = np.concatenate(([0], np.searchsorted(x, edges, side="left")))
        starts = np.unique(starts)  # empty columns collapse
        starts = starts[starts < n]
    counts = np.diff(np.append(starts, n))

    col_min = np.minimum.reduceat(y, starts)
    col_max = np.maximum.reduceat(y, starts)
    i_min = _first_index_equal(y, np.repeat(col_min, counts), starts)
    i_max = _first_index_equal(y, np.repeat(col_max, counts), starts)

    keep = np.empty(2 * len(starts), dtype=np.int64)
    keep[0::2] = np.minimum(i_min, i_max)
    keep[1::2] = np.maximum(i_min, i_max)
    keep = np.unique(keep)  # sorted; a flat column (min == max) gives one point
    return x[keep], y[keep]


def _first_index_equal(y: np.ndarray, target: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Index of the first element of each segment equal to that segment's target value."""
    hits = np.flatnonzero(y == target)
    return hits[np.searchsorted(hits, starts, side="left")]


def ema(y: np.ndarray, alpha: float, init: float | None = None, dtype: type = np.float64) -> np.ndarray:
    """Exponential moving average ``s[i] = alpha * s[i-1] + (1 - alpha) * y[i]``.

    ``alpha`` is the weight of the past (0 = no smoothing, 0.99 = very smooth), as in
    TensorBoard's smoothing slider. The average starts at ``init`` (the last smoothed value
    when extending a series) or at the first finite value. NaN inputs leave the average
    unchanged and come out as NaN, so a diverged batch shows as a gap, not as a poisoned
    curve: the average runs over the finite values alone, scattered back to their rows.
    Vectorised over many blocks at once (closed form within a block, one scalar carry per
    block) and a chunk at a time, so 10^7 points take a fraction of a second and the float64
    work space stays a few MB; the result is ``dtype`` (float32 halves a long curve's copy).
    """
    y = np.asarray(y)
    if not 0.0 <= alpha < 1.0:
        raise ValueError(f"smoothing must be in [0, 1), got {alpha}")
    out = np.empty(len(y), dtype=dtype)
    if len(y) == 0:
        return out
    if alpha == 0.0:
        out[:] = y
        return out
    if init is None or not math.isfinite(init):
        first = _first_finite(y)
        if first is None:
            out[:] = np.nan
            return out
        init = float(y[first])
    # Within a block of length B: s[k] = a^(k+1) * s0 + (1-a) * a^(k+1) * sum_{j<=k} y[j] a^-(j+1).
    # B is chosen so a^-B stays far from float overflow.
    block = max(1, min(4096, int(200 * math.log(10) / -math.log(alpha))))
    ks = np.arange(1, block + 1, dtype=np.float64)
    up, down = alpha ** ks, alpha ** -ks
    state = float(init)
    step = block * max(1, _EMA_CHUNK // block)
    for start in range(0, len(y), step):
        seg = y[start:start + step]
        finite = np.isfinite(seg)
        values = seg[finite] if not finite.all() else seg
        smoothed, state = _ema_blocks(np.asarray(values, dtype=np.float64), alpha, state, up, down)
        part = out[start:start + len(seg)]
        if len(values) == len(seg):
            part[:] = smoothed
        else:
            part[:] = np.nan
            part[finite] = smoothed
    return out


_EMA_CHUNK = 1 << 18  # points smoothed per step: bounds the float64 work space


def _first_finite(y: np.ndarray) -> int | None:
    for start in range(0, len(y), _EMA_CHUNK):  # a chunk at a time: no mask over the whole series
        hits = np.flatnonzero(np.isfinite(y[start:start + _EMA_CHUNK]))
        if len(hits):
            return start + int(hits[0])
    return None


def _ema_blocks(f: np.ndarray, alpha: float, state: float, up: np.ndarray, down: np.ndarray
                ) -> tuple[np.ndarray, float]:
    """The EMA of finite values ``f`` continuing from ``state``: every block's closed form at once,
    then each block's start value carried from the block before (one scalar step per block)."""
    m, width = len(f), len(up)
    if m == 0:
        return f, state
    rows = -(-m // width)
    blocks = np.zeros(rows * width)
    blocks[:m] = f
    local = blocks.reshape(rows, width)
    local *= down
    np.cumsum(local, axis=1, out=local)
    local *= up * (1.0 - alpha)  # each block's EMA as if it started from 0
    ends = local[:, -1].tolist()
    decay = alpha ** width
    carry = np.empty(rows)
    for row in range(rows):
        carry[row] = state
        state = decay * state + ends[row]
    local += carry[:, None] * up  # plus the decayed start value
    flat = local.reshape(-1)[:m]
    return flat, float(flat[-1])


def ema_step(prev: float, value: float, alpha: float) -> float:
    """One EMA update, for extending a smoothed series by one point."""
    if not math.isfinite(value):
        return prev
    if not math.isfinite(prev):
        return value
    return alpha * prev + (1.0 - alpha) * value


def column_ranges(x: np.ndarray, width: int, lo: float | None = None, hi: float | None = None,
                  scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Index ranges ``[starts[c], ends[c])`` of the points in each of ``width`` equal x columns.

    ``x`` is non-decreasing; the plotted x is ``x * scale`` (batch steps shown as epochs). Columns
    split ``[lo, hi]`` (default: the data's range); the last one is closed on the right.
    """
    n = len(x)
    width = max(1, int(width))
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    lo = float(x[0]) * scale if lo is None else lo
    hi = float(x[-1]) * scale if hi is None else hi
    if not hi > lo:
        return np.array([0]), np.array([n])
    edges = (lo + (hi - lo) * (np.arange(width + 1) / width)) / scale
    bounds = np.searchsorted(x, edges, side="left")
    bounds[-1] = np.searchsorted(x, edges[-1], side="right")
    return bounds[:-1].astype(np.int64), bounds[1:].astype(np.int64)


class MinMaxPyramid:
    """Where the minimum and maximum of every block of ``BASE · 2^k`` points of a growing series are.

    Level 0 holds, for each complete block of ``BASE`` points, the index of its smallest and of
    its largest finite value; level k+1 pairs up level k. :meth:`update` adds the blocks the
    series completed since the last call; :meth:`query` answers any number of index ranges.
    Non-finite values (NaN, inf) never count as a minimum or maximum.
    """

    BASE = 64

    def __init__(self) -> None:
        self.mins: list[np.ndarray] = []  # per level: int64 indices into the series
        self.maxs: list[np.ndarray] = []
        self._len: list[int] = []

    def update(self, y: np.ndarray) -> None:
        """Summarise the complete blocks of ``y`` not seen yet (``y`` only ever grows)."""
        full = len(y) // self.BASE
        done = self._len[0] if self._len else 0
        if full <= done:
            return
        seg = y[done * self.BASE: full * self.BASE].reshape(-1, self.BASE)
        finite = np.isfinite(seg)
        base = np.arange(done, full, dtype=np.int64) * self.BASE
        lo = base + np.where(finite, seg, np.inf).argmin(axis=1)
        hi = base + np.where(finite, seg, -np.inf).argmax(axis=1)
        self._append(0, lo, hi)
        level = 0
        while True:  # pair up every level whose new blocks complete a pair above it
            pairs = self._len[level] // 2
            above = self._len[level + 1] if level + 1 < len(self._len) else 0
            if pairs <= above:
                break
            a = np.arange(2 * above, 2 * pairs, 2)
            mins, maxs = self.mins[level], self.maxs[level]
            m0, m1 = mins[a], mins[a + 1]
            x0, x1 = maxs[a], maxs[a + 1]
            v0, v1 = _finite_or(y[m0], np.inf), _finite_or(y[m1], np.inf)
            w0, w1 = _finite_or(y[x0], -np.inf), _finite_or(y[x1], -np.inf)
            self._append(level + 1, np.where(v1 < v0, m1, m0), np.where(w1 > w0, x1, x0))
            level += 1

    def _append(self, level: int, lo: np.ndarray, hi: np.ndarray) -> None:
        if level == len(self._len):
            self.mins.append(np.zeros(max(16, 2 * len(lo)), dtype=np.int64))
            self.maxs.append(np.zeros(max(16, 2 * len(lo)), dtype=np.int64))
            self._len.append(0)
        n = self._len[level]
        end = n + len(lo)
        if end > len(self.mins[level]):
            cap = max(end, int(len(self.mins[level]) * 1.5) + 16)
            for arrs in (self.mins, self.maxs):
                grown = np.zeros(cap, dtype=np.int64)
                grown[:n] = arrs[level][:n]
                arrs[level] = grown
        self.mins[level][n:end] = lo
        self.maxs[level][n:end] = hi
        self._len[level] = end

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in self.mins + self.maxs)

    @property
    def levels(self) -> list[int]:
        """Blocks summarised per level (level 0: blocks of ``BASE`` points)."""
        return list(self._len)

    def level(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Level ``k``'s min and max indices (views, one per block)."""
        n = self._len[k]
        return self.mins[k][:n], self.maxs[k][:n]

    @classmethod
    def from_levels(cls, levels: list[tuple[np.ndarray, np.ndarray]]) -> MinMaxPyramid:
        """A pyramid from saved levels (the caller checked every index lies inside its own block)."""
        pyramid = cls()
        for lo, hi in levels:
            pyramid.mins.append(np.asarray(lo, dtype=np.int64))
            pyramid.maxs.append(np.asarray(hi, dtype=np.int64))
            pyramid._len.append(len(lo))
        return pyramid

    def query(self, y: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Index of the min and of the max of ``y[starts[c]:ends[c]]`` for every c (-1: no finite value).

        ``y`` is the series the pyramid was updated with (it may have grown since: the part past
        the summarised blocks is scanned directly).
        """
        starts = np.asarray(starts, dtype=np.int64)
        ends = np.minimum(np.asarray(ends, dtype=np.int64), len(y))
        rows = len(starts)
        best = _Best(y, rows)
        B = self.BASE
        done = self._len[0] if self._len else 0
        blk_a = np.minimum(-(-starts // B), done)  # first whole block inside the range
        blk_b = np.minimum(ends // B, done)  # one past the last whole block
        whole = blk_a < blk_b
        head_end = np.where(whole, blk_a * B, ends)
        tail_start = np.where(whole, blk_b * B, ends)
        best.scan(starts, head_end)
        best.scan(tail_start, ends)
        left, right = blk_a.copy(), np.where(whole, blk_b, blk_a)
        for level in range(len(self._len)):
            live = left < right
            if not live.any():
                break
            mins, maxs = self.mins[level], self.maxs[level]
            odd = live & (left & 1 == 1)
            best.consider(np.flatnonzero(odd), mins[left[odd]], maxs[left[odd]])
            left[odd] += 1
            odd = (left < right) & (right & 1 == 1)
            right[odd] -= 1
            best.consider(np.flatnonzero(odd), mins[right[odd]], maxs[right[odd]])
            if level + 1 < len(self._len):
                left >>= 1
                right >>= 1
            else:  # the top level: take what is left one block at a time (at most a couple)
                while (live := left < right).any():
                    best.consider(np.flatnonzero(live), mins[left[live]], maxs[left[live]])
                    left[live] += 1
        return best.imin, best.imax


def _finite_or(values: np.ndarray, fill: float) -> np.ndarray:
    return np.where(np.isfinite(values), values, fill)


class _Best:
    """Running minimum and maximum (value and index) of many ranges at once."""

    def __init__(self, y: np.ndarray, rows: int) -> None:
        self.y = y
        self.vmin = np.full(rows, np.inf)
        self.vmax = np.full(rows, -np.inf)
        self.imin = np.full(rows, -1, dtype=np.int64)
        self.imax = np.full(rows, -1, dtype=np.int64)

    def consider(self, rows: np.ndarray, imin: np.ndarray, imax: np.ndarray) -> None:
        if not len(rows):
            return
        v = _finite_or(self.y[imin], np.inf)
        better = v < self.vmin[rows]
        self.vmin[rows[better]] = v[better]
        self.imin[rows[better]] = imin[better]
        w = _finite_or(self.y[imax], -np.inf)
        better = w > self.vmax[rows]
        self.vmax[rows[better]] = w[better]
        self.imax[rows[better]] = imax[better]

    def scan(self, starts: np.ndarray, ends: np.ndarray) -> None:
        """Consider every point of short ranges (under two blocks) directly."""
        length = ends - starts
        live = np.flatnonzero(length > 0)
        if not len(live) or not len(self.y):
            return
        width = int(length[live].max())
        idx = starts[live, None] + np.arange(width)[None, :]
        inside = idx < ends[live, None]
        idx = np.minimum(idx, len(self.y) - 1)
        vals = self.y[idx]
        finite = inside & np.isfinite(vals)
        rows_idx = np.arange(len(live))
        lo = np.where(finite, vals, np.inf).argmin(axis=1)
        hi = np.where(finite, vals, -np.inf).argmax(axis=1)
        has = finite.any(axis=1)
        self.consider(live[has], idx[rows_idx, lo][has], idx[rows_idx, hi][has])
