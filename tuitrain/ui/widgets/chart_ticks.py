"""Axis ticks for the metric chart: round positions and short labels (steps, epochs, wall time)."""

from __future__ import annotations

import math

def nice_ticks(lo: float, hi: float, count: int) -> list[float]:
    """Round tick positions (1, 2, 5 × 10^k apart) inside [lo, hi], about ``count`` of them."""
    span = hi - lo
    if span <= 0 or not math.isfinite(span):
        return [lo]
    raw = span / max(1, count)
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
