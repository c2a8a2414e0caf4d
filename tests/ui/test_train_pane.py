"""Train pane against the real engine: start, watch, pause, stop, attach, compare.

Runs are tiny (200 spiral samples, a few epochs). Waiting is a polling loop on app state with a
generous deadline; nothing asserts how long anything took.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.ui.waiting import wait_for, wait_ready
from tuitrain.ui.messages import RunStarted
from tuitrain.runs.reader import RunReader
from tuitrain.trainer.spawn import start_run
from tuitrain.runs.events import read_events
from tuitrain.preset import find_preset, load_preset
from tuitrain.ui.app import TuitrainApp
from tuitrain.ui.panes.train.pane import TrainPane
from tuitrain.ui.screens.runs import RunsScreen

SNAPSHOT_APP = Path(__file__).parent / "snapshot_apps" / "train_finished.py"
FINAL = ("finished", "stopped", "failed", "crashed")


async def open_runs(app, pilot) -> RunsScreen:
    """``r`` on the Train pane: the Runs screen, once its list has arrived from its worker."""
    app.query_one(TrainPane).focus()
    await pilot.press("r")
    screen = app.screen
    assert isinstance(screen, RunsScreen)
    await wait_for(pilot, lambda: screen.listed, "the runs list (read in a worker)")
    return screen


def tiny_preset(epochs: int = 2, **more: str):
    overrides = ["data.samples=200", f"fit.epochs={epochs}", *[f"{k}={v}" for k, v in more.items()]]
    return load_preset(find_preset("spiral_mlp"), overrides=overrides)


def wait_finished(run_dir: Path, timeout: float = 120.0) -> str:
    reader = RunReader(run_dir)
    deadline = time.monotonic() + timeout
    while (status := reader.status().get("status")) not in FINAL:
        if time.monotonic() > deadline:
            raise AssertionError(f"{run_dir} still {status}")
        time.sleep(0.2)
    return status


def shown(app, selector: str) -> str:
    return str(app.query_one(selector).render())


@pytest.fixture(scope="module")
def finished_runs(tmp_path_factory):
    """Two real runs, trained side by side, with different learning rates."""
    root = tmp_path_factory.mktemp("runs")
    runs = [start_run(tiny_preset(3), runs_dir=root),
            start_run(tiny_preset(3, **{"compile.optimizer.learning_rate": "0.05"}), runs_dir=root)]
    assert [wait_finished(r) for r in runs] == ["finished", "finished"], [RunReader(r).log_tail() for r in runs]
    return root, runs


async def test_start_from_the_app_fills_the_epoch_table(tmp_path, monkeypatch, open_app):
    monkeypatch.setenv("TUITRAIN_RUNS", str(tmp_path))
    seen = []
    async with open_app("spiral_mlp", pane="train", background=False, size=(120, 40), message_hook=seen.append) as (app, pilot):
        app.update_preset(tiny_preset(2), modified=True)  # an unsaved edit is what gets trained
        pane = app.query_one(TrainPane)
        pane.focus()
        await pilot.press("s")
        assert app.run_dir is not None and app.run_dir.parent == tmp_path
        # the pane said what happened; the app made it the run shown (messages up, attributes down)
        assert {m.run_dir for m in seen if isinstance(m, RunStarted)} == {app.run_dir}  # (seen at each hop up)
        table = app.query_one("#train-epochs")
        await wait_for(pilot, lambda: table.row_count == 2 and app.run_status == "finished",
                       "two epoch rows and a finished run")
        assert "finished" in shown(app, "#train-status")
        assert "epoch 2/2" in shown(app, "#train-stats")
        assert set(app.query_one("#train-chart").legend_labels()) == {"train", "validation"}
        resolved = load_preset(app.run_dir / "preset.toml")
        assert resolved.data["samples"] == 200 and resolved.fit["epochs"] == 2


async def test_pause_resume_and_stop_are_acknowledged(tmp_path, monkeypatch, open_app):
    monkeypatch.setenv("TUITRAIN_RUNS", str(tmp_path))
    async with open_app("spiral_mlp", pane="train", background=False, size=(120, 40)) as (app, pilot):
        app.update_preset(tiny_preset(500), modified=True)
        pane = app.query_one(TrainPane)
        pane.focus()
        await pilot.press("s")
        await wait_for(pilot, lambda: pane.series.last_batch is not None, "the first batch")
        await pilot.press("p")
        await wait_for(pilot, lambda: app.run_status == "paused", "the pause acknowledgement")
        assert "paused" in shown(app, "#train-status")
        await pilot.press("p")
        await wait_for(pilot, lambda: app.run_status == "running", "the resume acknowledgement")
        await pilot.press("x")
        await wait_for(pilot, lambda: app.run_status == "stopped", "the stop")
        assert "stopped" in shown(app, "#train-status")
        assert pane.series.epochs_total == 500 and len(pane.series.epoch_rows) < 500


async def test_attach_to_a_finished_run_shows_its_whole_history(finished_runs, open_app):
    _, runs = finished_runs
    events = read_events(runs[0] / "events.jsonl")
    async with open_app(runs[0] / "preset.toml", run_dir=runs[0], pane="train", background=False) as (app, pilot):
        pane = app.query_one(TrainPane)
        await wait_for(pilot, lambda: app.query_one("#train-epochs").row_count == 3, "three epoch rows")
        assert len(pane.series.batch) == sum(e["kind"] == "batch" for e in events)
        assert "finished" in shown(app, "#train-status")
        assert "epoch 3/3" in shown(app, "#train-stats")
        # beside the loss: strategy and precision, the trainer's CPU and memory, and why there is no GPU
        system = shown(app, "#train-system")
        assert "default · 1 replica · float32" in system and "CPU" in system and "mem" in system
        assert "no GPU visible: " in system

        chart = pane.chart
        await pilot.pause()
        drawn = chart.renders
        for _ in range(3):  # nothing new in the run: polling must not redraw the chart
            assert pane.poll_run() is False
            await pilot.pause()
        assert chart.renders == drawn

        pane.focus()
        await pilot.press("right_square_bracket", "g", "t", "l")
        assert (chart.smoothing, chart.granularity, chart.x_axis, chart.log_y) == (0.8, "epoch", "epoch", True)
        await pilot.pause()
        assert chart.renders > drawn
        state = str(chart.render()).splitlines()[0]  # the state line, compact at 80 columns
        assert state.split(" · ")[1:] == ["epoch", "log", "x epoch"]


async def test_compare_two_runs_and_reopen_a_preset(finished_runs, monkeypatch, open_app):
    root, runs = finished_runs
    monkeypatch.setenv("TUITRAIN_RUNS", str(root))
    async with open_app("digits_mlp", pane="train", background=False, size=(120, 40)) as (app, pilot):
        screen = await open_runs(app, pilot)
        await wait_for(pilot, screen.loaded, "the runs' series (read in workers)")
        assert screen.query_one("#runs-table").row_count == 2
        await pilot.press("space", "down", "space")
        assert sorted(screen.marked) == sorted(runs)
        await wait_for(pilot, screen.loaded, "both runs' events")
        labels = screen.query_one("#runs-chart").legend_labels()
        names = [r.name for r in runs]
        assert len({label.removesuffix(" val") for label in labels}) == 2
        assert all(any(n.endswith(label.removesuffix(" val")) for n in names) for label in labels)
        diff = screen.query_one("#runs-diff")
        rates = " → ".join("0.01" if path == runs[0] else "0.05" for path in screen.marked)  # in marking order
        assert diff.display and f"compile.optimizer.learning_rate\n  {rates}\n" in str(diff.render())
        await pilot.press("e")  # the run under the cursor: its preset becomes the unsaved current one
        await pilot.pause()
        assert not isinstance(app.screen, RunsScreen)
        assert app.preset.name == "spiral_mlp" and app.modified


async def test_edit_a_runs_preset_asks_first_and_never_overwrites_the_open_file(finished_runs, spiral_copy, monkeypatch, open_app):
    """"e" used to drop unsaved edits silently and keep preset_path, so ctrl+s overwrote the open file."""
    from tuitrain.ui.screens import ChoiceDialog, PathPrompt

    root, _ = finished_runs
    monkeypatch.setenv("TUITRAIN_RUNS", str(root))
    before = spiral_copy.read_text()
    async with open_app(spiral_copy, pane="train", background=False, size=(120, 40)) as (app, pilot):
        edited = app.preset.copy()
        app.update_preset(edited, modified=True)
        await open_runs(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("c")  # cancel: the unsaved edit stays
        await pilot.pause()
        assert app.preset is edited and app.preset_path == spiral_copy
        await open_runs(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("d")  # discard: the run's preset replaces it, with no file behind it
        await pilot.pause()
        assert app.preset is not edited and app.modified and app.preset_path is None
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, PathPrompt)
    assert spiral_copy.read_text() == before


async def test_an_ended_run_is_not_reread_every_two_seconds(finished_runs, open_app):
    """Polling a finished run re-read run.json and trainer.log every 2 s forever."""
    _, runs = finished_runs
    async with open_app(runs[0] / "preset.toml", run_dir=runs[0], pane="train", background=False) as (app, pilot):
        pane = app.query_one(TrainPane)
        await wait_ready(pilot)  # every pane mounted: none is still mounting when the test ends
        await wait_for(pilot, lambda: app.run_status == "finished", "the finished status")
        reads = []
        status, log_tail = pane.reader.status, pane.reader.log_tail
        pane.reader.status = lambda: reads.append("run.json") or status()
        pane.reader.log_tail = lambda n=40: reads.append("trainer.log") or log_tail(n)
        for _ in range(32):
            pane.poll_run()
        assert reads == []
        pane.poll_run(force=True)  # an explicit refresh still reads them
        assert reads == ["run.json", "trainer.log"]


def test_snapshot_train_pane_80x24(snap_compare):
    assert snap_compare(SNAPSHOT_APP, terminal_size=(80, 24))


def test_snapshot_train_pane_120x40(snap_compare):
    assert snap_compare(SNAPSHOT_APP, terminal_size=(120, 40))


@pytest.mark.parametrize("losses", [[0.5], [0.5] * 4, [0.0] * 4, [float("nan"), 0.3], [1.0, 0.5, 0.25]])
@pytest.mark.parametrize("options", [
    dict(log_y=True), dict(), dict(x_axis="time"), dict(x_axis="epoch", granularity="epoch"), dict(metric="loss"),
])
def test_chart_draws_early_and_flat_curves_in_every_mode(losses, options):
    from tuitrain.ui.series.run_series import RunSeries
    from tuitrain.ui.widgets.chart.render import ChartOptions, render_chart

    series = RunSeries()
    series.extend([{"kind": "batch", "step": i + 1, "epoch": 1, "time": 0.1 * (i + 1), "loss": v}
                   for i, v in enumerate(losses)])
    text = render_chart([("", series)], 60, 16, ChartOptions(**options))
    assert len(text.plain.splitlines()) <= 16


async def test_attach_while_training_shows_earlier_epochs_and_follows(tmp_path, open_app):
    run_dir = start_run(tiny_preset(8), runs_dir=tmp_path)
    reader, seen = RunReader(run_dir), []
    deadline = time.monotonic() + 120
    while sum(e["kind"] == "epoch" for e in seen) < 2:  # the user reconnects mid-run
        assert time.monotonic() < deadline, reader.log_tail()
        seen += reader.poll()
        time.sleep(0.1)
    async with open_app(run_dir / "preset.toml", run_dir=run_dir, pane="train", background=False) as (app, pilot):
        pane = app.query_one(TrainPane)
        assert app.query_one("#train-epochs").row_count >= 2  # history at once
        await wait_for(pilot, lambda: app.run_status == "finished", "the run to finish")
        await wait_for(pilot, lambda: app.query_one("#train-epochs").row_count == 8, "all eight epoch rows")
        assert [r["epoch"] for r in pane.series.epoch_rows] == list(range(1, 9))


def test_every_palette_command_is_an_action_of_the_pane():
    from tuitrain.ui.panes.train.pane import PANE_ACTIONS

    assert PANE_ACTIONS
    for command in PANE_ACTIONS:
        assert callable(getattr(TrainPane, f"action_{command.action}", None)), command.title


async def test_runs_list_opens_a_run_in_the_train_pane(finished_runs, monkeypatch, open_app):
    root, runs = finished_runs
    monkeypatch.setenv("TUITRAIN_RUNS", str(root))
    async with open_app("spiral_mlp", pane="train", background=False, size=(120, 40)) as (app, pilot):
        screen = await open_runs(app, pilot)
        newest = screen.runs[0].path
        assert "finished" in str(screen.query_one("#runs-table").get_row_at(0))
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, RunsScreen)
        assert app.run_dir == newest
        await wait_for(pilot, lambda: app.query_one("#train-epochs").row_count == 3, "the run's epochs")


async def test_a_run_that_cannot_build_its_model_says_why(tmp_path, monkeypatch, open_app):
    monkeypatch.setenv("TUITRAIN_RUNS", str(tmp_path))
    async with open_app("spiral_mlp", pane="train", background=False, size=(100, 30)) as (app, pilot):
        app.update_preset(tiny_preset(2, **{"layers.0.activation": "no_such_activation"}), modified=True)
        pane = app.query_one(TrainPane)
        pane.focus()
        await pilot.press("s")
        await wait_for(pilot, lambda: app.run_status == "failed", "the trainer to report the failure")
        await pilot.pause()
        chart_text = str(pane.chart.render())
        assert "failed" in chart_text and "layers[0].activation" in chart_text
        assert "failed" in shown(app, "#train-status")



async def test_attach_with_runs_dir_starts_and_lists_runs_there(tmp_path, monkeypatch):
    """`tuitrain attach --runs-dir X`: s and r used ./runs because the app never kept X."""
    import argparse
    import contextlib

    from tests.ui.snapshot_apps.train_fixture import RUN_NAME, write_finished_run
    from tuitrain.ui import run_app as launch

    root = tmp_path / "elsewhere"
    finished = write_finished_run(root)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TUITRAIN_RUNS", raising=False)
    launched: list[TuitrainApp] = []
    monkeypatch.setattr(TuitrainApp, "run", lambda self: launched.append(self))
    monkeypatch.setattr(launch, "_native_stderr_to_log", contextlib.nullcontext)
    assert launch.attach_command(argparse.Namespace(run_dir=None, runs_dir=str(root))) == 0
    started: list[object] = []

    def record_start(preset, runs_dir=None, trusted=False):
        started.append(runs_dir)
        return finished

    monkeypatch.setattr("tuitrain.trainer.spawn.start_run", record_start)
    app = launched[0]
    app._background = False  # the pane's keys are what this test is about, not TensorFlow
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.run_dir == finished
        await open_runs(app, pilot)
        assert [run.name for run in app.screen.runs] == [RUN_NAME]
        assert str(root) in str(app.screen.query_one("#runs-title").render())
        await pilot.press("escape")
        await pilot.press("s")
        assert [Path(p) for p in started] == [root]
