"""ParamForm: fields from a signature, parsed as TOML literals, checked as they are typed."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Input, Select, Switch

from tuitrain.catalogue.params import Param
from tuitrain.ui.widgets.forms import ParamForm

PARAMS = [
    Param("filters", None, False, "int"),
    Param("kernel_size", None, False, "tuple", size=2),
    Param("padding", "valid", True, "str", ("valid", "same")),
    Param("use_bias", True, True, "bool"),
    Param("kernel_regularizer", None, True, "any"),
    Param("name", None, True, "any"),
]


class FormApp(App[None]):
    def __init__(self, values=None, **kwargs) -> None:
        super().__init__()
        self.values = values or {}
        self.kwargs = kwargs
        self.changes: list[tuple[str, object]] = []

    def compose(self) -> ComposeResult:
        yield ParamForm(PARAMS, self.values, **self.kwargs)

    def on_param_form_changed(self, event: ParamForm.Changed) -> None:
        self.changes.append((event.name, event.value))


def error(app, name: str) -> str:
    return str(app.query_one(f"#error-{name}").render())


async def test_tuples_accept_the_usual_spellings_and_reject_wrong_lengths():
    app = FormApp()
    async with app.run_test(size=(80, 24)) as pilot:
        form = app.query_one(ParamForm)
        field = app.query_one("#field-kernel_size", Input)
        for text, value in (("3", 3), ("3, 3", [3, 3]), ("(3, 3)", [3, 3]), ("[5, 1]", [5, 1])):
            field.value = text
            await pilot.pause()
            assert error(app, "kernel_size") == ""
            assert form._read(form._by_name["kernel_size"]) == value
        field.value = "3, 3, 3"
        await pilot.pause()
        assert "kernel_size needs 2 integers" in error(app, "kernel_size")
        field.value = "3, x"
        await pilot.pause()
        assert "integer" in error(app, "kernel_size")


async def test_only_non_default_values_and_required_fields_are_reported():
    app = FormApp()
    async with app.run_test(size=(80, 24)) as pilot:
        form = app.query_one(ParamForm)
        values, errors = form.non_default_values()
        assert values == {} and set(errors) == {"filters", "kernel_size"}
        app.query_one("#field-filters", Input).value = "16"
        app.query_one("#field-kernel_size", Input).value = "3"
        app.query_one("#field-padding", Select).value = "same"
        app.query_one("#field-kernel_regularizer", Input).value = '{ type = "L2", l2 = 0.01 }'
        await pilot.pause()
        values, errors = form.non_default_values()
        assert errors == {}
        assert values == {"filters": 16, "kernel_size": 3, "padding": "same",
                          "kernel_regularizer": {"type": "L2", "l2": 0.01}}
        app.query_one("#field-padding", Select).value = "valid"  # the default again: not stored
        app.query_one("#field-use_bias", Switch).value = False
        await pilot.pause()
        values, _ = form.non_default_values()
        assert "padding" not in values and values["use_bias"] is False
        assert str(app.query_one("#state-use_bias").render()) == "off"


async def test_values_show_in_fields_and_defaults_as_placeholders():
    app = FormApp({"filters": 8, "kernel_size": [3, 3], "padding": "same", "name": "conv"})
    async with app.run_test(size=(80, 24)):
        assert app.query_one("#field-filters", Input).value == "8"
        assert app.query_one("#field-kernel_size", Input).value == "[3, 3]"
        assert app.query_one("#field-padding", Select).value == "same"
        assert app.query_one("#field-kernel_regularizer", Input).placeholder == ""
        assert app.query_one("#field-name", Input).value == "conv"
        assert app.query_one("#field-use_bias", Switch).value is True


async def test_changes_are_posted_on_enter_and_never_evaluated():
    app = FormApp({"filters": 8, "kernel_size": 3})
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one("#field-name", Input).focus()
        await pilot.press(*"__import__('os')", "enter")
        await pilot.pause()
        assert "is not a value" in error(app, "name") and app.changes == []
        app.query_one("#field-filters", Input).focus()
        await pilot.press(*"32", "enter")
        await pilot.pause()
        assert app.changes == [("filters", 32)]


async def test_folded_arguments_sit_in_a_collapsed_section_that_opens_on_error():
    from textual.widgets import Collapsible

    app = FormApp(folded=["kernel_regularizer", "name"])
    async with app.run_test(size=(80, 24)) as pilot:
        folded = app.query_one(Collapsible)
        assert folded.collapsed and "kernel_regularizer, name" in str(folded.title)
        app.query_one("#field-filters", Input).value = "4"
        app.query_one("#field-kernel_size", Input).value = "3"
        app.query_one("#field-kernel_regularizer", Input).value = "1 +"
        await pilot.pause()
        assert not app.query_one(ParamForm).validate_all()
        await pilot.pause()
        assert not folded.collapsed and app.focused.id == "field-kernel_regularizer"


async def test_an_error_outside_the_folded_section_leaves_it_folded():
    from textual.widgets import Collapsible

    app = FormApp(folded=["kernel_regularizer", "name"])
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one("#field-filters", Input).value = "abc"
        await pilot.pause()
        assert not app.query_one(ParamForm).validate_all()
        await pilot.pause()
        assert app.query_one(Collapsible).collapsed  # nothing to see there: the form stays short
        assert app.focused.id == "field-filters" and "whole number" in error(app, "filters")


class ShapeApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ParamForm([Param("input_shape", None, True, "shape")])


async def test_one_number_in_parentheses_is_read_as_a_tuple_with_a_hint():
    app = ShapeApp()
    async with app.run_test(size=(80, 24)) as pilot:
        form = app.query_one(ParamForm)
        field = app.query_one("#field-input_shape", Input)
        field.value = "(5)"
        await pilot.pause()
        hint = app.query_one("#warning-input_shape")
        assert "did you mean (5,)?" in str(hint.render()) and hint.has_class("-shown")
        assert form._read(form._by_name["input_shape"]) == [5]
        field.value = "(5,)"
        await pilot.pause()
        assert not hint.has_class("-shown")
