"""Drawing the metric chart: one plotext panel per metric, curves downsampled to the width.

Every curve is cut down to at most two points per chart column before plotext sees it, so a
redraw costs the same after a million batches as after a hundred.  No Textual here: the widget
(``tuitrain.ui.widgets.chart.metrics_chart``) and the chart benchmark both call ``render_chart``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from rich.text import Text

from tuitrain.ui.series.run_series import RunSeries
from tuitrain.ui.widgets.chart.ansi_text import ansi_to_text
from tuitrain.ui.widgets.chart.state import label_top_frame, legend_line, state_line
from tuitrain.ui.widgets.chart.ticks import flat_range, format_tick, log_ticks, nice_ticks

__all__ = ["ChartOptions", "render_chart", "SMOOTHING_STEPS", "metric_groups", "metric_curves", "overlay_curves", "panel_rows"]

_PALETTE = (12, 9, 10, 11, 13, 14, 208, 129, 2, 4)
SMOOTHING_STEPS = (0.0, 0.3, 0.6, 0.8, 0.9, 0.95, 0.99)
_MIN_PANEL_HEIGHT = 8
_MIN_PANEL_WIDTH = 36
MAX_OVERLAY = 6  # metrics drawn together in the "all metrics" overlay (more: pick one with / or m)
_DIMMED = 8  # grey: the runs of an overlay not in focus


@dataclass(frozen=True)
class ChartOptions:
    """What to draw: ``granularity`` batch|epoch, ``x_axis`` step|epoch|time, EMA weight, log y,
    ``metric`` (a base name such as ``loss``; empty = every metric: one panel each where they fit,
    else one chart with each metric scaled to its own range), ``x_window`` the visible x range
    (None: the whole run), ``focus`` the legend label of the one run drawn in colour (the others
    grey), ``watching`` the name of the run shown when it is not the preset's own."""

    granularity: str = "batch"
    x_axis: str = "step"
    smoothing: float = 0.6
    log_y: bool = False
    metric: str = ""
    x_window: tuple[float, float] | None = None
    focus: str = ""
    watching: str = ""


@dataclass
class _Curve:
    label: str
    color: int
    x: np.ndarray
    y: np.ndarray
    source: str = ""


@dataclass(frozen=True)
class _Layout:
    """Which panels to draw: each a list of metric groups (several: one scaled overlay), and how
    many panels each row holds (``panel_rows``)."""

    panels: list[list[str]]
    counts: list[int]
    hidden: int
    overlay: bool


