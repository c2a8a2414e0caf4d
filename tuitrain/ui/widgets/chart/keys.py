"""The chart's view keys and their actions, shared by the Train pane and the Runs screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tuitrain.ui.pane_actions import PaneAction, bindings

if TYPE_CHECKING:
    from tuitrain.ui.widgets.chart.metrics_chart import MetricsChart

# The chart's view keys, shared by the Train pane and the runs screen (one list, one set of actions).
CHART_ACTIONS = [
    PaneAction("toggle_granularity", "g", "Batch/epoch", "Chart: per batch / per epoch",
               "toggle the chart's granularity", "chart.granularity"),
    PaneAction("cycle_x_axis", "t", "X axis", "Chart: x axis step / epoch / time", "cycle the chart's x axis", "chart.x_axis"),
    PaneAction("toggle_log", "l", "Log y", "Chart: log / linear y", "toggle a logarithmic y axis", "chart.log_y"),
    PaneAction("smooth_more", "right_square_bracket,plus", "Smooth+", "Chart: more smoothing",
               "raise the EMA smoothing of batch curves", "chart.smooth_more", show=False),
    PaneAction("smooth_less", "left_square_bracket,minus", "Smooth-", "Chart: less smoothing",
               "lower the EMA smoothing of batch curves", "chart.smooth_less", show=False),
    PaneAction("cycle_metric", "m", "Metric", "Chart: next metric", "show every metric or one at a time",
               "chart.metric", show=False),
]
CHART_BINDINGS = bindings(CHART_ACTIONS)


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
