"""The layer, step and option dialogs driven by keys alone, as a user over SSH would."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Input, OptionList

from tuitrain.data.params import source_params, split_param
from tuitrain.ui.screens.dialogs.layer_form import LayerFormScreen
from tuitrain.ui.screens.dialogs.param_dialog import ParamDialog
from tuitrain.ui.screens.dialogs.step_form import StepFormScreen
from tuitrain.ui.widgets.forms import ParamForm

UNSET = object()


class DialogApp(App[None]):
    """Opens one dialog and keeps what it dismissed with."""

    def __init__(self, screen) -> None:
        super().__init__()
        self.dialog = screen
        self.result = UNSET

    def on_mount(self) -> None:
        self.push_screen(self.dialog, self._done)

    def _done(self, result) -> None:
        self.result = result


async def _keys(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
    await pilot.pause()


async def test_edit_opens_on_the_first_field_highlighted_and_enter_confirms():
    app = DialogApp(LayerFormScreen({"type": "Dense", "units": 64, "activation": "relu"}, title="Edit layer 0"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.focused.id == "field-units"
        row = app.screen.query_one("#row-units")
        assert row.has_pseudo_class("focus-within")  # the row the keys go to is the highlighted one
        assert row.styles.background != app.screen.query_one("#row-activation").styles.background
        await _keys(pilot, "3", "2", "enter")  # the value is selected on focus: typing replaces it
    assert app.result == {"type": "Dense", "units": 32, "activation": "relu"}


async def test_tab_walks_the_fields_top_to_bottom():
    app = DialogApp(LayerFormScreen({"type": "Dense", "units": 64}, title="Edit", first=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        form = app.screen.query_one(ParamForm)
        visible = [p.name for p in form.params if p not in form.folded]
        seen = []
        for _ in visible:
            seen.append(app.focused.id.removeprefix("field-"))
            await pilot.press("tab")
        assert seen == visible
        assert seen[:3] == ["units", "input_shape", "activation"]
        rows = [app.screen.query_one(f"#row-{name}").region.y for name in visible]
        assert rows == sorted(rows)  # the order on screen


async def test_switching_the_type_keeps_what_still_applies_as_typed():
    app = DialogApp(LayerFormScreen({"type": "Dense", "units": 64, "activation": "relu"}, title="Edit"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await _keys(pilot, "3", "2", "ctrl+t", *"SimpleRNN", "enter")
        assert app.screen.query_one("#field-units", Input).value == "32"
        await _keys(pilot, "ctrl+s")
    assert app.result == {"type": "SimpleRNN", "units": 32, "activation": "relu"}


async def test_an_empty_required_field_says_so_beside_it_and_blocks_ok():
    app = DialogApp(LayerFormScreen(title="Add layer"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.focused.id == "type-search"
        await _keys(pilot, *"Dense", "enter")
        assert app.focused.id == "field-units"
        await _keys(pilot, "tab")  # leaving it empty
        assert "units is required" in str(app.screen.query_one("#error-units").render())
        await _keys(pilot, "ctrl+s")
        assert app.result is UNSET and app.focused.id == "field-units"


async def test_the_type_list_filters_as_you_type():
    app = DialogApp(LayerFormScreen(title="Add layer"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        listed = app.screen.query_one("#type-list", OptionList)
        everything = listed.option_count
        await _keys(pilot, *"conv2d")
        names = [str(listed.get_option_at_index(i).id) for i in range(listed.option_count)]
        assert 0 < len(names) < everything and all("conv2d" in n.lower() for n in names)
        assert names[0] == "Conv2D"  # the exact match first


async def test_a_preprocessing_step_from_the_keyboard():
    app = DialogApp(StepFormScreen())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await _keys(pilot, *"resc", "enter", *"0.5", "enter")
    assert app.result == {"op": "rescale", "factor": 0.5}


async def test_source_options_dialog_keeps_only_what_differs_from_the_defaults():
    params = [*source_params("synthetic:spiral"), split_param()]
    app = DialogApp(ParamDialog("Options", params, {"samples": 300}))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.focused.id == "field-samples"
        await _keys(pilot, *"500", "tab", "tab", "tab", *"0.3", "enter")
    assert app.result == {"samples": 500, "validation_split": 0.3}


async def test_editing_a_row_keeps_its_call_arguments_and_weights_file():
    row = {"type": "LSTM", "units": 8, "call": {"initial_state": ["enc[1]", "enc[2]"]}, "weights_file": "w.npz"}
    app = DialogApp(LayerFormScreen(row, title="Edit layer 1"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await _keys(pilot, "1", "6", "enter")
    assert app.result == {"type": "LSTM", "units": 16, "call": {"initial_state": ["enc[1]", "enc[2]"]}, "weights_file": "w.npz"}
