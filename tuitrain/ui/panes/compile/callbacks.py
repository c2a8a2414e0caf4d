"""The Compile pane's callback list: its rows and its keys (add, edit, remove)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tuitrain.ui.widgets.lists import SteadyPaging
from tuitrain.editing.compile_values import describe_callback

def callback_options(preset: Any) -> list[Option]:
    callbacks = preset.fit.get("callbacks", [])
    if not callbacks:
        return [Option(Text("(none: press a to add EarlyStopping, ReduceLROnPlateau, …)", style="dim"), disabled=True)]
    return [Option(describe_callback(cb)) for cb in callbacks]


class CallbackList(SteadyPaging, OptionList):
    """The preset's callbacks; keys add, edit and remove entries."""

    BINDINGS = [
        Binding("a", "add", "Add callback", id="compile.add_callback"),
        Binding("e", "edit", "Edit callback", id="compile.edit_callback"),
        Binding("d,delete", "remove", "Remove callback", id="compile.remove_callback"),
    ]

    class Requested(Message):
        """Add, edit or remove a callback: the pane that owns the preset acts on it."""

        def __init__(self, what: str, index: int | None = None) -> None:
            super().__init__()
            self.what = what  # "add", "edit" or "remove"
            self.index = index

    def action_add(self) -> None:
        self.post_message(self.Requested("add"))

    def action_edit(self) -> None:
        if self.highlighted is not None:
            self.post_message(self.Requested("edit", self.highlighted))

    def action_remove(self) -> None:
        if self.highlighted is not None:
            self.post_message(self.Requested("remove", self.highlighted))
