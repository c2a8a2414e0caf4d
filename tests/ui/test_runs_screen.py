"""The Runs screen lists a sweep's trials under a header row for their sweep; enter on it opens the Sweep screen."""

from __future__ import annotations

from textual.app import App

from tests.ui.snapshot_apps.sweep_fixture import write_sweep
from tests.ui.snapshot_apps.train_fixture import RUN_NAME, write_finished_run
from tests.ui.waiting import wait_for
from tuitrain.ui.screens.runs import RunsScreen, WatchRun
from tuitrain.ui.screens.sweep import SweepScreen

SWEEP = "sweep_spiral-sweep-20261205-120000"


class RunsApp(App):
    """Only the Runs screen over ``runs_dir``; what it answers is kept in ``answers``."""

    def __init__(self, runs_dir) -> None:
        super().__init__()
        self.runs_dir = runs_dir
        self.answers: list[object] = []

    def on_mount(self) -> None:
        self.push_screen(RunsScreen(runs_dir=self.runs_dir), self.answers.append)


def _names(screen: RunsScreen) -> list[str]:
    table = screen.table
    return [str(getattr(c, "plain", c)) for c in (table.get_row_at(i)[1] for i in range(table.row_count))]


async def _listed(app, pilot) -> RunsScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen) and app.screen.listed, "the runs list")
    return app.screen


async def test_trials_are_indented_under_their_sweep_best_first(tmp_path):
    write_finished_run(tmp_path)
    sweep_dir = write_sweep(tmp_path)
    app = RunsApp(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await _listed(app, pilot)
        assert _names(screen) == [RUN_NAME, f"▾ sweep {SWEEP}",
                                  *(f"  trial-{i}-20261205-12000{i}" for i in "10432")]
        header = [str(getattr(c, "plain", c)) for c in screen.table.get_row_at(1)]
        assert header[2:5] == ["running", "val_accuracy 0.91 (trial 1)", "3/6 trials"]
        assert len(screen.runs) == 6 and "(1 sweeps)" in str(screen.query_one("#runs-title").render())
        await pilot.press("down")  # the header: the chart shows the best trial
        assert screen.shown_runs() == [sweep_dir / "trial-1-20261205-120001"]


async def test_enter_on_the_sweep_header_opens_its_sweep_screen_and_a_trial_chosen_there_is_watched(tmp_path):
    sweep_dir = write_sweep(tmp_path)
    app = RunsApp(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await _listed(app, pilot)
        await pilot.press("enter")  # the header is the first row
        await wait_for(pilot, lambda: isinstance(app.screen, SweepScreen), "the Sweep screen")
        assert app.screen.sweep_dir == sweep_dir
        await wait_for(pilot, lambda: app.screen.table.row_count == 5, "the sweep's trials")
        await pilot.press("enter")  # its cursor starts on the best trial
        await wait_for(pilot, lambda: bool(app.answers), "the Runs screen's answer")
        assert app.answers == [WatchRun(sweep_dir / "trial-1-20261205-120001")]


async def test_space_on_a_sweep_header_marks_nothing(tmp_path):
    write_sweep(tmp_path)
    app = RunsApp(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await _listed(app, pilot)
        await pilot.press("space", "down", "space")
        assert screen.marked == [tmp_path / SWEEP / "trial-1-20261205-120001"]
