"""Snapshots at 80×24 (the design size, issue #24) of the dialogs and states that had none:
the layer form showing an error, a field the palette focused far down a pane, the open dialog,
the data step form and the callback form.  Each waits for the state it shows, never a fixed sleep."""

from __future__ import annotations

from tests.ui.waiting import run_palette_command, settle_scroll, wait_for, wait_ready

SIZE = (80, 24)
LAYERS_APP = "snapshot_apps/layers_app.py"
COMPILE_APP = "snapshot_apps/compile_app.py"
DATA_APP = "snapshot_apps/data_spiral.py"


def dialog_focused(app, screen_type) -> bool:
    return isinstance(app.screen, screen_type) and app.focused is not None and app.focused.screen is app.screen


def test_snapshot_layer_form_with_an_error_shows_the_field_and_its_error(snap_compare):
    async def invalid_units(pilot):
        from tuitrain.ui.screens.dialogs.layer_form import LayerFormScreen

        await wait_ready(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: dialog_focused(pilot.app, LayerFormScreen) and pilot.app.focused.id == "field-units",
                       "the layer form with units focused")
        await pilot.press(*["backspace"] * 4, *"abc", "enter")
        await wait_for(pilot, lambda: "whole number" in str(pilot.app.screen.query_one("#error-units").render()),
                       "the units error")
        await pilot.pause()

    assert snap_compare(LAYERS_APP, terminal_size=SIZE, run_before=invalid_units)


def test_snapshot_palette_set_epochs_shows_the_epochs_field(snap_compare):
    async def set_epochs(pilot):
        await wait_ready(pilot)
        await run_palette_command(pilot, "set epochs", "Set epochs")
        await wait_for(pilot, lambda: pilot.app.focused is not None and pilot.app.focused.id == "field-epochs",
                       "the epochs field focused")
        await pilot.pause()

    assert snap_compare(COMPILE_APP, terminal_size=SIZE, run_before=set_epochs)



async def add_from_list(pilot, list_selector: str, form) -> None:
    """Focus a pane's list and press ``a``: its add form opens (scrolling settled, no animation)."""
    await wait_ready(pilot)
    pilot.app.animation_level = "none"  # an animated scroll cut short stops between rows (see settle_scroll)
    pilot.app.query_one(list_selector).focus()
    await pilot.press("a")
    await wait_for(pilot, lambda: dialog_focused(pilot.app, form), f"the {form.__name__}")
    await settle_scroll(pilot)

def test_snapshot_open_preset_dialog(snap_compare):
    async def open_dialog(pilot):
        from tuitrain.ui.screens.dialogs.open_preset import OpenPresetScreen

        await wait_ready(pilot)
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: dialog_focused(pilot.app, OpenPresetScreen), "the open dialog")
        await pilot.pause()

    assert snap_compare(LAYERS_APP, terminal_size=SIZE, run_before=open_dialog)


def test_snapshot_data_step_form(snap_compare):
    async def add_step(pilot):
        from tuitrain.ui.screens.dialogs.step_form import StepFormScreen

        await add_from_list(pilot, "#data-editor", StepFormScreen)

    assert snap_compare(DATA_APP, terminal_size=SIZE, run_before=add_step)


def test_snapshot_callback_form(snap_compare):
    async def add_callback(pilot):
        from tuitrain.ui.screens.dialogs.callback_form import CallbackFormScreen

        await add_from_list(pilot, "#callbacks", CallbackFormScreen)

    assert snap_compare(COMPILE_APP, terminal_size=SIZE, run_before=add_callback)
