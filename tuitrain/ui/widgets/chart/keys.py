"""The chart's view keys and their actions, shared by the Train pane and the Runs screen."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.actions import SkipAction
from textual.binding import Binding

from tuitrain.ui.pane_actions import PaneAction, bindings

if TYPE_CHECKING:
    from tuitrain.ui.widgets.chart.metrics_chart import MetricsChart

FULL_CLASS = "-chart-full"  # on the screen while the chart fills it (app.tcss hides the rest)

# The chart's view keys, shared by the Train pane and the runs screen (one list, one set of actions).
CHART_ACTIONS = [
    PaneAction("toggle_granularity", "g", "Batch/epoch", "Chart: per batch / per epoch",
               "toggle the chart's granularity", "chart.granularity"),
    PaneAction("cycle_x_axis", "t", "X axis", "Chart: x axis step / epoch / time", "cycle the chart's x axis", "chart.x_axis"),
    PaneAction("toggle_log", "l", "Log y", "Chart: log / linear y", "toggle a logarithmic y axis", "chart.log_y"),
    PaneAction("toggle_full_chart", "f", "Full chart", "Chart: full screen",
               "the chart fills the screen (f or escape: back)", "chart.full"),
    PaneAction("smooth_more", "right_square_bracket", "Smooth+", "Chart: more smoothing",
               "raise the EMA smoothing of batch curves", "chart.smooth_more", show=False),
    PaneAction("smooth_less", "left_square_bracket", "Smooth-", "Chart: less smoothing",
               "lower the EMA smoothing of batch curves", "chart.smooth_less", show=False),
    PaneAction("zoom_in", "plus,equals_sign", "Zoom in", "Chart: zoom in along x",
               "show half as much of the x axis, in more detail", "chart.zoom_in", show=False),
    PaneAction("zoom_out", "minus", "Zoom out", "Chart: zoom out along x",
               "show twice as much of the x axis", "chart.zoom_out", show=False),
    PaneAction("pan_left", "shift+left,less_than_sign", "Pan left", "Chart: pan left",
               "move the zoomed x window a quarter to the left", "chart.pan_left", show=False),
    PaneAction("pan_right", "shift+right,greater_than_sign", "Pan right", "Chart: pan right",
               "move the zoomed x window a quarter to the right", "chart.pan_right", show=False),
    PaneAction("reset_zoom", "0", "Whole run", "Chart: whole run (reset zoom)",
               "show the whole x axis again", "chart.reset_zoom", show=False),
    PaneAction("cycle_metric", "m", "Metric", "Chart: next metric", "show every metric or one at a time",
               "chart.metric", show=False),
    PaneAction("cycle_focus", "o", "Focus run", "Chart: focus one overlaid run",
               "draw one of the overlaid runs in colour, the others grey (again: the next run)",
               "chart.focus", show=False),
]
# Screens list CHART_BINDINGS beside their own "escape: back"; a priority binding is asked first and
# skips itself unless the chart is full screen, so escape leaves the full chart before the screen.
CHART_BINDINGS = [*bindings(CHART_ACTIONS),
                  Binding("escape", "leave_full_chart", "Leave the full chart", show=False, priority=True,
                          id="chart.leave_full")]


class ChartActions:
    """The actions behind ``CHART_BINDINGS`` for a widget or screen that has a ``chart``."""

    chart: "MetricsChart"

    if TYPE_CHECKING:  # Textual's, on the widget or screen this is mixed into
        screen: Any

        def notify(self, message: str, **kwargs: Any) -> None: ...

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

    def action_zoom_in(self) -> None:
        self.chart.zoom(0.5)

    def action_zoom_out(self) -> None:
        self.chart.zoom(2.0)

    def action_pan_left(self) -> None:
        self.chart.pan(-1)

    def action_pan_right(self) -> None:
        self.chart.pan(+1)

    def action_reset_zoom(self) -> None:
        self.chart.x_window = None

    def action_cycle_focus(self) -> None:
        if not self.chart.cycle_focus():
            self.notify("one run is shown: mark two or more on the runs screen (r, space) to focus one",
                        title="Chart")

    def action_toggle_full_chart(self) -> None:
        self.screen.set_class(not self.screen.has_class(FULL_CLASS), FULL_CLASS)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``?`` and the palette list "escape: leave the full chart" only while the chart is full."""
        if action == "leave_full_chart" and not self.chart_is_full():
            return False
        return super().check_action(action, parameters)  # type: ignore[misc]

    def action_leave_full_chart(self) -> None:
        """Escape: back from the full-screen chart; otherwise escape does what it does elsewhere."""
        if not self.chart_is_full():
            raise SkipAction()
        self.screen.remove_class(FULL_CLASS)

    def chart_is_full(self) -> bool:
        return self.screen.has_class(FULL_CLASS)
