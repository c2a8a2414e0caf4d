"""The Runs screen: sweeps' trials under their sweep's header (enter opens the Sweep screen), one best metric
with its epoch, settings ticked as columns, a text filter, groups by a setting, one chart per metric."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App
from textual.coordinate import Coordinate
from textual.widgets import Input, OptionList, SelectionList
from textual.widgets.data_table import ColumnKey

from tests.ui.snapshot_apps.runs_fixture import write_runs
from tests.ui.snapshot_apps.sweep_fixture import write_sweep
from tests.ui.snapshot_apps.train_fixture import RUN_NAME, write_finished_run
from tests.ui.waiting import wait_for
from tuitrain.runs.best import epoch_rows
from tuitrain.ui.screens.dialogs.setting_choice import ColumnsChecklist, GroupByPicker
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


# --- the list at 80×24: one best metric, settings as columns, filter, groups, compare -----------------

SNAPSHOT_APP = Path(__file__).parent / "snapshot_apps" / "runs_screen.py"


async def _five_runs(tmp_path, pilot, app) -> RunsScreen:
    screen = await _listed(app, pilot)
    await wait_for(pilot, screen.loaded, "the highlighted run's events")
    return screen


def _column(screen: RunsScreen, key: str) -> list[str]:
    table = screen.table
    return [str(getattr(c, "plain", c)) for c in (table.get_cell_at(Coordinate(i, table.get_column_index(key)))
                                                   for i in range(table.row_count))]


def _label(screen: RunsScreen, key: str) -> str:
    return str(screen.table.columns[ColumnKey(key)].label.plain)


async def test_best_shows_the_monitored_metric_with_its_epoch_and_b_shows_the_next(tmp_path):
    paths = write_runs(tmp_path)
    app = RunsApp(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _five_runs(tmp_path, pilot, app)
        expected = {}
        for metric in ("val_loss", "val_accuracy"):
            rows = [epoch_rows(p) for p in reversed(paths)]  # listed newest first
            pick = min if metric == "val_loss" else max
            expected[metric] = [f"{pick(r, key=lambda e: e[metric])[metric]:.4g} @ep{pick(r, key=lambda e: e[metric])['epoch']}"
                                for r in rows]
        assert _label(screen, "best") == "best val_loss"  # every run monitors val_loss: the title names it once
        assert _column(screen, "best") == expected["val_loss"]
        await pilot.press("b")
        assert _label(screen, "best") == "best val_acc" and _column(screen, "best") == expected["val_accuracy"]
        for _ in range(4):  # val_accuracy, val_loss, accuracy, loss, then each run's monitored one again
            await pilot.press("b")
        assert _label(screen, "best") == "best val_loss" and screen.best_key == ""


async def test_c_offers_the_differing_settings_ticked_as_shown_and_they_fit_80_columns(tmp_path):
    write_runs(tmp_path)
    app = RunsApp(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _five_runs(tmp_path, pilot, app)
        await pilot.press("c")
        dialog = app.screen
        assert isinstance(dialog, ColumnsChecklist)
        listing = dialog.query_one(SelectionList)
        assert [listing.get_option_at_index(i).value for i in range(listing.option_count)] == [
            "layers[0].units", "compile.optimizer.type", "compile.optimizer.learning_rate"]
        assert listing.selected == []
        await pilot.press("space", "down", "space")
        ticked = str(dialog.query_one("#columns-ticked").render())
        assert ticked == "✓ units[0] · optimizer"  # what is ticked, in words as well as colour
        await pilot.press("down", "space", "ctrl+s")
        assert app.screen is screen
        assert screen.columns == ["layers[0].units", "compile.optimizer.type", "compile.optimizer.learning_rate"]
        assert _column(screen, "setting:compile.optimizer.type") == ["Adam", "SGD", "SGD", "Adam", "Adam"]
        assert _column(screen, "setting:compile.optimizer.learning_rate") == ["0.001", "0.1", "0.05", "0.01", "0.01"]
        table = screen.table
        shown = list(table.columns.values())[: 5 + len(screen.columns)]
        assert sum(c.get_render_width(table) for c in shown) <= 80 - 2  # the chosen columns are on screen
        assert all(name.startswith("…") and name.endswith("-120000") for name in _column(screen, "run"))
        await pilot.press("c")
        listing = app.screen.query_one(SelectionList)
        assert sorted(listing.selected) == sorted(screen.columns)  # shown columns come ticked
        await pilot.press("space", "escape")  # escape changes nothing
        assert len(screen.columns) == 3


async def test_comparing_two_runs_draws_one_chart_per_metric(tmp_path):
    write_runs(tmp_path)
    app = RunsApp(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _five_runs(tmp_path, pilot, app)
        await pilot.press("space", "down", "space")
        await wait_for(pilot, screen.loaded, "both runs' events")
        await pilot.pause()
        drawn = screen.chart.render().plain
        assert drawn.count("┌") == 2 and "loss" in drawn and "accuracy" in drawn


async def test_slash_filters_by_text_and_escape_clears_it_and_returns_to_the_list(tmp_path):
    write_runs(tmp_path)
    app = RunsApp(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _five_runs(tmp_path, pilot, app)
        await pilot.press("slash", *"sgd")
        await wait_for(pilot, screen.loaded, "the filter applied")
        assert isinstance(app.focused, Input) and app.focused.id == "runs-filter"
        assert _column(screen, "run") == ["spiral_mlp-20260104-120000", "spiral_mlp-20260103-120000"]
        assert "2 of 5 runs" in str(screen.query_one("#runs-title").render())
        await pilot.press("escape")
        assert app.focused is screen.table and not screen.query_one("#runs-filter").display
        assert screen.table.row_count == 5 and "5 runs" in str(screen.query_one("#runs-title").render())
        await pilot.press("slash", *"units=32 adam", "enter")  # every word must match: enter keeps the filter
        await wait_for(pilot, screen.loaded, "the filter applied")
        assert app.focused is screen.table and _column(screen, "run") == ["spiral_mlp-20260102-120000"]
        await pilot.press("escape")  # on the list, escape clears the filter before it leaves the screen
        assert screen.table.row_count == 5 and app.screen is screen


async def test_g_groups_runs_by_a_setting_under_headers_that_fold(tmp_path):
    write_runs(tmp_path)
    sweep_dir = write_sweep(tmp_path)
    app = RunsApp(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _five_runs(tmp_path, pilot, app)
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, GroupByPicker)
        assert app.screen.query_one(OptionList).highlighted == 1  # "none", then the differing settings
        await pilot.press("down", "enter")  # the second: compile.optimizer.type
        assert screen.view.group_key == "compile.optimizer.type"
        names = _names(screen)
        assert names[:7] == ["▾ optimizer = Adam", "  spiral_mlp-20260105-120000", "  spiral_mlp-20260102-120000",
                             "  spiral_mlp-20260101-120000", "▾ optimizer = SGD", "  spiral_mlp-20260104-120000",
                             "  spiral_mlp-20260103-120000"]
        assert names[7] == f"▾ sweep {SWEEP}" and names[8].startswith("  trial-")  # trials stay under their sweep
        assert _column(screen, "epochs")[:1] == ["3 runs"]
        assert "by optimizer" in str(screen.query_one("#runs-title").render())
        await pilot.press("up")  # the cursor stayed on its run (now under Adam): up to the header
        adam = [tmp_path / n for n in ("spiral_mlp-20260105-120000", "spiral_mlp-20260102-120000",
                                       "spiral_mlp-20260101-120000")]
        assert screen.shown_runs() == adam  # a group's header overlays its runs
        await wait_for(pilot, screen.loaded, "the group's runs")
        assert len({label.removesuffix(" val") for label in screen.chart.legend_labels()}) == 3
        await pilot.press("enter")  # folds it
        assert _names(screen)[:4] == ["▸ optimizer = Adam", "▾ optimizer = SGD", "  spiral_mlp-20260104-120000",
                                      "  spiral_mlp-20260103-120000"]
        await pilot.press("space")  # space unfolds it again
        assert len(_names(screen)) == len(names)
        await pilot.press("g")
        await pilot.press("home", "enter")  # "none": one flat list again
        assert screen.view.group_key == "" and _names(screen)[0] == "spiral_mlp-20260105-120000"
        assert sweep_dir.name in "".join(_names(screen))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_snapshot_runs_list(snap_compare, size):
    assert snap_compare(SNAPSHOT_APP, terminal_size=size, run_before=_settled())


def test_snapshot_runs_columns_checklist_80x24(snap_compare):
    assert snap_compare(SNAPSHOT_APP, terminal_size=(80, 24), run_before=_settled("c", "space"))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_snapshot_runs_compare_two(snap_compare, size):
    assert snap_compare(SNAPSHOT_APP, terminal_size=size, run_before=_settled("space", "down", "space"))


def test_snapshot_runs_group_by_picker_80x24(snap_compare):
    assert snap_compare(SNAPSHOT_APP, terminal_size=(80, 24), run_before=_settled("g"))


def test_snapshot_runs_filtered_80x24(snap_compare):
    assert snap_compare(SNAPSHOT_APP, terminal_size=(80, 24), run_before=_settled("slash", *"adam", "enter"))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_snapshot_runs_grouped_with_columns(snap_compare, size):
    keys = ("g", "down", "enter", "c", "space", "down", "down", "space", "ctrl+s")  # by optimizer; units, rate
    assert snap_compare(SNAPSHOT_APP, terminal_size=size, run_before=_settled(*keys))


def _settled(*keys: str):
    """Wait for the list and the shown runs' events, press ``keys``, wait again (the snapshot is of a still screen)."""

    async def run_before(pilot) -> None:
        def still() -> bool:
            screen = pilot.app.screen
            runs = next((s for s in pilot.app.screen_stack if isinstance(s, RunsScreen)), None)
            return runs is not None and runs.loaded() and (screen is runs or not isinstance(screen, RunsScreen))

        await wait_for(pilot, still, "the runs list and its chart")
        for key in keys:
            await pilot.press(key)
            await wait_for(pilot, still, f"the runs screen after {key}")
        await pilot.pause()

    return run_before


