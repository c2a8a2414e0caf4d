"""The chart's x window: zoom and pan along x, in the units the x axis shows (steps, epochs, seconds).

A window is ``(lo, hi)`` or None (the whole run). It is kept in plotted units, not as fractions of
the run, so a live run that grows does not move what the user zoomed in on. No Textual, no plotext.
"""

from __future__ import annotations

import math

import numpy as np

from tuitrain.ui.series.run_series import RunSeries

__all__ = ["Window", "pan", "window_text", "x_extent", "zoom"]

Window = tuple[float, float] | None
ZOOM_FACTOR = 2.0  # each zoom key halves (or doubles) the visible span
PAN_FRACTION = 0.25  # each pan key moves the window by a quarter of its span
MIN_SPAN = {"step": 4.0, "epoch": 0.05, "time": 0.5}  # zooming in stops here (a few points stay visible)


def x_extent(sources: list[tuple[str, RunSeries]], granularity: str, x_axis: str) -> tuple[float, float] | None:
    """The smallest and largest plotted x of every charted curve (None: nothing logged yet)."""
    lo, hi = math.inf, -math.inf
    for _, series in sources:
        for gran in dict.fromkeys((granularity, "epoch")):
            keys = series.metric_keys(gran)
            if not keys:
                continue
            x, _ = series.curve(gran, keys[0], x_axis)
            finite = x[np.isfinite(x)] if len(x) else x
            if len(finite):
                lo, hi = min(lo, float(finite.min())), max(hi, float(finite.max()))
    return (lo, hi) if lo <= hi else None


def zoom(window: Window, extent: tuple[float, float] | None, factor: float, x_axis: str) -> Window:
    """The window ``factor`` times as wide around its centre (``factor < 1`` zooms in), kept inside
    the run; as wide as the run or wider: None."""
    if extent is None:
        return window
    lo, hi = window if window is not None else extent
    span = max((hi - lo) * factor, MIN_SPAN.get(x_axis, 1.0))
    if span >= extent[1] - extent[0]:
        return None
    centre = (lo + hi) / 2
    return _inside(centre - span / 2, centre + span / 2, extent)


def pan(window: Window, extent: tuple[float, float] | None, direction: int) -> Window:
    """The window moved by a quarter of its span (``direction`` -1 left, +1 right), kept inside the run."""
    if window is None or extent is None:
        return window
    lo, hi = window
    shift = direction * PAN_FRACTION * (hi - lo)
    return _inside(lo + shift, hi + shift, extent)


def _inside(lo: float, hi: float, extent: tuple[float, float]) -> tuple[float, float]:
    span = hi - lo
    if lo < extent[0]:
        lo, hi = extent[0], extent[0] + span
    if hi > extent[1]:
        lo, hi = extent[1] - span, extent[1]
    return (lo, hi)


_UNITS = {"step": "steps", "epoch": "epochs", "time": "time"}


def window_text(window: Window, x_axis: str) -> str:
    """``steps 1.2k–2.4k``, ``epochs 10–20``, ``time 1m–2m30s``; the axis' name alone for the whole run."""
    from tuitrain.ui.widgets.chart.ticks import format_tick

    if window is None:
        return x_axis
    lo, hi = window
    step = (hi - lo) / 10 or 1.0
    if x_axis == "epoch":
        return f"epochs {_short(lo)}–{_short(hi)}"
    return f"{_UNITS[x_axis]} {format_tick(_round(lo, x_axis), x_axis, step)}–{format_tick(_round(hi, x_axis), x_axis, step)}"


def _short(value: float) -> str:
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"


def _round(value: float, x_axis: str) -> float:
    return float(round(value)) if x_axis == "step" else round(value, 1)
