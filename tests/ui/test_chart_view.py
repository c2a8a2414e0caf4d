"""What the chart draws: the state line at 80 columns, the "all metrics" view, the zoom window's
detail, one run in focus, the watched run's name, and the metric search's ranking (no Textual app)."""

from __future__ import annotations

import numpy as np
import pytest

from tuitrain.ui.screens.dialogs.metric_search import rank_metrics
from tuitrain.ui.series.run_series import RunSeries
from tuitrain.ui.widgets.chart import window
from tuitrain.ui.widgets.chart.render import ChartOptions, metric_curves, render_chart

CHART_AT_80 = (48, 13)  # the Train pane's chart at 80×24 (the side panel takes the rest)


def _series(steps: int = 300, per_epoch: int = 25, metrics=("loss", "accuracy"), seed: int = 0) -> RunSeries:
    rng = np.random.default_rng(seed)
    loss = 0.1 + np.exp(-np.arange(steps) / 80) + 0.05 * rng.standard_normal(steps)
    events = []
    for i in range(steps):
        step, epoch = i + 1, i // per_epoch + 1
        values = {m: float(loss[i]) * (k + 1) for k, m in enumerate(metrics)}
        events.append({"kind": "batch", "step": step, "epoch": epoch, "time": step * 0.1, **values})
        if step % per_epoch == 0:
            events.append({"kind": "epoch", "step": step, "epoch": epoch, "time": step * 0.1, "epochs": 12,
                           "steps": per_epoch, **values, **{f"val_{m}": v * 1.1 for m, v in values.items()}})
    series = RunSeries()
    series.extend(events)
    return series


def _lines(options: ChartOptions, sources=None, size=CHART_AT_80) -> list[str]:
    return render_chart(sources or [("", _series())], *size, options).plain.splitlines()


@pytest.mark.parametrize("options, state", [
    (ChartOptions(metric="loss", smoothing=0.3, log_y=True), "loss · per batch · ema .3 · log y · x step"),
    (ChartOptions(metric="loss", granularity="epoch", x_axis="epoch"), "loss · per epoch · linear y · x epoch"),
    (ChartOptions(metric="accuracy", smoothing=0.95, log_y=True, x_window=(120.0, 240.0)),
     "accuracy · batch · ema .95 · log · steps 120–240"),
    (ChartOptions(smoothing=0.6), "all (scaled) · batch · ema .6 · lin · x step"),
    (ChartOptions(metric="loss", x_window=(100.0, 200.0)), "loss · batch · ema .6 · lin · x steps 100–200"),
    (ChartOptions(metric="loss", x_axis="epoch", granularity="epoch", x_window=(3.0, 7.5)),
     "loss · per epoch · linear y · x epochs 3–7.5"),
])
def test_the_state_line_is_whole_at_80_columns(options, state):
    lines = _lines(options)
    assert lines[0] == state and len(lines[0]) <= CHART_AT_80[0]
    assert len(lines) == CHART_AT_80[1]


def test_the_state_line_uses_the_long_words_where_there_is_room():
    assert _lines(ChartOptions(metric="loss", log_y=True), size=(100, 20))[0] == \
        "loss · per batch · ema .6 · log y · x step"


def test_all_metrics_at_80x24_overlays_every_metric_scaled():
    one = _lines(ChartOptions(metric="loss"))
    every = _lines(ChartOptions(metric=""))
    assert one != every
    assert every[-1].split() == ["━", "loss", "━", "val_loss", "━", "accuracy", "━", "val_accuracy"]
    assert one[-1].split() == ["━", "train", "━", "validation"]
    y_labels = {line[:3] for line in every[1:-3]} - {"   "}
    assert y_labels == {"max", "min"}  # each metric scaled to its own range


def test_all_metrics_with_room_draws_one_panel_per_metric():
    text = render_chart([("", _series())], 120, 40, ChartOptions(metric="")).plain.splitlines()
    assert text[0].startswith("all metrics · ")
    assert "loss" in text[1] and "accuracy" in text[1]  # the panels' titles side by side
    assert "max" not in text[2]


def test_metrics_beyond_the_overlay_are_counted_on_the_state_line():
    many = _series(metrics=tuple(f"m{k}" for k in range(9)))
    state = _lines(ChartOptions(), [("", many)])[0]
    assert state == "all · batch · ema .6 · lin · step · +3 more (/)"


