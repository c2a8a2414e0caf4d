"""The focused widget and its message stay on screen at 80×24 (issue #24): ``tuitrain.ui.focus_view``."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Input, Static

from tests.ui.waiting import run_palette_command, wait_ready
from tuitrain.ui.focus_view import FocusInView

SIZE = (80, 24)


def in_view(widget) -> bool:
    """Every cell of ``widget`` is drawn: inside the screen and not clipped by a scrolled container."""
    geometry = widget.screen.find_widget(widget)
    return geometry.region.height > 0 and geometry.visible_region == geometry.region and \
        widget.screen.region.contains_region(geometry.region)


class TallForm(FocusInView, App[None]):
    """Thirty form rows in a scroll box: a name, an input and an error line shown on demand."""

    CSS = ".field { height: auto; } .name { width: 12; } .field Input { width: 1fr; } .error { display: none; } .error.-shown { display: block; }"

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="box"):
            for n in range(30):
                with Horizontal(classes="field", id=f"row-{n}"):
                    yield Static(f"field {n}", classes="name")
                    yield Input(id=f"input-{n}", compact=True)
                yield Static(f"error of field {n}\n" * 4, classes="error", id=f"error-{n}")


async def test_a_message_above_pushing_the_focused_field_down_scrolls_it_back():
    app = TallForm()
    async with app.run_test(size=SIZE) as pilot:
        app.query_one("#input-20").focus()
        await pilot.pause()
        assert in_view(app.focused)
        for n in range(10, 20):  # forty lines of messages appear above the field
            app.query_one(f"#error-{n}").add_class("-shown")
        await pilot.pause()
        await pilot.pause()
        assert in_view(app.query_one("#row-20")), "the focused row was pushed off screen"
        await pilot.press(*"7")
        assert app.query_one("#input-20", Input).value == "7"


async def test_a_user_scroll_away_from_the_focused_field_is_not_undone():
    app = TallForm()
    async with app.run_test(size=SIZE) as pilot:
        app.query_one("#input-0").focus()
        await pilot.pause()
        box = app.query_one("#box", VerticalScroll)
        box.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        await pilot.pause()
        assert box.scroll_y == box.max_scroll_y > 0
        assert not in_view(app.query_one("#input-0"))


async def test_layer_form_invalid_units_and_enter_keep_field_and_error_in_view(open_app):
    async with open_app("spiral_mlp", pane="layers") as (app, pilot):
        await wait_ready(pilot)
        await pilot.press("e")
        await pilot.pause()
        units = app.screen.query_one("#field-units", Input)
        assert app.focused is units
        await pilot.press(*["backspace"] * 4, *"abc", "enter")
        await pilot.pause(0.3)  # the dialog's folded "more" would open with a slow scroll
        error = app.screen.query_one("#error-units", Static)
        assert "whole number" in str(error.render())
        assert app.focused is units and in_view(units) and in_view(error)


async def test_palette_set_epochs_shows_the_field_it_focuses(open_app):
    async with open_app("spiral_mlp", pane="layers") as (app, pilot):
        await wait_ready(pilot)
        await run_palette_command(pilot, "set epochs", "Set epochs")
        await pilot.pause(0.3)
        epochs = app.query_one("#fit-form #field-epochs", Input)
        assert app.focused is epochs and in_view(epochs)
        await pilot.press("x")
        await pilot.pause()
        error = app.query_one("#fit-form #error-epochs", Static)
        assert "whole number" in str(error.render()) and in_view(error)
