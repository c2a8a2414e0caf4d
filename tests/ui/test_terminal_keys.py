"""Terminal-first keys at 80×24 (issue #24): escape leaves a text field so the pane keys work again."""

from __future__ import annotations

import pytest
from textual.widget import Widget
from textual.widgets import Input, TabbedContent, TabPane

from tests.ui.waiting import wait_ready
from tuitrain.ui.app import TuitrainApp

SIZE = (80, 24)


async def test_escape_leaves_the_index_field_so_digits_switch_panes():
    app = TuitrainApp("spiral_mlp")
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        await pilot.press("i")
        box = app.query_one("#slice-index", Input)
        assert app.focused is box
        await pilot.press("backspace", *"5", "enter", "escape")
        assert not isinstance(app.focused, Input)
        await pilot.press("2")
        await pilot.pause()
        assert box.value == "5"  # the digit did not go into the field
        assert app.query_one("#panes", TabbedContent).active == "layers"


async def test_metrics_search_burst_keeps_its_list_and_escape_goes_to_it(spiral_copy):
    app = TuitrainApp(spiral_copy, pane="compile")
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        await pilot.pause()
        search = app.query_one("#metrics-search", Input)
        listing = app.query_one("#metrics")
        search.focus()
        await pilot.press(*"auc")
        assert app.query_one("#metrics") is listing and app.focused is search  # filtering keeps the widgets
        await pilot.press("escape")
        assert app.focused is listing  # the list under the search, not the next field
        assert search.value == "auc"


PANE_DIGITS = {"data": "1", "layers": "2", "compile": "3", "train": "4"}


@pytest.mark.parametrize("pane", list(PANE_DIGITS))
async def test_escape_then_a_digit_switches_panes_from_every_focusable_widget(pane, spiral_copy):
    """Each list, table, tree, field and switch of the pane: focus it, escape, then the next pane's digit."""
    panes = list(PANE_DIGITS)
    other = panes[(panes.index(pane) + 1) % len(panes)]
    app = TuitrainApp(spiral_copy, pane=pane)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        tab = app.query_one(f"#panes TabPane#{pane}", TabPane)
        focusable = [w for w in tab.query(Widget) if w.focusable and w.display]
        assert focusable  # the pane was built
        stuck = []
        for widget in focusable:
            app.action_show_pane(pane)
            await pilot.pause()
            widget.focus()
            await pilot.pause()
            await pilot.press("escape", PANE_DIGITS[other])
            await pilot.pause()
            if app.query_one("#panes", TabbedContent).active != other:
                stuck.append(f"{type(widget).__name__}#{widget.id}")
        assert not stuck, f"after escape, {PANE_DIGITS[other]} did not switch to {other} from: {stuck}"
