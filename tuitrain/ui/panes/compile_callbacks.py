"""The Compile pane's callback list: its rows and its keys (add, edit, remove)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tuitrain.ui.panes.compile_values import describe_callback

if TYPE_CHECKING:
    from tuitrain.ui.panes.compile import CompilePane


def callback_options(preset: Any) -> list[Option]:
    callbacks = preset.fit.get("callbacks", [])
    if not callbacks:
        return [Option(Text("(none: press a to add EarlyStopping, ReduceLROnPlateau, …)", style="dim"), disabled=True)]
    return [Option(describe_callback(cb)) for cb in callbacks]


class CallbackList(OptionList):
    """The preset's callbacks; keys add, edit and remove entries."""

    BINDINGS = [
        Binding("a", "add", "Add callback", id="compile.add_callback"),
        Binding("e", "edit", "Edit callback", id="compile.edit_callback"),
        Binding("d,delete", "remove", "Remove callback", id="compile.remove_callback"),
    ]

    def _pane(self) -> CompilePane:
        from tuitrain.ui.panes.compile import CompilePane

        return next(a for a in self.ancestors if isinstance(a, CompilePane))

    def action_add(self) -> None:
        self._pane().action_add_callback()

    def action_edit(self) -> None:
        if self.highlighted is not None:
            self._pane().edit_callback(self.highlighted)

    def action_remove(self) -> None:
        if self.highlighted is not None:
            self._pane().remove_callback(self.highlighted)
