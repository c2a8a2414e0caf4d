"""A dialog with one form: the arguments of something whose type is already chosen.

The data editor uses it for a source's options and the validation split. Dismisses with the
values that differ from the defaults (what the preset should hold), or None when cancelled.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from tuitrain.keras_catalogue import Param
from tuitrain.ui.widgets.forms import ParamForm


class ParamDialog(ModalScreen[dict | None]):
    DEFAULT_CSS = """
    ParamDialog { align: center middle; }
    ParamDialog > Vertical {
        width: 90%; max-width: 90; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    ParamDialog #param-summary { color: $text-muted; height: auto; margin-bottom: 1; }
    ParamDialog VerticalScroll { height: auto; max-height: 16; }
    ParamDialog #param-buttons { height: 1; margin-top: 1; }
    ParamDialog #param-hint { width: 1fr; color: $text-muted; }
    ParamDialog #param-buttons Button { height: 1; min-width: 8; border: none; margin-left: 1; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "submit", "OK", priority=True),
    ]

    def __init__(self, title: str, params: list[Param], values: dict[str, Any], *, summary: str = "") -> None:
        super().__init__()
        self.dialog_title = title
        self.params = params
        self.values = values
        self.summary = summary

    def compose(self) -> ComposeResult:
        with Vertical() as box:
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

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_submit(self) -> None:
        forms = self.query(ParamForm)
        if not forms:
            self.dismiss({})
            return
        form = forms.first()
        if not form.validate_all():
            return
        values, _ = form.non_default_values()
        self.dismiss(values)
