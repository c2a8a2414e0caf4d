"""Live metric chart widget: redraws (``chart_render.render_chart``) only when needed.

``render()`` rebuilds the figure (the pattern of textual-plotext's ``PlotextPlot``, over
plotext 6 which textual-plotext does not support), but only when the data version, the size
or an option changed; otherwise the last ``Text`` is returned. A new smoothing of a long run
(an EMA over millions of points) is computed in a worker thread; meanwhile the raw curve is drawn.
"""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual import work
from textual.reactive import reactive
from textual.widget import Widget

from tuitrain.ui.series.columns import X_AXES
from tuitrain.ui.series.run_series import GRANULARITIES, RunSeries, is_better_max
from tuitrain.ui.widgets.chart import window
from tuitrain.ui.widgets.chart.keys import CHART_BINDINGS, ChartActions
from tuitrain.ui.widgets.chart.render import SMOOTHING_STEPS, ChartOptions, metric_curves, metric_groups, render_chart

# CHART_BINDINGS, ChartActions, ChartOptions and render_chart are imported from here by the panes.
__all__ = ["MetricsChart", "ChartOptions", "render_chart", "SMOOTHING_STEPS", "CHART_BINDINGS", "ChartActions", "best_text"]


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
    x_window: reactive[tuple[float, float] | None] = reactive(None)  # zoomed x range; None: the whole run
    focus: reactive[str] = reactive("")  # the overlaid run drawn in colour (its legend label); "": all
    watching: reactive[str] = reactive("")  # the run's name, when it is not the preset's own run
    placeholder: reactive[str] = reactive("")  # shown instead of an empty chart (no run, a failed run)

    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._sources: list[tuple[str, RunSeries]] = []
        self._cache_key: tuple | None = None
        self._cache: Text = Text("")
        self.renders = 0  # how many figures were actually built (tests, benchmarks)
        self._preparing: float | None = None  # the smoothing a worker is computing

    @property
    def options(self) -> ChartOptions:
        return ChartOptions(self.granularity, self.x_axis, self.smoothing, self.log_y, self.metric,
                            self.x_window, self.focus, self.watching)

    @property
    def sources(self) -> list[tuple[str, RunSeries]]:
        return list(self._sources)

    def set_sources(self, sources: list[tuple[str, RunSeries]]) -> None:
        """Show these runs ((legend prefix, series) pairs); one run: use an empty prefix."""
        if {id(s) for _, s in sources} != {id(s) for _, s in self._sources}:
            self.x_window = None  # other runs: the zoom was on what the previous ones logged
        self._sources = list(sources)
        if self.focus not in [label for label, _ in self._sources]:
            self.focus = ""
        self._cache_key = None
        self.refresh()

    def data_changed(self) -> None:
        """Redraw if any source got new events since the last figure."""
        if self._key() != self._cache_key:
            self.refresh()

    def legend_labels(self) -> list[str]:
        """Curve labels the legend shows now (for tests and the runs screen)."""
        opts = self.options
        return [c.label for g in metric_groups(self._sources, opts)
                for c in metric_curves(self._sources, g, opts, 10) if len(c.x)]

    # option cycling, used by the pane's key bindings
    def toggle_granularity(self) -> None:
        self.granularity = GRANULARITIES[(GRANULARITIES.index(self.granularity) + 1) % 2]

    def cycle_x_axis(self) -> None:
        self.x_axis = X_AXES[(X_AXES.index(self.x_axis) + 1) % len(X_AXES)]

    def change_smoothing(self, delta: int) -> None:
        steps = SMOOTHING_STEPS
        i = min(range(len(steps)), key=lambda k: abs(steps[k] - self.smoothing))
        self.smoothing = steps[max(0, min(len(steps) - 1, i + delta))]

    def metric_names(self) -> list[str]:
        """Every metric the shown runs log (base names: ``loss`` stands for ``val_loss`` too)."""
        return metric_groups(self._sources, ChartOptions(granularity=self.granularity))

    def zoom(self, factor: float) -> None:
        """Show ``factor`` times as much of the x axis around the window's centre (< 1 zooms in)."""
        self.x_window = window.zoom(self.x_window, self._extent(), factor, self.x_axis)

    def pan(self, direction: int) -> None:
        """Move the zoomed window a quarter of its width left (-1) or right (+1)."""
        self.x_window = window.pan(self.x_window, self._extent(), direction)

    def _extent(self) -> tuple[float, float] | None:
        return window.x_extent(self._sources, self.granularity, self.x_axis)

    def cycle_focus(self) -> bool:
        """Draw the next overlaid run in colour and the others grey (after the last: all in colour);
        False when fewer than two runs are shown."""
        labels = [label for label, _ in self._sources if label]
        if len(labels) < 2:
            self.focus = ""
            return False
        order = ["", *labels]
        self.focus = order[(order.index(self.focus) + 1) % len(order)] if self.focus in order else ""
        return True

    def cycle_metric(self) -> None:
        groups = [""] + metric_groups(self._sources, ChartOptions(granularity=self.granularity))
        i = groups.index(self.metric) if self.metric in groups else 0
        self.metric = groups[(i + 1) % len(groups)]

    def watch_granularity(self) -> None:
        self.x_window = None  # a window in steps means nothing per epoch (and the other way round)
        self.refresh()

    def watch_x_axis(self) -> None:
        self.x_window = None  # the window is in the axis' own units
        self.refresh()

    def watch_x_window(self) -> None:
        self.refresh()

    def watch_focus(self) -> None:
        self.refresh()

    def watch_watching(self) -> None:
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

    def _unready(self, options: ChartOptions) -> list[tuple[RunSeries, str]]:
        """Smoothed curves not computed yet for this smoothing (long ones: too slow for the event loop)."""
        if options.granularity != "batch" or options.smoothing <= 0.0:
            return []
        return [(series, key) for _, series in self._sources for key in series.metric_keys("batch")
                if not series.ready("batch", key, options.smoothing)]

    @work(thread=True, exclusive=True, group="chart-smoothing", exit_on_error=False)
    def _prepare(self, todo: list[tuple[RunSeries, str]], smoothing: float) -> None:
        for series, key in todo:
            series.prepare("batch", key, smoothing)
        self.app.call_from_thread(self._prepared)

    def _prepared(self) -> None:
        self._preparing = None
        self._cache_key = None
        self.refresh()

    def render(self) -> Text:
        key = self._key()
        if key != self._cache_key and self.placeholder and not any(
                len(series.batch) or len(series.epoch) for _, series in self._sources):
            pad = "\n" * max(0, self.size.height // 3)
            self._cache = Text(pad + self.placeholder, style="dim", justify="center")
            self._cache_key = key
        if key != self._cache_key:
            options = self.options
            todo = self._unready(options)
            if todo:  # draw the raw curves until the smoothed ones are ready
                if self._preparing != options.smoothing:
                    self._preparing = options.smoothing
                    self._prepare(todo, options.smoothing)
                options = replace(options, smoothing=0.0)
            try:
                self._cache = render_chart(self._sources, self.size.width, self.size.height, options)
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
