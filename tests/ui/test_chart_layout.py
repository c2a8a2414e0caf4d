"""The chart lays out exactly as many panels as there are metrics with points: no empty boxes."""

from __future__ import annotations

import pytest

from tuitrain.ui.series.run_series import RunSeries
from tuitrain.ui.widgets.chart.render import ChartOptions, panel_rows, render_chart


def _series(metrics: list[str], epochs: int = 6) -> RunSeries:
    events = []
    for epoch in range(1, epochs + 1):
        values = {m: 1.0 / epoch + i for i, m in enumerate(metrics)}
        events.append({"kind": "epoch", "step": epoch * 10, "epoch": epoch, "time": epoch * 1.0, "epochs": epochs,
                       **values, **{f"val_{m}": v * 1.1 for m, v in values.items()}})
    series = RunSeries()
    series.extend(events)
    return series


def _boxes(text: str) -> int:
    """Plot frames drawn: each panel's top-left corner."""
    return text.count("┌")


@pytest.mark.parametrize(("n", "width", "height", "expected"), [
    (1, 100, 30, [1]), (2, 100, 30, [2]), (3, 100, 30, [2, 1]), (4, 100, 30, [2, 2]),
    (5, 100, 30, [2, 2, 1]), (3, 60, 30, [1, 1, 1]), (3, 100, 12, [2]), (5, 60, 12, [1]),
])
def test_panel_rows_fill_every_box(n, width, height, expected):
    assert panel_rows(n, width, height) == expected


@pytest.mark.parametrize("metrics", [["loss", "accuracy", "auc"], ["loss", "accuracy", "auc", "mae", "mse"]])
def test_two_runs_with_an_odd_number_of_metrics_draw_one_box_per_metric(metrics):
    sources = [("a", _series(metrics)), ("b", _series(metrics))]
    text = render_chart(sources, 100, 60, ChartOptions(granularity="epoch", x_axis="epoch")).plain
    assert _boxes(text) == len(metrics)
    titles = text.splitlines()
    assert all(any(m in line.split() for line in titles) for m in metrics)


def test_a_metric_without_points_gets_no_box():
    full, empty = _series(["loss", "accuracy"]), RunSeries()
    empty.extend([{"kind": "epoch", "step": 10, "epoch": 1, "time": 1.0, "epochs": 6, "auc": float("nan")}])
    text = render_chart([("a", full), ("b", empty)], 100, 40, ChartOptions(granularity="epoch", x_axis="epoch")).plain
    assert _boxes(text) == 2 and "auc" not in text
