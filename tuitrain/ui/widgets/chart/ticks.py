"""Axis ticks for the metric chart: round positions and short labels (steps, epochs, wall time, log y)."""

from __future__ import annotations

import math

def nice_ticks(lo: float, hi: float, count: int, *, integer: bool = False) -> list[float]:
    """Round tick positions (1, 2, 5 × 10^k apart) inside [lo, hi], about ``count`` of them;
    ``integer``: whole numbers only (epochs: an axis from epoch 25 to 26 reads ``25 26``, not ``25 25.2 …``)."""
    span = hi - lo
    if span <= 0 or not math.isfinite(span):
        return [lo]
    raw = max(span / max(1, count), 1.0) if integer else span / max(1, count)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step) * step
    ticks = []
    t = first
    while t <= hi + step * 1e-9:
        ticks.append(round(t, 10))
        t += step
    return ticks or [lo]


def format_tick(value: float, x_axis: str, step: float = 1.0) -> str:
    """Short tick label: ``12k`` steps, ``2.5`` epochs, ``1m30s`` of wall time."""
    if x_axis == "time":
        if value < 60 and step < 1:
            return f"{value:.1f}s"
        secs = int(round(value))
        if secs < 60:
            return f"{secs}s"
        if secs < 3600:
            m, s = divmod(secs, 60)
            return f"{m}m{s:02d}s" if s else f"{m}m"
        h, rest = divmod(secs, 3600)
        return f"{h}h{rest // 60:02d}"
    if abs(value) >= 1e6:
        return f"{value / 1e6:g}M"
    if abs(value) >= 1e4:
        return f"{value / 1e3:g}k"
    return f"{value:g}"


def log_ticks(lo: float, hi: float, count: int) -> tuple[list[float], list[str]]:
    """Ticks for a log-scale axis drawn as log10 values: positions (log10) and labels (``1e-08``,
    ``0.001``, ``2``), about ``count`` of them: decades when the range spans several, else 1-2-5
    steps, else round values of a narrow range. ``lo``/``hi`` are log10 of the data's range."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [], []
    if hi - lo < 1e-12:
        return [lo], [_log_label(10 ** lo)]
    count = max(2, count)
    first, last = math.ceil(lo - 1e-9), math.floor(hi + 1e-9)
    if last - first + 1 >= 2:  # at least two decades inside: every k-th decade
        every = max(1, math.ceil((last - first + 1) / count))
        values = [10.0 ** k for k in range(first, last + 1) if (k - first) % every == 0]
    else:
        values = [m * 10.0 ** k for k in range(math.floor(lo) - 1, math.ceil(hi) + 1) for m in (1, 2, 5)
                  if lo - 1e-9 <= math.log10(m * 10.0 ** k) <= hi + 1e-9]
        if len(values) < 2 or len(values) > count:
            values = [v for v in nice_ticks(10 ** lo, 10 ** hi, count) if v > 0]
    return [math.log10(v) for v in values], [_log_label(v) for v in values]


def _log_label(value: float) -> str:
    """``1e-08``, ``0.001``, ``2.5``, ``1e+06``: short and exact enough to read a log axis."""
    return f"{value:.3g}"


def flat_range(value: float) -> tuple[float, float, list[float], list[str]]:
    """The y axis of a curve that is one point or flat: a small symmetric margin around ``value``
    (5 % of it, or 0.05 around zero) and three ticks, the value and one round step either side, so
    the one number the chart shows is read off its axis (plotext alone labels such an axis
    ``1.7 / 1.2 / -0.3``). Returns (low, high, tick positions, labels)."""
    pad = abs(value) * 0.05 or 0.05
    mag = 10 ** math.floor(math.log10(pad))
    step = max(m * mag for m in (1, 2, 2.5, 5) if m * mag <= pad)
    ticks = [value - step, value, value + step]
    return value - pad, value + pad, ticks, [_flat_label(t, value, step) for t in ticks]


def _flat_label(tick: float, value: float, step: float) -> str:
    """The value to five significant digits, its neighbours with as many decimals (trailing zeros cut)."""
    if abs(value) >= 1e5 or (value and abs(value) < 1e-3):
        return f"{tick:.4g}"
    decimals = max(0, -math.floor(math.log10(step)))
    if value:
        decimals = max(decimals, 4 - math.floor(math.log10(abs(value))))
    text = f"{tick:.{decimals}f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text in ("-0", "") else text
