"""A dialog with one form: the arguments of something whose type is already chosen.

The data editor uses it for a source's options and the validation split. Dismisses with the
values that differ from the defaults (what the preset should hold), or None when cancelled.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Static

from tuitrain.catalogue.params import Param
from tuitrain.ui.screens.dialogs.form_dialog import FormDialog
from tuitrain.ui.widgets.forms import ParamForm


class ParamDialog(FormDialog[dict]):
    DEFAULT_CSS = """
    ParamDialog > Vertical {
        width: 90%; max-width: 90; height: auto; max-height: 90%;
        padding: 0 1;
    }
    ParamDialog #param-summary { color: $text-muted; height: auto; margin-bottom: 1; }
    ParamDialog VerticalScroll { height: auto; max-height: 16; }
    ParamDialog #param-buttons { height: 1; margin-top: 1; }
    ParamDialog #param-hint { width: 1fr; color: $text-muted; }
    ParamDialog #param-buttons Button { height: 1; min-width: 8; border: none; margin-left: 1; }
    """

    def __init__(self, title: str, params: list[Param], values: dict[str, Any], *, summary: str = "") -> None:
        super().__init__()
        self.dialog_title = title
        self.params = params
        self.values = values
        self.summary = summary

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box") as box:
            box.border_title = self.dialog_title
            if self.summary:
                yield Static(self.summary, id="param-summary", markup=False)
            with VerticalScroll():
                if self.params:
                    yield ParamForm(self.params, self.values, id="param-form")
                else:
                    yield Static("Nothing to set here.", id="param-empty")
            with Horizontal(id="param-buttons"):
                yield Static("enter/ctrl+s OK · esc cancel", id="param-hint")
                yield Button("OK", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        forms = self.query(ParamForm)
        if forms:
            forms.first().focus_first()
        else:
            self.query_one("#ok", Button).focus()

    def result(self) -> dict | None:
        forms = self.query(ParamForm)
        if not forms:
            return {}
        form = forms.first()
        if not form.validate_all():
            return None
        values, _ = form.non_default_values()
        return values