def test_zooming_in_draws_more_of_the_window_than_the_whole_view_did():
    series = _series(steps=5000, per_epoch=500)
    sources = [("", series)]
    whole = metric_curves(sources, "loss", ChartOptions(smoothing=0.0), 40)[0]
    zoomed = metric_curves(sources, "loss", ChartOptions(smoothing=0.0, x_window=(1000.0, 1500.0)), 40)[0]
    assert zoomed.x.min() >= 1000 and zoomed.x.max() <= 1500
    inside = (whole.x >= 1000) & (whole.x <= 1500)
    assert len(zoomed.x) > 4 * inside.sum()  # the columns split the window, not the run
    raw = series.batch.get("loss")[999:1500]
    assert zoomed.y.max() == pytest.approx(float(raw.max()), rel=1e-6)  # still every column's extremes


def test_zoom_and_pan_stay_inside_the_run():
    extent = (1.0, 300.0)
    w = window.zoom(None, extent, 0.5, "step")
    assert w == pytest.approx((75.75, 225.25))
    w = window.pan(w, extent, +1)
    assert w == pytest.approx((113.125, 262.625))
    for _ in range(5):
        w = window.pan(w, extent, +1)
    assert w == pytest.approx((150.5, 300.0))  # stops at the end of the run
    assert window.zoom(w, extent, 2.0, "step") is None  # as wide as the run: the whole run
    assert window.zoom((10.0, 12.0), extent, 0.5, "step") == pytest.approx((9.0, 13.0))  # at least 4 steps


def test_the_zoom_window_sets_the_x_ticks():
    lines = _lines(ChartOptions(metric="loss", x_window=(100.0, 200.0)))
    ticks = lines[-2].split()
    assert ticks[0] == "100" and ticks[-1] == "200"


def test_one_run_in_focus_is_drawn_in_colour_and_the_others_grey():
    sources = [("run-a", _series(seed=1)), ("run-b", _series(seed=2)), ("run-c", _series(seed=3))]
    text = render_chart(sources, 80, 20, ChartOptions(metric="loss", focus="run-b"))
    lines = text.plain.splitlines()
    assert "▸ run-b" in lines[0]
    assert lines[-1].split()[:4] == ["━", "run-b", "━", "run-b"] and "others grey (2)" in lines[-1]
    colours = {str(span.style) for span in text.spans}
    assert "color(8)" in colours  # the other runs' curves
    unfocused = render_chart(sources, 80, 20, ChartOptions(metric="loss"))
    assert "run-a" in unfocused.plain.splitlines()[-1]


def test_the_watched_run_is_named_in_the_plot_frame():
    name = "spiral_mlp-20260101-120000"
    lines = _lines(ChartOptions(metric="loss", watching=name))
    assert lines[1].lstrip().startswith(f"┌─ watching {name} ─")
    assert lines[-1].split() == ["━", "train", "━", "validation"]  # the legend keeps its room
    narrow = render_chart([("", _series())], 30, 12, ChartOptions(metric="loss", watching=name)).plain
    assert "watching spiral_ml…" in narrow  # cut, never dropped


def test_metric_search_ranks_by_fuzzy_match():
    names = ["loss", "accuracy", "precision", "recall", "auc", "top_k_categorical_accuracy"]
    assert rank_metrics(names, "acc")[:2] == ["accuracy", "top_k_categorical_accuracy"]
    assert rank_metrics(names, "recl") == ["recall"]
    assert rank_metrics(names, "") == names
    assert rank_metrics(names, "zzz") == []


def test_a_zoomed_per_epoch_curve_runs_on_to_the_window_edges():
    options = ChartOptions(metric="loss", granularity="epoch", x_axis="epoch", x_window=(3.5, 7.5))
    curves = metric_curves([("", _series())], "loss", options, 40)
    for curve in curves:  # the epochs inside, and the nearest one outside on each side
        assert curve.x.tolist() == [3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
    plot = _lines(options)[2:-3]
    assert any(line.rstrip()[-2] != " " for line in plot)  # the curves reach the right frame (epoch 8 is beyond it)

