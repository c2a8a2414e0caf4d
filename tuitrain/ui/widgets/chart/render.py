"""Drawing the metric chart: one plotext panel per metric, curves downsampled to the width.

Every curve is cut down to at most two points per chart column before plotext sees it, so a
redraw costs the same after a million batches as after a hundred.  No Textual here: the widget
(``tuitrain.ui.widgets.chart.metrics_chart``) and the chart benchmark both call ``render_chart``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from rich.text import Text

from tuitrain.ui.series.run_series import RunSeries
from tuitrain.ui.widgets.chart.ansi_text import ansi_to_text
from tuitrain.ui.widgets.chart.ticks import flat_range, format_tick, log_ticks, nice_ticks

__all__ = ["ChartOptions", "render_chart", "SMOOTHING_STEPS", "metric_groups", "metric_curves"]

_PALETTE = (12, 9, 10, 11, 13, 14, 208, 129, 2, 4)
SMOOTHING_STEPS = (0.0, 0.3, 0.6, 0.8, 0.9, 0.95, 0.99)
_X_LABELS = {"step": "step", "epoch": "epoch", "time": "time"}
_MIN_PANEL_HEIGHT = 8
_MIN_PANEL_WIDTH = 36


@dataclass(frozen=True)
class ChartOptions:
    """What to draw: ``granularity`` batch|epoch, ``x_axis`` step|epoch|time, EMA weight, log y,
    and ``metric`` (a base name such as ``loss``; empty = every metric, one panel each)."""

    granularity: str = "batch"
    x_axis: str = "step"
    smoothing: float = 0.6
    log_y: bool = False
    metric: str = ""


@dataclass
class _Curve:
    label: str
    color: int
    x: np.ndarray
    y: np.ndarray


def render_chart(sources: list[tuple[str, RunSeries]], width: int, height: int,
                 options: ChartOptions) -> Text:
    """Draw the chart for ``sources`` ((label, series) pairs; label "" for a single run)."""
    if width < 10 or height < 4:
        return Text("")
    groups = metric_groups(sources, options)
    legend = Text(no_wrap=True, overflow="ellipsis")
    if not groups:
        return _centered("waiting for the first batch…", width, height)

    cols = 2 if len(groups) > 1 and width >= 2 * _MIN_PANEL_WIDTH else 1
    max_rows = max(1, (height - 1) // _MIN_PANEL_HEIGHT)
    hidden = len(groups) - max_rows * cols
    groups = groups[: max_rows * cols]
    rows = math.ceil(len(groups) / cols)
    cols = min(cols, len(groups))

    # Imported here: plotext costs ~0.3 s to import, and `tuitrain attach` opens on this chart.
    import plotext
    from plotext._plotter.plot import plot_class

    plotext.terminal.limit(False, False)  # the widget, not the real terminal, sets the size
    fig = plot_class(parent=plotext.terminal)
    fig.plot_size(width, height - 1)  # the last row is our legend
    if rows * cols > 1:
        fig.subplots(rows, cols)
    fig.theme("simple")  # after subplots(): it propagates to them (subplots copy no colours)
    panel_width = max(10, width // cols - 8)  # minus the y tick labels and frame
    seen_labels: dict[str, int] = {}
    drawn = 0
    for i, group in enumerate(groups):
        panel = fig.subplot(i // cols + 1, i % cols + 1) if rows * cols > 1 else fig
        curves = metric_curves(sources, group, options, panel_width)
        panel.title(group + (" (log)" if options.log_y else ""))
        xs = [c.x for c in curves if len(c.x)]
        if not xs:
            continue
        for curve in curves:
            if not len(curve.x):
                continue
            marker = plotext.marker("braille", pixel=plotext.pixel(foreground=curve.color))
            signal = panel.signal(curve.x.tolist(), curve.y.tolist(), marker=marker)
            _register(panel, signal.lines(len(curve.x) > 1))
            drawn += 1
            name = curve.label
            if name not in seen_labels:
                seen_labels[name] = curve.color
        lo = min(float(x[0]) for x in xs)
        hi = max(float(x[-1]) for x in xs)
        if hi <= lo:
            hi = lo + 1.0
        positions = nice_ticks(lo, hi, max(2, panel_width // 7), integer=options.x_axis == "epoch")
        step = positions[1] - positions[0] if len(positions) > 1 else 1.0
        _phase_markers(panel, sources, options.x_axis, lo, hi)
        panel.ruler("x").lim(lo, hi)
        panel.ruler("x").ticks(positions, [format_tick(p, options.x_axis, step) for p in positions])
        if options.log_y:  # curves hold log10(y): label the ticks with the values (1e-08, 0.01, 2)
            ys = [c.y for c in curves if len(c.y)]
            y_lo = min(float(y.min()) for y in ys)
            y_hi = max(float(y.max()) for y in ys)
            ticks, labels = log_ticks(y_lo, y_hi, max(2, (height - 1) // rows // 3))
            if ticks:
                panel.ruler("y").ticks(ticks, labels)
        else:
            _flat_y(panel, curves)
    if not drawn:
        return _centered("waiting for the first batch…", width, height)

    for name, color in seen_labels.items():
        legend.append("━ ", style=f"color({color})")
        legend.append(name + "  ")
    legend.append(_phase_legend(sources), style="color(8)")
    legend.append(_options_text(options), style="dim")
    if hidden > 0:
        legend.append(f" · +{hidden} metric{'s' if hidden > 1 else ''} (m)", style="dim")
    text = ansi_to_text(fig.build().string().removesuffix("\n"))
    text.append("\n")
    text.append_text(legend)
    return text


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


def _options_text(options: ChartOptions) -> str:
    parts = [f"x {_X_LABELS[options.x_axis]}", f"per {options.granularity}"]
    if options.smoothing and options.granularity == "batch":
        parts.append(f"ema {options.smoothing:g}")
    if options.log_y:
        parts.append("log y")
    return " · ".join(parts)


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
            x, y = series.chart_points(g, key, options.x_axis, smoothing, columns=columns)
            if options.log_y:
                positive = y > 0
                x, y = x[positive], np.log10(y[positive])
            curves.append(_Curve(name, color, x, y))
    return curves
