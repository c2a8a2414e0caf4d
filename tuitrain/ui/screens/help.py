"""The help screen: the keys that work where the cursor is, read live from the bindings (``tuitrain.ui.context_keys``)."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from tuitrain.ui.context_keys import KeyRow, KeySection
from tuitrain.ui.screens.dialogs.form_dialog import ModalBase


class HelpScreen(ModalBase[None]):
    """Keys of the focused widget, then of its pane or screen, then everywhere; escape, q or ? closes it."""

    DEFAULT_CSS = """
    HelpScreen > VerticalScroll {
        width: 76; max-width: 100%; height: 90%;
        padding: 0 1;
    }
    """
    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close"),
    ]

    def __init__(self, sections: list[KeySection]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="modal-box") as scroll:
            scroll.border_title = "Keys"
            scroll.border_subtitle = "escape: close"
            yield Static(Group(*self._parts()), id="help-keys")
            yield Static(Text("Everything is also in the command palette (ctrl+p).", style="italic"))

    def _parts(self) -> list:
        parts: list = []
        for index, section in enumerate(self.sections):
            # the focused widget's moving/editing keys from Textual fold into one paragraph
            moving = [row for row in section.rows if not row.own] if index == 0 else []
            if not section.all_rows():
                continue
            parts.append(Text(section.title, style="bold underline"))
            parts.append(_table([row for row in section.rows if row not in moving]))
            if moving:
                parts.append(_moving(moving))
            for title, rows in section.subgroups:
                parts.append(Text(title, style="italic"))
                parts.append(_table(rows))
            parts.append(Text(""))
        return parts


def _table(rows: list[KeyRow]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True, style="bold", min_width=12)
    table.add_column()
    for row in rows:
        description = Text(row.description)
        if row.note:
            description.append(f"  ({row.note})", style="dim")
        table.add_row(row.display, description)
    return table


def _moving(rows: list[KeyRow]) -> Text:
    """Textual's own keys of the widget (moving, editing), in one wrapped paragraph."""
    text = Text(style="dim")
    for index, row in enumerate(rows):
        if index:
            text.append(" · ")
        text.append(row.display, style="bold")
        text.append(f" {row.description}")
        if row.note:
            text.append(f" ({row.note})")
    return text
