"""The help screen: every key of the app and of each pane, read from their BINDINGS (``tuitrain.ui.keys``)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from tuitrain.ui.screens.dialogs.form_dialog import ModalBase


class HelpScreen(ModalBase[None]):
    """Keys grouped by where they work; escape, q or ? closes it."""

    DEFAULT_CSS = """
    HelpScreen > VerticalScroll {
        width: 76; max-width: 100%; height: 90%;
        padding: 0 1;
    }
    """
    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close"),
    ]

    def __init__(self, sections: list[tuple[str, list[tuple[str, str]]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="modal-box") as scroll:
            scroll.border_title = "Keys"
            scroll.border_subtitle = "escape: close"
            yield Static(self._table(), id="help-keys")
            yield Static(Text("Everything is also in the command palette (ctrl+p).", style="italic"))

    def _table(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True, style="bold")
        table.add_column()
        for title, rows in self.sections:
            if not rows:
                continue
            table.add_row(Text(title, style="bold underline"), "")
            for keys, description in rows:
                table.add_row(keys, description)
            table.add_row("", "")
        return table
