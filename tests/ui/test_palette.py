"""ctrl+p offers every action of the screen it was opened on, with its current keys, the visible pane's first;
under bursts of keys a selection still queued when it closed does nothing."""

from __future__ import annotations

from textual.command import CommandList, CommandPalette
from textual.widgets import OptionList

from tests.ui.snapshot_apps.sweep_fixture import write_sweep
from tests.ui.snapshot_apps.train_fixture import RUN_NAME, write_finished_run
from tests.ui.waiting import palette_top, run_palette_command, wait_for
from tuitrain.ui.palette import TuitrainCommands
from tuitrain.ui.screens.runs import RunsScreen
from tuitrain.ui.screens.sweep import SweepScreen


async def test_palette_on_the_runs_screen_finds_its_actions_and_runs_them(open_app, tmp_path):
    write_finished_run(tmp_path)
    async with open_app("spiral_mlp", background=False, runs_dir=tmp_path) as (app, pilot):
        await pilot.pause()
        app.show_runs()
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen) and app.screen.listed, "the runs list")
        runs = app.screen
        hints = {c.title: c.help for c in TuitrainCommands(runs)._commands()}
        assert hints["Runs screen: Mark"].endswith("(space)")
        assert hints["Runs screen: Columns"].endswith("(c)") and hints["Runs screen: Watch"].endswith("(w)")
        assert hints["Chart: log / linear y"].endswith("(l)")  # declared once as a PaneAction, titled there
        assert not any(title.startswith("Show ") for title in hints)  # panes are behind this screen
        assert hints["New preset…"].count("^n") == 1 and "ctrl+n" not in hints["New preset…"]  # the key once
        await run_palette_command(pilot, "mark", "Runs screen: Mark")
        await wait_for(pilot, lambda: app.screen is runs, "back on the runs screen")
        assert [p.name for p in runs.marked] == [RUN_NAME]


async def test_palette_on_the_sweep_screen_finds_its_actions(open_app, tmp_path):
    write_sweep(tmp_path)
    async with open_app("spiral_mlp", background=False, runs_dir=tmp_path) as (app, pilot):
        await pilot.pause()
        app.show_sweep()
        await wait_for(pilot, lambda: isinstance(app.screen, SweepScreen), "the sweep screen")
        hints = {c.title: c.help for c in TuitrainCommands(app.screen)._commands()}
        assert hints["Sweep screen: Scatter key"].endswith("(k)")
        assert hints["Sweep screen: Stop sweep"].endswith("(x)")
        await pilot.press("ctrl+p", *"scatter")
        await wait_for(pilot, lambda: palette_top(app).startswith("Sweep screen: Scatter key"), "the sweep's action on top")


async def test_palette_ranks_the_visible_panes_actions_first(open_app):
    async with open_app("spiral_mlp", background=False) as (app, pilot):
        await pilot.pause()
        app.query_one("#data-editor").focus()
        await pilot.press("ctrl+p", *"undo")
        await wait_for(pilot, lambda: palette_top(app).startswith("Data editor: Undo"), "the data editor's undo on top")
        await pilot.press("escape")
        await pilot.press("3")  # the Compile pane: its undo before the Layers pane's, listed earlier
        await pilot.pause()
        await pilot.press("ctrl+p", *"undo")
        await wait_for(pilot, lambda: palette_top(app).startswith("Compile: Undo edit"), "the Compile pane's undo on top")


async def test_a_selection_queued_before_the_palette_closed_runs_nothing(open_app):
    async with open_app("spiral_mlp", pane="train", background=False) as (app, pilot):
        await pilot.press("ctrl+p", *"full screen")
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        hits = palette.query_one(CommandList)
        await wait_for(pilot, lambda: hits.option_count > 0, "the palette's hits")
        queued = OptionList.OptionSelected(hits, hits.get_option_at_index(0), 0)  # a second enter, in the queue
        await pilot.press("escape")
        assert app.screen is not palette
        await palette._dispatch_message(queued)  # handled after the close, as in a burst over SSH
        await pilot.pause()
        assert app.screen is not palette and not app.screen.has_class("-chart-full")
        assert app.is_running
