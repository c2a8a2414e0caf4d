"""ui/widgets/chart/ticks.py: whole epochs on an epoch axis, and a y axis around a lone value (issue #24)."""

from __future__ import annotations

import re

import pytest

from tuitrain.ui.series.run_series import RunSeries
from tuitrain.ui.widgets.chart.render import ChartOptions, render_chart
from tuitrain.ui.widgets.chart.ticks import flat_range, nice_ticks


def _epochs(*values: tuple[int, float]) -> RunSeries:
    series = RunSeries()
    series.extend([{"kind": "epoch", "epoch": e, "step": 13 * e, "time": float(e), "loss": v, "steps": 13, "epochs": 30}
                   for e, v in values])
    return series


def test_an_epoch_axis_has_whole_epochs_only():
    assert nice_ticks(25, 26, 6, integer=True) == [25, 26]
    assert nice_ticks(1, 30, 6, integer=True) == [5, 10, 15, 20, 25, 30]
    assert nice_ticks(25, 26, 6) == [25, 25.2, 25.4, 25.6, 25.8, 26]  # a step axis may still have fractions
    text = render_chart([("", _epochs((25, 0.5), (26, 0.4)))], 48, 12, ChartOptions("epoch", "epoch")).plain
    axis = text.splitlines()[-2]
    assert axis.split() == ["25", "26"]


@pytest.mark.parametrize("value, labels", [
    (1.2, ["1.15", "1.2", "1.25"]),
    (0.6595, ["0.6345", "0.6595", "0.6845"]),
    (0.0, ["-0.05", "0", "0.05"]),
    (-3.5, ["-3.6", "-3.5", "-3.4"]),
    (1234.5, ["1184.5", "1234.5", "1284.5"]),
])
def test_a_flat_axis_is_a_small_symmetric_margin_whose_labels_include_the_value(value, labels):
    lo, hi, ticks, shown = flat_range(value)
    assert shown == labels
    assert hi - value == pytest.approx(value - lo) and hi - lo <= max(0.1, abs(value) * 0.1) + 1e-12
    assert ticks[1] == pytest.approx(value) and lo <= ticks[0] < ticks[1] < ticks[2] <= hi


def test_a_run_with_one_point_labels_its_y_axis_around_the_value():
    text = render_chart([("", _epochs((1, 1.2)))], 48, 12, ChartOptions("epoch", "epoch")).plain
    y_labels = [m.group(1) for line in text.splitlines() if (m := re.match(r"^\s*(-?[\d.]+)┤", line))]
    assert y_labels == ["1.25", "1.2", "1.15"]  # not plotext's own 1.7 / 1.2 / -0.3
