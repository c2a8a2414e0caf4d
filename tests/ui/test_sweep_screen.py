"""The Sweep screen: trials ranked by the objective, curves of the best, a scatter, open a trial."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.ui.snapshot_apps.sweep_fixture import write_sweep
from tests.ui.snapshot_apps.sweep_screen import SweepApp
from tests.ui.waiting import run_palette_command, wait_for
from tuitrain.ui.screens.runs import WatchRun
from tuitrain.ui.screens.sweep import SweepScreen

SNAPSHOT_APP = Path(__file__).parent / "snapshot_apps" / "sweep_screen.py"


def _rows(screen: SweepScreen) -> list[list[str]]:
    table = screen.table
    return [[str(getattr(c, "plain", c)) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_trials_are_ranked_by_the_objective_with_one_column_per_key(tmp_path):
    app = SweepApp(write_sweep(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SweepScreen)
        headers = [str(c.label) for c in screen.table.columns.values()]
        assert headers == ["#", "trial", "status", "val_accuracy", "units", "rate", "learning_rate", "progress"]
        rows = _rows(screen)
        assert [r[1] for r in rows] == ["1", "0", "4", "3", "2"]  # 0.91, 0.82, 0.75, then running, then failed
        assert rows[0][0] == "★" and rows[0][3] == "0.91" and rows[0][4:7] == ["64", "0", "0.02"]
        assert rows[3][2] == "running" and rows[3][-1] == "2/8 epochs"
        assert rows[4][2] == "failed" and rows[4][-1] == "ValueError: NaN loss at step 12"
        assert screen.chart.metric == "accuracy"  # the objective's curves (train and validation)
        assert screen.chart.legend_labels() == ["trial 1", "trial 1 val", "trial 0", "trial 0 val", "trial 4", "trial 4 val"]


async def test_k_cycles_the_scatter_key_and_enter_opens_a_trial_as_a_run(tmp_path):
    app = SweepApp(write_sweep(tmp_path))
    answers = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        scatter = screen.query_one("#sweep-scatter")
        assert scatter.caption == "val_accuracy vs layers.0.units"
        assert len(scatter.points) == 3 and [p.best for p in scatter.points].count(True) == 1
        await pilot.press("k")
        assert scatter.caption.startswith("val_accuracy vs layers.1.rate")
        await pilot.press("k", "k")
        assert scatter.caption.startswith("val_accuracy vs layers.0.units")
        screen.dismiss = answers.append  # what the app receives
        await pilot.press("down", "enter")
        assert answers == [WatchRun(screen.info.trials[1].run_dir)] and answers[0].run_dir.name.startswith("trial-0-")


async def test_the_ranking_follows_the_sweep_live_and_x_stops_it(tmp_path):
    sweep_dir = write_sweep(tmp_path)
    app = SweepApp(sweep_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        data = json.loads((sweep_dir / "sweep.json").read_text())
        data["trials"]["3"].update(status="finished", score=0.95)  # the running trial ends best
        (sweep_dir / "sweep.json").write_text(json.dumps(data))
        screen.action_reload()
        await pilot.pause()
        rows = _rows(screen)
        assert [r[1] for r in rows[:2]] == ["3", "1"] and rows[0][0] == "★" and rows[1][0] == "2"
        await pilot.press("x")
        requests = [json.loads(line)["action"] for line in (sweep_dir / "control.jsonl").read_text().splitlines()]
        assert requests == ["stop_batch"]


async def test_the_train_pane_key_and_the_palette_open_the_newest_sweep(tmp_path):
    from tuitrain.ui.app import TuitrainApp
    from tuitrain.ui.panes.train.pane import TrainPane

    write_sweep(tmp_path)
    app = TuitrainApp("spiral_mlp", runs_dir=tmp_path, pane="train", background=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.query_one(TrainPane).focus()
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, SweepScreen), "the Sweep screen")
        assert app.screen.info.best.trial_id == "1"
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, SweepScreen), "back to the panes")
        await run_palette_command(pilot, "sweep trials", "Sweep: trials ranked")
        await wait_for(pilot, lambda: isinstance(app.screen, SweepScreen), "the Sweep screen from the palette")


async def test_attach_on_a_sweep_directory_opens_its_screen_and_enter_watches_the_trial(tmp_path):
    from tuitrain.ui.app import TuitrainApp

    sweep_dir = write_sweep(tmp_path)
    app = TuitrainApp(None, runs_dir=tmp_path, pane="train", background=False, sweep_dir=sweep_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SweepScreen) and app.screen.info is not None,
                       "the Sweep screen over the app, its sweep read")
        best = app.screen.info.best
        await pilot.press("enter")  # the cursor starts on the best trial
        await wait_for(pilot, lambda: not isinstance(app.screen, SweepScreen), "the trial opened as a run")
        assert app.run_dir == best.run_dir


def test_short_column_labels_stay_distinct():
    from tuitrain.ui.screens.sweep import short_keys

    assert short_keys(["layers.0.units", "layers.2.units", "compile.optimizer.learning_rate"]) == [
        "0.units", "2.units", "learning_rate"]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_snapshot_sweep_screen(snap_compare, size):
    assert snap_compare(SNAPSHOT_APP, terminal_size=size)
