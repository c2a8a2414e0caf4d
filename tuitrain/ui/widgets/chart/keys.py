"""The chart's view keys and their actions, shared by the Train pane and the Runs screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding

if TYPE_CHECKING:
    from tuitrain.ui.widgets.chart.metrics_chart import MetricsChart

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
