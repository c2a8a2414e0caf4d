"""``?`` lists the keys where the cursor is (focused widget, its pane or screen, everywhere), read from
the live bindings; a binding with a description can never be missing from it."""

from __future__ import annotations

import pytest
from rich.console import Console
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Input, Static

from tests.ui.snapshot_apps.sweep_fixture import write_sweep
from tests.ui.snapshot_apps.train_fixture import write_finished_run
from tests.ui.waiting import wait_for, wait_ready
from tuitrain.ui.context_keys import context_sections
from tuitrain.ui.screens import HelpScreen
from tuitrain.ui.screens.runs import RunsScreen
from tuitrain.ui.screens.sweep import SweepScreen


def help_text(app) -> str:
    """Everything the open help screen says, scrolled or not, as plain text."""
    assert isinstance(app.screen, HelpScreen)
    console = Console(width=74, record=True, file=open("/dev/null", "w"))  # noqa: SIM115 - recorded, not shown
    console.print(app.screen.query_one("#help-keys", Static).content)
    return console.export_text()


async def open_help(pilot) -> str:
    await pilot.press("f10")  # `?` is typed into a focused text field; f10 always opens help
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), "the help screen")
    return help_text(pilot.app)


async def test_help_in_the_data_editor_lists_its_keys_first(open_app):
    async with open_app("spiral_mlp", background=False) as (app, pilot):
        await pilot.pause()
        editor = app.query_one("#data-editor")
        editor.focus()
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        sections = app.screen.sections
        assert [s.title for s in sections] == ["Here: Data editor", "Data pane", "Everywhere"]
        assert [r.description for r in sections[0].rows if r.own] == [
            "Edit", "Add step", "Remove step", "Step up", "Step down", "Undo", "Redo"]
        text = app.export_screenshot().replace("&#160;", " ")  # the first screenful shows them at 80×24
        assert "Here: Data editor" in text and "Add step" in text and "shift+↑" in text
        full = help_text(app)
        # the pane's `e` is taken by the editor's own `e` here, and says so
        assert "Edit data  (here e is Edit)" in full
        assert "tab" in full and "Focus Next" in full and "shift+tab" in full
        assert "Leave the text field" in full and "Layers pane" in full  # escape, 1–4 are global
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_help_in_a_text_field_says_which_keys_it_types_and_that_escape_leaves(open_app):
    async with open_app("spiral_mlp", background=False) as (app, pilot):
        await pilot.pause()
        app.query_one("#data-editor").focus()
        await pilot.press("i")  # the Data pane's index field
        await wait_for(pilot, lambda: isinstance(app.focused, Input), "the index field")
        text = await open_help(pilot)
        assert "Data pane  (1 is typed into the field)" in text  # why 1 does not switch panes here (f1 does)
        assert "Leave the text field" in text and "Leave the text field  (" not in text  # escape does work


async def test_help_on_the_compile_pane_lists_the_callbacks_list_keys(open_app):
    async with open_app("spiral_mlp", pane="compile") as (app, pilot):
        await wait_ready(pilot)  # the Compile pane's lists come from Keras
        text = await open_help(pilot)
        assert "in the callback list" in text
        assert "Add callback" in text and "Remove callback" in text


async def test_help_on_the_runs_screen_lists_its_keys_and_not_the_panes(open_app, tmp_path):
    write_finished_run(tmp_path)
    async with open_app("spiral_mlp", background=False, runs_dir=tmp_path) as (app, pilot):
        await pilot.pause()
        app.show_runs()
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen) and app.screen.listed, "the runs list")
        text = await open_help(pilot)
        titles = [s.title for s in app.screen.sections]
        assert titles == ["Here: runs table", "Runs screen", "Everywhere"]
        for needle in ("space", "Mark", "Columns", "Watch", "Edit its preset", "Refresh", "Log y"):
            assert needle in text, needle
        assert "1, f1" not in text and "Data pane" not in text and "Playground" not in text
        await pilot.press("escape")
        await pilot.press("1")  # pane keys do nothing on the runs screen
        assert isinstance(app.screen, RunsScreen)


async def _main_screen(app, pilot, pane: str):
    await pilot.press(str(["data", "layers", "compile", "train"].index(pane) + 1))
    await pilot.pause()


async def _runs_screen(app, pilot, _):
    app.show_runs()
    await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen) and app.screen.listed, "the runs list")


async def _sweep_screen(app, pilot, _):
    app.show_sweep()
    await wait_for(pilot, lambda: isinstance(app.screen, SweepScreen), "the sweep screen")
    await pilot.pause()


SCREENS = {
    "data": (_main_screen, "data"), "layers": (_main_screen, "layers"), "compile": (_main_screen, "compile"),
    "train": (_main_screen, "train"), "runs": (_runs_screen, None), "sweep": (_sweep_screen, None),
}


def _declared(widget) -> list[Binding]:
    """Every binding tuitrain's classes declare on ``widget`` (read from the classes, not from help)."""
    return [b if isinstance(b, Binding) else Binding(*b)
            for cls in type(widget).__mro__ if cls.__module__.startswith("tuitrain.") and "BINDINGS" in cls.__dict__
            for b in cls.__dict__["BINDINGS"]]


@pytest.mark.parametrize("where", list(SCREENS))
async def test_every_binding_of_every_widget_on_each_screen_is_in_help(where, open_app, tmp_path):
    """Focus each widget in turn: every binding of it and its ancestors with a description is listed,
    and every binding tuitrain declares has one (a new key without help fails here)."""
    write_finished_run(tmp_path)
    write_sweep(tmp_path)
    setup, arg = SCREENS[where]
    keras = where == "compile"  # the Compile pane's fields come from Keras: the one case that loads it
    async with open_app("spiral_mlp", background=keras, runs_dir=tmp_path, size=(100, 40)) as (app, pilot):
        await (wait_ready(pilot) if keras else pilot.pause())
        await setup(app, pilot, arg)
        screen = app.screen
        root = screen.query_one(f"#panes TabPane#{arg}") if arg else screen
        widgets = [w for w in root.query(Widget)
                   if w.focusable and all(a.display for a in w.ancestors_with_self if isinstance(a, Widget))]
        assert widgets, where
        for widget in widgets:
            widget.focus()
            await pilot.pause()
            for node in widget.ancestors_with_self:
                assert all(b.description for b in _declared(node)), f"{type(node).__name__} has a key without help"
            text = " ".join(r.description for s in context_sections(screen) for r in s.all_rows())
            for node in widget.ancestors_with_self:
                for _key, binding in node._bindings:
                    if binding.description and app._check_action_state(binding.action, node) is not False:
                        assert binding.description in text, (where, type(widget).__name__, binding)
        # what the help screen draws is what context_sections says
        screen.set_focus(widgets[0])
        await pilot.pause()
        expected = context_sections(screen)
        drawn = " ".join((await open_help(pilot)).split())  # a paragraph may wrap between words
        assert [s.title for s in app.screen.sections] == [s.title for s in expected]
        for section in app.screen.sections:
            for row in section.all_rows():
                assert f"{row.display} {row.description}" in drawn or f"{row.description}" in drawn, row


async def _help_on_the_runs_screen(pilot) -> None:
    app = pilot.app
    await pilot.pause()
    app.show_runs()
    await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen) and app.screen.listed, "the runs list")
    await pilot.press("question_mark")
    await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help screen")
    await pilot.pause()


def test_snapshot_help_on_the_runs_screen_80x24(snap_compare):
    assert snap_compare("snapshot_apps/runs_help.py", terminal_size=(80, 24), run_before=_help_on_the_runs_screen)