def render_chart(sources: list[tuple[str, RunSeries]], width: int, height: int,
                 options: ChartOptions) -> Text:
    """Draw the chart for ``sources`` ((label, series) pairs; label "" for a single run): the state
    line on top, the plot, the legend line below."""
    if width < 10 or height < 5:
        return Text("")
    groups = [g for g in metric_groups(sources, options)
              if any(len(c.x) for c in metric_curves(sources, g, options, 10))]  # no empty boxes
    if not groups:
        return _centered("waiting for the first batch…", width, height)
    layout = _layout(groups, width, height, bool(options.metric))

    # Imported here: plotext costs ~0.3 s to import, and `tuitrain attach` opens on this chart.
    import plotext
    from plotext._plotter.plot import plot_class

    plotext.terminal.limit(False, False)  # the widget, not the real terminal, sets the size
    fig = plot_class(parent=plotext.terminal)
    fig.plot_size(width, height - 2)  # the first row is the state line, the last the legend
    seen_labels: dict[str, int] = {}
    for (panel, cols), panel_groups in zip(_panels(fig, layout.counts), layout.panels):
        panel_width = max(10, width // cols - 8)  # minus the y tick labels and frame
        if len(layout.panels) > 1:
            panel.title(panel_groups[0] + (" (log)" if options.log_y else ""))
        curves = (overlay_curves(sources, panel_groups, options, panel_width) if layout.overlay
                  else metric_curves(sources, panel_groups[0], options, panel_width))
        _draw_panel(panel, curves, sources, options, (height - 2) // len(layout.counts), panel_width, layout.overlay)
        for curve in curves:
            if len(curve.x) and (not options.focus or curve.source == options.focus):
                seen_labels.setdefault(curve.label, curve.color)
    if not seen_labels:
        return _centered("waiting for the first batch…", width, height)
    plot = ansi_to_text(fig.build().string().removesuffix("\n"))
    watching = f"watching {options.watching}" if options.watching else ""
    framed = label_top_frame(plot, watching) if watching else None  # the run's name costs no row
    text = state_line(options, width, overlay=layout.overlay, hidden=layout.hidden)
    text.append("\n")
    text.append_text(framed or plot)
    text.append("\n")
    extra = _phase_legend(sources) + (f"others grey ({len(sources) - 1})" if options.focus else "")
    text.append_text(legend_line(list(seen_labels.items()), width, extra=extra,
                                 watching=options.watching if framed is None else ""))
    return text


def _layout(groups: list[str], width: int, height: int, one_metric: bool) -> _Layout:
    """One panel per metric where they all fit (``panel_rows``), else every metric in one overlay
    (at most ``MAX_OVERLAY``), so "all metrics" never looks like "loss" alone."""
    if one_metric or len(groups) == 1:
        return _Layout([groups[:1]], [1], 0, False)
    counts = panel_rows(len(groups), width, height - 1)  # minus the state line (the legend is the -1 there)
    if sum(counts) >= len(groups):
        return _Layout([[g] for g in groups], counts, 0, False)
    shown = groups[:MAX_OVERLAY]
    return _Layout([shown], [1], len(groups) - len(shown), True)


def panel_rows(n: int, width: int, height: int) -> list[int]:
    """How many metric panels each row holds: two a row where the width allows, as many rows as the
    height allows, and never an empty box (an odd last panel takes its row's whole width)."""
    cols = 2 if n > 1 and width >= 2 * _MIN_PANEL_WIDTH else 1
    shown = min(n, max(1, (height - 1) // _MIN_PANEL_HEIGHT) * cols)
    counts = [cols] * (shown // cols)
    if shown % cols:
        counts.append(shown % cols)
    return counts


def _panels(fig, counts: list[int]) -> list[tuple[Any, int]]:
    """The plotext panels for ``counts`` (panels per row), each with how many share its row."""
    if counts == [1]:
        fig.theme("simple")
        return [(fig, 1)]
    if len(set(counts)) == 1:  # a full grid
        fig.subplots(len(counts), counts[0])
        fig.theme("simple")  # after subplots(): it propagates to them (subplots copy no colours)
        return [(fig.subplot(r + 1, c + 1), counts[0]) for r in range(len(counts)) for c in range(counts[0])]
    fig.subplots(len(counts), 1)  # rows of their own width: the last one holds fewer panels
    fig.theme("simple")
    panels = []
    for r, cols in enumerate(counts):
        row = fig.subplot(r + 1, 1)
        if cols == 1:
            panels.append((row, 1))
            continue
        row.subplots(1, cols)
        row.theme("simple")
        panels.extend((row.subplot(1, c + 1), cols) for c in range(cols))
    return panels


def _draw_panel(panel, curves: list[_Curve], sources, options: ChartOptions, panel_height: int,
                panel_width: int, overlay: bool) -> None:
    """Plot ``curves`` (the focused run's last, on top), phase lines, and the x and y ticks."""
    import plotext

    xs = [c.x for c in curves if len(c.x)]
    if not xs:
        return
    ordered = sorted(curves, key=lambda c: bool(options.focus) and c.source == options.focus)
    for curve in ordered:
        if not len(curve.x):
            continue
        color = curve.color if not options.focus or curve.source == options.focus else _DIMMED
        marker = plotext.marker("braille", pixel=plotext.pixel(foreground=color))
        signal = panel.signal(curve.x.tolist(), curve.y.tolist(), marker=marker)
        _register(panel, signal.lines(len(curve.x) > 1))
    if options.x_window is not None:
        lo, hi = options.x_window
    else:
        lo, hi = min(float(x[0]) for x in xs), max(float(x[-1]) for x in xs)
    if hi <= lo:
        hi = lo + 1.0
    positions = nice_ticks(lo, hi, max(2, panel_width // 7), integer=options.x_axis == "epoch")
    step = positions[1] - positions[0] if len(positions) > 1 else 1.0
    _phase_markers(panel, sources, options.x_axis, lo, hi)
    panel.ruler("x").lim(lo, hi)
    panel.ruler("x").ticks(positions, [format_tick(p, options.x_axis, step) for p in positions])
    if overlay:  # every metric scaled to its own range: the y axis reads min … max
        panel.ruler("y").lim(-0.05, 1.05)
        panel.ruler("y").ticks([0.0, 1.0], ["min", "max"])
    elif options.log_y:  # curves hold log10(y): label the ticks with the values (1e-08, 0.01, 2)
        ys = [c.y for c in curves if len(c.y)]
        y_lo = min(float(y.min()) for y in ys)
        y_hi = max(float(y.max()) for y in ys)
        ticks, labels = log_ticks(y_lo, y_hi, max(2, panel_height // 3))
        if ticks:
            panel.ruler("y").ticks(ticks, labels)
    else:
        _flat_y(panel, curves)


def _flat_y(panel, curves: list[_Curve]) -> None:
    """One point, or a flat curve: a y axis around the value with the value among its labels."""
    ys = [c.y[np.isfinite(c.y)] for c in curves]
    ys = [y for y in ys if len(y)]
    if not ys:
        return
    y_lo, y_hi = min(float(y.min()) for y in ys), max(float(y.max()) for y in ys)
    if y_hi - y_lo > 1e-12 * max(1.0, abs(y_hi)):
        return
    lo, hi, ticks, labels = flat_range(y_lo)
    panel.ruler("y").lim(lo, hi)
    panel.ruler("y").ticks(ticks, labels)


def _register(panel, signal) -> None:
    """``panel.draw(signal)`` without its colour-cycler bookkeeping, which walks every point
    (a third of a redraw) only to pick colours for signals that have none; ours all have one."""
    signals = getattr(panel, "_signals", None)
    if signals is not None and hasattr(signals, "_add") and not panel._has_subplots():
        signals._add(signal)
    else:
        panel.draw(signal)


_PHASE_X = {"step": "step", "epoch": "start_epoch", "time": "time"}


def phase_boundaries(sources: list[tuple[str, RunSeries]], x_axis: str) -> list[tuple[float, int]]:
    """(x, phase number) where each phase after the first begins, on the chart's x axis: the end of
    the previous phase's last epoch (step, epoch count or seconds)."""
    marks = []
    for _, series in sources:
        for marker in getattr(series, "phases", ()):
            if marker["phase"] > 1:
                marks.append((marker[_PHASE_X[x_axis]], int(marker["phase"])))
    return sorted(set(marks))


def _phase_markers(panel, sources: list[tuple[str, RunSeries]], x_axis: str, lo: float, hi: float) -> None:
    """A vertical grey line at each phase boundary inside the panel's x range (the legend names them)."""
    import plotext

    for x, _number in phase_boundaries(sources, x_axis):
        if lo < x <= hi:
            panel.line(x, orientation=1, pixel=plotext.pixel(foreground=8))  # vertical, at data x


def _phase_legend(sources: list[tuple[str, RunSeries]]) -> str:
    """"│ phase 2 from epoch 4, 3 from epoch 9": what the vertical lines mark."""
    starts = sorted({(int(m["phase"]), int(m["start_epoch"])) for _, series in sources
                     for m in getattr(series, "phases", ()) if m["phase"] > 1})
    if not starts:
        return ""
    return "│ phase " + ", ".join(f"{number} from epoch {start + 1}" for number, start in starts) + "  "


def _centered(message: str, width: int, height: int) -> Text:
    pad = "\n" * max(0, height // 2 - 1)
    return Text(pad + message.center(width), style="dim", no_wrap=True)


def metric_groups(sources: list[tuple[str, RunSeries]], options: ChartOptions) -> list[str]:
    groups: list[str] = []
    for _, series in sources:
        for gran in (options.granularity, "epoch"):
            for group in series.metric_groups(gran):
                if group not in groups:
                    groups.append(group)
    if options.metric:
        return [options.metric] if options.metric in groups else groups[:1]
    return groups


def metric_curves(sources: list[tuple[str, RunSeries]], group: str, options: ChartOptions,
            columns: int) -> list[_Curve]:
    """Train and validation curves of one metric for every source, downsampled to ``columns``."""
    curves: list[_Curve] = []
    for n, (label, series) in enumerate(sources):
        names = (label, f"{label} val") if label else ("train", "validation")
        color_train = _PALETTE[(2 * n) % len(_PALETTE)] if len(sources) > 1 else _PALETTE[0]
        color_val = _PALETTE[(2 * n + 1) % len(_PALETTE)] if len(sources) > 1 else _PALETTE[1]
        gran = options.granularity
        if gran == "batch" and group not in series.metric_keys("batch"):
            gran = "epoch"
        for key, color, name in ((group, color_train, names[0]), ("val_" + group, color_val, names[1])):
            g = gran if key == group else "epoch"  # validation exists per epoch only
            if key not in series.metric_keys(g):
                continue
            smoothing = options.smoothing if g == "batch" else 0.0
            # each column's lowest and highest point, from the curve's pyramid (cost independent of length)
            # the visible window is split into the columns: zooming in shows more of the run's detail
            x, y = series.chart_points(g, key, options.x_axis, smoothing, columns=columns, x_range=options.x_window)
            if options.x_window is not None and g == "epoch":  # a few points: lines run on to the frame
                x, y = _with_neighbours(series, key, options, x, y)
            if options.log_y:
                positive = y > 0
                x, y = x[positive], np.log10(y[positive])
            curves.append(_Curve(name, color, x, y, label))
    return curves


def _with_neighbours(series: RunSeries, key: str, options: ChartOptions, x: np.ndarray, y: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray]:
    """The window's points plus the nearest one outside it on each side (plotext clips the line at
    the frame), so a zoomed per-epoch curve does not stop short of the window's edges."""
    lo, hi = options.x_window
    xa, ya = series.curve("epoch", key, options.x_axis)
    ok = np.isfinite(xa) & np.isfinite(ya)
    xa, ya = xa[ok], ya[ok].astype(np.float64)
    below, above = np.flatnonzero(xa < lo), np.flatnonzero(xa > hi)
    picks = ([below[np.argmax(xa[below])]] if len(below) else []) + ([above[np.argmin(xa[above])]] if len(above) else [])
    extra_x, extra_y = [x, xa[picks]], [y, ya[picks]]
    xs, ys = np.concatenate(extra_x), np.concatenate(extra_y)
    order = np.argsort(xs, kind="stable")
    return xs[order], ys[order]


def overlay_curves(sources: list[tuple[str, RunSeries]], groups: list[str], options: ChartOptions,
                   columns: int) -> list[_Curve]:
    """Every metric of ``groups`` in one chart, each scaled to 0…1 over its own range (a metric's
    training and validation curves share one scale, so they stay comparable); named by metric."""
    out: list[_Curve] = []
    for g, group in enumerate(groups):
        curves = metric_curves(sources, group, options, columns)
        ys = [c.y[np.isfinite(c.y)] for c in curves]
        ys = [y for y in ys if len(y)]
        if not ys:
            continue
        lo, hi = min(float(y.min()) for y in ys), max(float(y.max()) for y in ys)
        span = hi - lo if hi > lo else 1.0
        for c in curves:
            val = c.label.endswith("val") or c.label == "validation"
            metric = f"val_{group}" if val else group
            label = f"{c.source} {metric}" if c.source else metric
            color = _PALETTE[(2 * g + val) % len(_PALETTE)] if len(sources) == 1 else c.color
            out.append(_Curve(label, color, c.x, (c.y - lo) / span, c.source))
    return out
