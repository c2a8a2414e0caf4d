"""The chart's keys in the app at 80×24: state line, all metrics, full screen, zoom and pan, one run
in focus, metric search, and the watched run named (Pilot tests and snapshots)."""

from __future__ import annotations

from pathlib import Path

from tests.ui.snapshot_apps.train_fixture import (
    COMPARE_NAMES,
    RUN_NAME,
    write_compare_runs,
    write_finished_run,
)
from tests.ui.waiting import wait_for
from tuitrain.preset import find_preset
from tuitrain.ui.messages import RunStarted
from tuitrain.ui.panes.train.pane import TrainPane
from tuitrain.ui.screens.dialogs.metric_search import MetricSearchScreen
from tuitrain.ui.screens.runs import RunsScreen

SNAPSHOTS = Path(__file__).parent / "snapshot_apps"
TRAIN_APP = SNAPSHOTS / "train_finished.py"
RUNS_APP = SNAPSHOTS / "runs_compare.py"


def state(chart) -> str:
    return str(chart.render()).splitlines()[0]


async def open_finished(open_app, tmp_path, pilot_size=(80, 24)):
    run_dir = write_finished_run(tmp_path)
    ctx = open_app("spiral_mlp", run_dir=run_dir, pane="train", background=False, size=pilot_size)
    return ctx, run_dir


async def _shown(pilot) -> TrainPane:
    pane = pilot.app.query_one(TrainPane)
    await wait_for(pilot, lambda: len(pane.series.epoch_rows) == 12, "the run's twelve epochs")
    pane.focus()
    await pilot.pause()
    return pane


async def test_state_line_and_the_watched_run_at_80x24(tmp_path, open_app):
    ctx, run_dir = await open_finished(open_app, tmp_path)
    async with ctx as (app, pilot):
        pane = await _shown(pilot)
        lines = str(pane.chart.render()).splitlines()
        assert lines[0] == "all (scaled) · batch · ema .6 · lin · x step"
        assert f"watching {RUN_NAME}" in lines[1]
        # a run this pane starts is the preset's own: no name over its chart
        own = write_finished_run(tmp_path, name="spiral_mlp-20260101-140000")
        pane.post_message(RunStarted(own))
        await wait_for(pilot, lambda: app.run_dir == own and pane.series.epoch_rows, "the started run shown")
        assert pane.chart.watching == "" and "watching" not in str(pane.chart.render())


async def test_a_run_opened_with_its_own_preset_is_not_named_until_another_preset_opens(tmp_path, open_app):
    run_dir = write_finished_run(tmp_path)
    async with open_app(run_dir / "preset.toml", run_dir=run_dir, pane="train", background=False) as (app, pilot):
        pane = await _shown(pilot)
        assert pane.chart.watching == "" and "watching" not in str(pane.chart.render())
        app.load_preset_path(find_preset("digits_mlp"))
        await wait_for(pilot, lambda: pane.chart.watching == RUN_NAME, "the run named once another preset is open")
        assert f"watching {RUN_NAME}" in str(pane.chart.render()).splitlines()[1]


async def test_m_steps_from_all_metrics_to_each_one(tmp_path, open_app):
    ctx, _ = await open_finished(open_app, tmp_path)
    async with ctx as (app, pilot):
        chart = (await _shown(pilot)).chart
        legends = []
        for expected in ("loss", "accuracy", ""):
            legends.append(str(chart.render()).splitlines()[-1].split())
            await pilot.press("m")
            assert chart.metric == expected
        all_legend, loss_legend, acc_legend = legends
        assert all_legend == ["━", "loss", "━", "val_loss", "━", "accuracy", "━", "val_accuracy"]
        assert loss_legend == acc_legend == ["━", "train", "━", "validation"]
        assert state(chart).startswith("all (scaled) · ")


async def test_zoom_pan_and_reset_change_the_x_window(tmp_path, open_app):
    ctx, _ = await open_finished(open_app, tmp_path)
    async with ctx as (app, pilot):
        chart = (await _shown(pilot)).chart
        await pilot.press("plus")
        assert chart.x_window == (75.75, 225.25)
        assert state(chart) == "all · batch · ema .6 · lin · steps 76–225"
        await pilot.press("plus", "shift+right")
        lo, hi = chart.x_window
        assert hi - lo == 74.75 and lo > 113
        ticks = str(chart.render()).splitlines()[-2].split()
        assert float(ticks[0]) >= lo and float(ticks[-1]) <= hi  # the x axis is the window
        await pilot.press("0")
        assert chart.x_window is None and state(chart).endswith("x step")
        await pilot.press("plus", "t")  # another x axis: the window was in steps, so it goes
        assert chart.x_window is None and chart.x_axis == "epoch"


