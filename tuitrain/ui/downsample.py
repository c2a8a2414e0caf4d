"""Shrink long metric histories to what a chart of a given width can show, keeping the spikes.

A terminal chart has a few hundred columns at most, so plotting a million logged batches
point by point only costs time. ``minmax_downsample`` keeps, for every chart column, the
points holding that column's lowest and highest value (a loss spike or a NaN-recovery dip
stays visible), so the redraw cost is bounded by the width, not by the history.
``ema`` is the smoothing the chart offers; it is vectorised so changing the smoothing on
a long run does not stall the UI. Pure numpy, no Textual.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["minmax_downsample", "ema", "ema_step"]


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


def ema(y: np.ndarray, alpha: float, init: float | None = None) -> np.ndarray:
    """Exponential moving average ``s[i] = alpha * s[i-1] + (1 - alpha) * y[i]``.

    ``alpha`` is the weight of the past (0 = no smoothing, 0.99 = very smooth), as in
    TensorBoard's smoothing slider. The average starts at ``init`` (the last smoothed value
    when extending a series) or at the first finite value. NaN inputs leave the average
    unchanged and come out as NaN, so a diverged batch shows as a gap, not as a poisoned
    curve. Vectorised in blocks (closed form within a block), so 10^6 points take
    milliseconds.
    """
    y = np.asarray(y, dtype=np.float64)
    if not 0.0 <= alpha < 1.0:
        raise ValueError(f"smoothing must be in [0, 1), got {alpha}")
    out = np.empty_like(y)
    if len(y) == 0:
        return out
    if alpha == 0.0:
        out[:] = y
        return out
    finite = np.isfinite(y)
    if init is None or not math.isfinite(init):
        first = np.flatnonzero(finite)
        if len(first) == 0:
            out[:] = np.nan
            return out
        init = float(y[first[0]])
    # Within a block of length B: s[k] = a^(k+1) * (s0 + (1-a) * sum_{j<=k} y[j] a^-(j+1)).
    # B is chosen so a^-B stays far from float overflow.
    block = max(1, min(4096, int(200 * math.log(10) / -math.log(alpha))))
    ks = np.arange(1, block + 1, dtype=np.float64)
    up = alpha ** ks  # a^(k+1) for k = 0..B-1
    down = alpha ** -ks
    s0 = init
    for start in range(0, len(y), block):
        seg = y[start:start + block]
        ok = finite[start:start + block]
        m = len(seg)
        if ok.all():
            acc = np.cumsum(seg * down[:m]) * (1.0 - alpha)
            sm = up[:m] * (s0 + acc)
            out[start:start + m] = sm
            s0 = sm[-1]
        else:  # rare: go point by point so NaNs do not poison the average
            for i in range(m):
                if ok[i]:
                    s0 = alpha * s0 + (1.0 - alpha) * seg[i]
                    out[start + i] = s0
                else:
                    out[start + i] = np.nan
    return out


def ema_step(prev: float, value: float, alpha: float) -> float:
    """One EMA update, for extending a smoothed series by one point."""
    if not math.isfinite(value):
        return prev
    if not math.isfinite(prev):
        return value
    return alpha * prev + (1.0 - alpha) * value
