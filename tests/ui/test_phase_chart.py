"""The chart marks where each [[phases]] phase begins: a vertical line at the boundary and a legend."""

from __future__ import annotations

from tuitrain.ui.series.run_series import RunSeries
from tuitrain.ui.widgets.chart.render import ChartOptions, phase_boundaries, render_chart


def _phased_series(resumed: bool = False) -> RunSeries:
    events, step = [], 0
    for epoch in range(1, 7):
        if epoch == 4:
            events.append({"kind": "phase", "phase": 2, "start_epoch": 3, "step": step, "time": step * 0.1, "epoch": 3})
        for _ in range(10):
            step += 1
            events.append({"kind": "batch", "step": step, "epoch": epoch, "time": step * 0.1, "loss": 1.0 / step ** 0.3})
        events.append({"kind": "epoch", "step": step, "epoch": epoch, "time": step * 0.1, "loss": 1.0 / step ** 0.3,
                       "epochs": 6})
    if resumed:  # the resumed trainer announces phase 2 again
        events.append({"kind": "phase", "phase": 2, "start_epoch": 3, "step": 60, "time": 9.0, "epoch": 6})
    series = RunSeries()
    series.extend(events)
    return series


def _column_of_line(text: str) -> int | None:
    """The column where a vertical line runs from the top of the plot to the axis (┼ below it)."""
    axis = next(line for line in text.splitlines() if line.lstrip().startswith("└"))
    return axis.index("┼") if "┼" in axis else None


def test_phase_boundary_is_a_vertical_line_where_phase_two_begins():
    series = _phased_series()
    assert phase_boundaries([("", series)], "step") == [(30.0, 2)]
    assert phase_boundaries([("", series)], "epoch") == [(3.0, 2)]
    for axis, tick in (("step", " 30 "), ("epoch", " 3 ")):
        text = render_chart([("", series)], 60, 14, ChartOptions(x_axis=axis, metric="loss")).plain
        lines = text.splitlines()
        column = _column_of_line(text)
        assert column is not None and column == lines[-2].index(tick) + 1  # on the x tick of the boundary
        plot_rows = lines[2:-3]
        assert sum(line[column] == "│" for line in plot_rows) >= len(plot_rows) - 2  # top to bottom (a curve may cross)
        assert "│ phase 2 from epoch 4" in lines[-1]


def test_a_run_without_phases_has_no_marker():
    series = RunSeries()
    series.extend([{"kind": "batch", "step": s, "epoch": 1, "time": s, "loss": 1.0 / s} for s in range(1, 40)])
    text = render_chart([("", series)], 60, 14, ChartOptions(metric="loss")).plain
    assert _column_of_line(text) is None and "phase" not in text


def test_a_resumed_phase_keeps_one_marker():
    assert phase_boundaries([("", _phased_series(resumed=True))], "epoch") == [(3.0, 2)]