async def test_f_fills_the_screen_with_the_chart_and_f_or_escape_return(tmp_path, open_app):
    ctx, _ = await open_finished(open_app, tmp_path)
    async with ctx as (app, pilot):
        pane = await _shown(pilot)
        before = pane.chart.size
        hidden = ["#train-side", "#train-epochs", "Header", "#panes > ContentTabs"]
        for leave in ("f", "escape"):
            await pilot.press("f")
            await pilot.pause()
            assert all(not app.query_one(s).display for s in hidden)
            assert pane.chart.size.width == 80 and pane.chart.size.height > before.height + 8
            await pilot.press(leave)
            await pilot.pause()
            assert all(app.query_one(s).display for s in hidden) and pane.chart.size == before
        await pilot.press("escape", "1")  # not full screen: escape is the app's again, then 1 works
        assert app.query_one("#panes").active == "data"
        await pilot.press("4", "f", "2")  # another pane: the full-screen chart ends with the Train pane
        await pilot.pause()
        assert app.query_one("#panes").active == "layers" and all(app.query_one(s).display for s in hidden[2:])


async def test_slash_finds_a_metric_by_part_of_its_name(tmp_path, open_app):
    ctx, _ = await open_finished(open_app, tmp_path)
    async with ctx as (app, pilot):
        chart = (await _shown(pilot)).chart
        await pilot.press("slash")
        assert isinstance(app.screen, MetricSearchScreen)
        await pilot.press("a", "c", "c", "enter")
        assert not isinstance(app.screen, MetricSearchScreen)
        assert chart.metric == "accuracy" and state(chart).startswith("accuracy · ")
        await pilot.press("slash", "l", "o", "escape")  # cancelled: the chart stays as it was
        assert chart.metric == "accuracy"
        await pilot.press("slash", "down", "enter")  # no text: the list in order, from the current
        await pilot.pause()
        assert chart.metric == ""


async def _compare(pilot) -> RunsScreen:
    app = pilot.app
    app.query_one(TrainPane).focus()
    await pilot.press("r")
    screen = app.screen
    assert isinstance(screen, RunsScreen)
    await wait_for(pilot, lambda: screen.listed, "the runs list")
    await pilot.press("space", "down", "space")
    await wait_for(pilot, lambda: len(screen.marked) == 2 and screen.loaded(), "both runs marked and read")
    await pilot.pause()
    return screen


async def test_o_focuses_each_overlaid_run_in_turn(tmp_path, open_app):
    write_compare_runs(tmp_path)
    async with open_app("spiral_mlp", pane="train", background=False, runs_dir=tmp_path) as (app, pilot):
        screen = await _compare(pilot)
        chart = screen.chart
        labels = [label for label, _ in chart.sources]
        assert sorted(labels) == sorted(name.rsplit("-", 1)[1] for name in COMPARE_NAMES)
        for expected in (*labels, ""):
            await pilot.press("o")
            assert chart.focus == expected
            assert (f"▸ {expected}" in state(chart)) == bool(expected)
        await pilot.press("m", "o")  # one metric, the first run in focus
        legend = str(chart.render()).splitlines()[-1]
        assert labels[0] in legend and labels[1] not in legend and "others grey (1)" in legend
        await pilot.press("f")
        await pilot.pause()
        assert not screen.query_one("#runs-table").display and chart.size.height > 18
        await pilot.press("escape")  # leaves the full chart first, then the screen
        await pilot.pause()
        assert app.screen is screen and screen.query_one("#runs-table").display
        await pilot.press("escape")
        assert app.screen is not screen


def test_snapshot_train_chart_zoomed_80x24(snap_compare):
    assert snap_compare(TRAIN_APP, terminal_size=(80, 24), press=["plus", "m"], run_before=_wait_train)


def test_snapshot_train_chart_full_screen_80x24(snap_compare):
    assert snap_compare(TRAIN_APP, terminal_size=(80, 24), press=["f"], run_before=_wait_train)


def test_snapshot_train_chart_full_screen_120x40(snap_compare):
    assert snap_compare(TRAIN_APP, terminal_size=(120, 40), press=["f"], run_before=_wait_train)


def test_snapshot_metric_search_80x24(snap_compare):
    assert snap_compare(TRAIN_APP, terminal_size=(80, 24), press=["slash", "a", "c"], run_before=_wait_train)


def test_snapshot_runs_overlay_one_run_in_focus_80x24(snap_compare):
    async def compare_and_focus(pilot) -> None:
        await _compare(pilot)
        await pilot.press("m", "o", "f")
        await pilot.pause()

    assert snap_compare(RUNS_APP, terminal_size=(80, 24), run_before=compare_and_focus)


async def _wait_train(pilot) -> None:
    await _shown(pilot)
