"""Live metric chart: plotext drawn at the widget's size from downsampled run series.

``render()`` rebuilds the figure (the pattern of textual-plotext's ``PlotextPlot``, over
plotext 6 which textual-plotext does not support), but only when the data version, the size
or an option changed; otherwise the last ``Text`` is returned. Every curve is cut down to at
most two points per chart column before plotext sees it, so a redraw costs the same after a
million batches as after a hundred.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rich.style import Style
from rich.text import Span, Text
from textual.binding import Binding
from textual.reactive import reactive
from textual.widget import Widget

from tuitrain.ui.downsample import minmax_downsample
from tuitrain.ui.series import GRANULARITIES, X_AXES, RunSeries, is_better_max

__all__ = ["MetricsChart", "ChartOptions", "render_chart", "SMOOTHING_STEPS"]

# 256-colour indexes: bright blue, bright red, bright green, yellow, magenta, cyan, ...
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
    groups = _groups(sources, options)
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
        curves = _curves(sources, group, options, panel_width)
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
        positions = nice_ticks(lo, hi, max(2, panel_width // 7))
        step = positions[1] - positions[0] if len(positions) > 1 else 1.0
        panel.ruler("x").lim(lo, hi)
        panel.ruler("x").ticks(positions, [format_tick(p, options.x_axis, step) for p in positions])
        if options.log_y:
            ys = [c.y for c in curves if len(c.y)]
            y_lo = min(float(y.min()) for y in ys)
            y_hi = max(float(y.max()) for y in ys)
            if y_hi > y_lo * 1.0001:  # flat: plotext widens the range past zero; linear is as good
                panel.ruler("y").scale("log")
    if not drawn:
        return _centered("waiting for the first batch…", width, height)

    for name, color in seen_labels.items():
        legend.append("━ ", style=f"color({color})")
        legend.append(name + "  ")
    legend.append(_options_text(options), style="dim")
    if hidden > 0:
        legend.append(f" · +{hidden} metric{'s' if hidden > 1 else ''} (m)", style="dim")
    text = ansi_to_text(fig.build().string().removesuffix("\n"))
    text.append("\n")
    text.append_text(legend)
    return text


def _register(panel, signal) -> None:
    """``panel.draw(signal)`` without its colour-cycler bookkeeping, which walks every point
    (a third of a redraw) only to pick colours for signals that have none; ours all have one."""
    signals = getattr(panel, "_signals", None)
    if signals is not None and hasattr(signals, "_add") and not panel._has_subplots():
        signals._add(signal)
    else:
        panel.draw(signal)


_SGR = re.compile(r"\x1b\[([0-9;]*)m")


@lru_cache(maxsize=512)
def _sgr_style(fg: str | None, bg: str | None, bold: bool) -> Style | None:
    if fg is None and bg is None and not bold:
        return None
    return Style(color=fg, bgcolor=bg, bold=bold or None)


def ansi_to_text(ansi: str) -> Text:
    """plotext's output as a Rich ``Text``.

    plotext writes only SGR colour codes (reset, 256-colour and RGB fore/background, bold), so
    this small parser does what ``Text.from_ansi`` does at a third of the cost, which is half
    of a redraw at 120x40.
    """
    parts = _SGR.split(ansi)
    plain: list[str] = []
    spans: list[Span] = []
    pos = 0
    fg: str | None = None
    bg: str | None = None
    bold = False
    for i, part in enumerate(parts):
        if i % 2 == 0:
            if part:
                style = _sgr_style(fg, bg, bold)
                if style is not None:
                    spans.append(Span(pos, pos + len(part), style))
                plain.append(part)
                pos += len(part)
            continue
        codes = part.split(";") if part else ["0"]
        k = 0
        while k < len(codes):
            code = codes[k]
            if code in ("0", ""):
                fg = bg = None
                bold = False
            elif code == "1":
                bold = True
            elif code in ("38", "48") and k + 1 < len(codes):
                if codes[k + 1] == "5" and k + 2 < len(codes):
                    color, k = f"color({codes[k + 2]})", k + 2
                elif codes[k + 1] == "2" and k + 4 < len(codes):
                    color, k = f"rgb({codes[k + 2]},{codes[k + 3]},{codes[k + 4]})", k + 4
                else:
                    color = None
                if code == "38":
                    fg = color
                else:
                    bg = color
            elif code == "39":
                fg = None
            elif code == "49":
                bg = None
            elif code == "22":
                bold = False
            k += 1
    return Text("".join(plain), spans=spans, no_wrap=True, overflow="crop")


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


def _groups(sources: list[tuple[str, RunSeries]], options: ChartOptions) -> list[str]:
    groups: list[str] = []
    for _, series in sources:
        for gran in (options.granularity, "epoch"):
            for group in series.metric_groups(gran):
                if group not in groups:
                    groups.append(group)
    if options.metric:
        return [options.metric] if options.metric in groups else groups[:1]
    return groups


def _curves(sources: list[tuple[str, RunSeries]], group: str, options: ChartOptions,
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
            x, y = series.chart_points(g, key, options.x_axis, smoothing)
            x, y = minmax_downsample(x, y, columns)
            if options.log_y:
                positive = y > 0
                x, y = x[positive], y[positive]
            curves.append(_Curve(name, color, x, y))
    return curves


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


# The chart's view keys, shared by the Train pane and the runs screen (one list, one set of actions).
CHART_BINDINGS = [
    Binding("g", "toggle_granularity", "Batch/epoch", id="chart.granularity"),
    Binding("t", "cycle_x_axis", "X axis", id="chart.x_axis"),
    Binding("l", "toggle_log", "Log y", id="chart.log_y"),
    Binding("right_square_bracket,plus", "smooth_more", "Smooth+", show=False, id="chart.smooth_more"),
    Binding("left_square_bracket,minus", "smooth_less", "Smooth-", show=False, id="chart.smooth_less"),
    Binding("m", "cycle_metric", "Metric", show=False, id="chart.metric"),
]


class ChartActions:
    """The actions behind ``CHART_BINDINGS`` for a widget or screen that has a ``chart``."""

    chart: "MetricsChart"

    def action_toggle_granularity(self) -> None:
        self.chart.toggle_granularity()

    def action_cycle_x_axis(self) -> None:
        self.chart.cycle_x_axis()

    def action_toggle_log(self) -> None:
        self.chart.log_y = not self.chart.log_y

    def action_smooth_more(self) -> None:
        self.chart.change_smoothing(+1)

    def action_smooth_less(self) -> None:
        self.chart.change_smoothing(-1)

    def action_cycle_metric(self) -> None:
        self.chart.cycle_metric()


class MetricsChart(Widget):
    """Chart of one or several runs' metrics; call ``data_changed()`` after feeding new events."""

    DEFAULT_CSS = """
    MetricsChart {
        width: 1fr;
        height: 1fr;
        min-height: 6;
    }
    """

    granularity: reactive[str] = reactive("batch")
    x_axis: reactive[str] = reactive("step")
    smoothing: reactive[float] = reactive(0.6)
    log_y: reactive[bool] = reactive(False)
    metric: reactive[str] = reactive("")
    placeholder: reactive[str] = reactive("")  # shown instead of an empty chart (no run, a failed run)

    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._sources: list[tuple[str, RunSeries]] = []
        self._cache_key: tuple | None = None
        self._cache: Text = Text("")
        self.renders = 0  # how many figures were actually built (tests, benchmarks)

    @property
    def options(self) -> ChartOptions:
        return ChartOptions(self.granularity, self.x_axis, self.smoothing, self.log_y, self.metric)

    @property
    def sources(self) -> list[tuple[str, RunSeries]]:
        return list(self._sources)

    def set_sources(self, sources: list[tuple[str, RunSeries]]) -> None:
        """Show these runs ((legend prefix, series) pairs); one run: use an empty prefix."""
        self._sources = list(sources)
        self._cache_key = None
        self.refresh()

    def data_changed(self) -> None:
        """Redraw if any source got new events since the last figure."""
        if self._key() != self._cache_key:
            self.refresh()

    def legend_labels(self) -> list[str]:
        """Curve labels the legend shows now (for tests and the runs screen)."""
        opts = self.options
        return [c.label for g in _groups(self._sources, opts)
                for c in _curves(self._sources, g, opts, 10) if len(c.x)]

    # option cycling, used by the pane's key bindings
    def toggle_granularity(self) -> None:
        self.granularity = GRANULARITIES[(GRANULARITIES.index(self.granularity) + 1) % 2]

    def cycle_x_axis(self) -> None:
        self.x_axis = X_AXES[(X_AXES.index(self.x_axis) + 1) % len(X_AXES)]

    def change_smoothing(self, delta: int) -> None:
        steps = SMOOTHING_STEPS
        i = min(range(len(steps)), key=lambda k: abs(steps[k] - self.smoothing))
        self.smoothing = steps[max(0, min(len(steps) - 1, i + delta))]

    def cycle_metric(self) -> None:
        groups = [""] + _groups(self._sources, ChartOptions(granularity=self.granularity))
        i = groups.index(self.metric) if self.metric in groups else 0
        self.metric = groups[(i + 1) % len(groups)]

    def watch_granularity(self) -> None:
        self.refresh()

    def watch_x_axis(self) -> None:
        self.refresh()

    def watch_smoothing(self) -> None:
        self.refresh()

    def watch_log_y(self) -> None:
        self.refresh()

    def watch_metric(self) -> None:
        self.refresh()

    def _key(self) -> tuple:
        return (self.size.width, self.size.height, self.options, self.placeholder,
                tuple((label, id(s), s.version) for label, s in self._sources))

    def render(self) -> Text:
        key = self._key()
        if key != self._cache_key and self.placeholder and not any(
                len(series.batch) or len(series.epoch) for _, series in self._sources):
            pad = "\n" * max(0, self.size.height // 3)
            self._cache = Text(pad + self.placeholder, style="dim", justify="center")
            self._cache_key = key
        if key != self._cache_key:
            try:
                self._cache = render_chart(self._sources, self.size.width, self.size.height, self.options)
            except Exception as err:  # noqa: BLE001 - a plotting corner case must not take the app down
                self._cache = Text(f"cannot draw this chart: {type(err).__name__}: {err}", style="red")
            self._cache_key = key
            self.renders += 1
        return self._cache


def best_text(series: RunSeries, key: str) -> str:
    """``val_loss 0.231↓ @ep7`` for the status panel."""
    best = series.best(key)
    if best is None:
        return "—"
    value, epoch = best
    arrow = "↑" if is_better_max(key) else "↓"
    return f"{key} {value:.3g}{arrow} @ep{epoch}"