def test_a_cut_run_name_keeps_its_end(tmp_path):
    screen = RunsScreen(tmp_path)
    screen._top = [type("Run", (), {"name": n})() for n in ("spiral_mlp-20260105-120000", "spiral_mlp-20260104-120000")]
    assert screen._name_cell("spiral_mlp-20260105-120000", 30) == "spiral_mlp-20260105-120000"
    assert screen._name_cell("spiral_mlp-20260105-120000", 20) == "…20260105-120000"  # the shared preset prefix goes
    assert screen._name_cell("spiral_mlp-20260105-120000", 10) == "…05-120000"
    assert screen._name_cell("  spiral_mlp-20260105-120000", 12) == "  …05-120000"  # under a header: indent kept


async def test_a_key_storm_on_the_runs_screen_with_filter_groups_and_dialogs(tmp_path):
    """Seeded bursts of keys (over SSH they come faster than handled): filtering, grouping, folding,
    the checklist and the picker open and close under them; the screen ends whole and its rows match the table."""
    import random

    write_runs(tmp_path)
    write_sweep(tmp_path)
    rng = random.Random(2026)
    keys = ["slash", "g", "c", "b", "space", "enter", "escape", "up", "down", "tab", "ctrl+s", "home", "end",
            "backspace", *"adsgm0123="]

    class StormApp(RunsApp):
        def on_mount(self) -> None:
            self.push_screen(RunsScreen(runs_dir=self.runs_dir), self.reopen)

        def reopen(self, answer) -> None:  # a run watched or the screen left: back in for the next burst
            self.answers.append(answer)
            self.push_screen(RunsScreen(runs_dir=self.runs_dir), self.reopen)

    app = StormApp(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await _five_runs(tmp_path, pilot, app)
        for _ in range(30):
            await pilot.press(*(rng.choice(keys) for _ in range(rng.randint(3, 15))))
        await pilot.pause()
        for _ in range(3):  # a dialog left open by the last burst
            if not isinstance(app.screen, RunsScreen):
                await pilot.press("escape")
        screen = app.screen
        assert isinstance(screen, RunsScreen)
        await wait_for(pilot, lambda: screen.listed, "the runs list")
        assert screen.table.row_count == len(screen.rows)


async def test_leaving_before_the_settings_arrive_is_no_crash(tmp_path, monkeypatch):
    """The details (settings, best epochs) come from the worker after the list: a screen left in between
    must drop them, not query a table that is gone."""
    import threading

    import tuitrain.ui.screens.runs as runs_module

    write_runs(tmp_path)
    gate = threading.Event()
    slow = runs_module._read_settings

    def held(path):
        gate.wait(10)
        return slow(path)

    monkeypatch.setattr(runs_module, "_read_settings", held)
    app = RunsApp(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _listed(app, pilot)
        await pilot.press("slash", "a", "escape", "escape")  # a filter timer, then the screen left at once
        assert app.answers == [None]
        gate.set()
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        assert not screen.detailed  # dropped: the screen is gone


async def test_the_focused_row_stays_in_view_at_80x24_when_the_list_is_regrouped(tmp_path):
    write_runs(tmp_path)
    write_sweep(tmp_path)
    app = RunsApp(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _five_runs(tmp_path, pilot, app)
        table = screen.table
        await pilot.press(*["down"] * 10)  # the last trial: below the table's first page
        last = screen.rows[-1].path
        await pilot.press("g", "down", "enter")  # by optimizer: two header rows above it
        await pilot.pause()
        assert screen.rows[table.cursor_row].path == last
        visible = table.scrollable_content_region.height - 1  # below the column titles
        assert table.scroll_y <= table.cursor_row < table.scroll_y + visible
