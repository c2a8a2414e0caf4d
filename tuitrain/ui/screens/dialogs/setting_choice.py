"""Choosing settings on the Runs screen: a checklist of columns (``c``), one setting to group by (``g``).

Both offer the keys whose values differ between the listed runs, each with the values it takes,
so the user ticks or picks instead of typing a dotted key from memory.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from tuitrain.common.safetext import clean_line
from tuitrain.ui.screens.dialogs.form_dialog import ModalBase
from tuitrain.ui.widgets.lists import SteadyOptionList, SteadySelectionList

__all__ = ["ColumnsChecklist", "GroupByPicker", "key_prompt"]


def key_prompt(key: str, values: list[str], width: int = 60) -> Text:
    """``compile.optimizer.type  Adam · SGD`` on one line, cut with … (values come from run files)."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(clean_line(key))
    if values:
        text.append("  " + " · ".join(clean_line(v) for v in values[:6]) + (" …" if len(values) > 6 else ""), style="dim")
    text.truncate(width, overflow="ellipsis")
    return text


class ColumnsChecklist(ModalBase["list[str] | None"]):
    """Tick the settings to show as columns; dismissed with the ticked keys in list order, None on escape."""

    DEFAULT_CSS = """
    ColumnsChecklist > Vertical { width: 76; max-width: 100%; height: auto; max-height: 90%; padding: 0 1; }
    ColumnsChecklist SelectionList { height: auto; max-height: 14; }
    ColumnsChecklist #hint { color: $text-muted; }
    ColumnsChecklist #columns-ticked { height: 1; }
    """
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel"),
        Binding("ctrl+s", "confirm", "Show these", priority=True),
    ]

    def __init__(self, keys: list[tuple[str, list[str]]], shown: list[str]) -> None:
        """``keys``: (dotted key, its values) that differ; ``shown``: the columns shown now (ticked)."""
        super().__init__()
        known = [k for k, _ in keys]
        self.keys = [*keys, *((k, []) for k in shown if k not in known)]
        self.shown = list(shown)

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box") as box:
            box.border_title = "Columns"
            box.border_subtitle = "space ticks · ctrl+s shows them · escape cancels"
            if self.keys:
                yield Static("Settings that differ between the listed runs:")
                yield SteadySelectionList(*[(key_prompt(k, v), k, k in self.shown) for k, v in self.keys],
                                          id="columns-list")
                yield Static(self._ticked_text(self.shown), id="columns-ticked")  # not by colour alone
            else:
                yield Static("The listed runs do not differ in any recorded setting.", id="columns-none")
            yield Input(placeholder="other keys, comma-separated (layers[1].units)", id="columns-other")
            yield Static("enter in the box, or ctrl+s: show the ticked keys as columns", id="hint")

    def on_mount(self) -> None:
        (self.query_one(SelectionList) if self.keys else self.query_one(Input)).focus()

    @staticmethod
    def _ticked_text(keys: list[str]) -> Text:
        from tuitrain.ui.screens.runs_rows import setting_label

        if not keys:
            return Text("✓ none ticked", style="dim")
        return Text("✓ " + " · ".join(clean_line(setting_label(k)) for k in keys), no_wrap=True, overflow="ellipsis")

    @on(SelectionList.SelectedChanged)
    def _ticks_changed(self, event: SelectionList.SelectedChanged) -> None:
        ticked = set(event.selection_list.selected)
        self.query_one("#columns-ticked", Static).update(self._ticked_text([k for k, _ in self.keys if k in ticked]))

    def chosen(self) -> list[str]:
        ticked = list(self.query_one(SelectionList).selected) if self.keys else []
        typed = [k.strip() for k in self.query_one(Input).value.split(",") if k.strip()]
        return [*ticked, *(k for k in typed if k not in ticked)]

    def action_confirm(self) -> None:
        self.dismiss(self.chosen())

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_confirm()


class GroupByPicker(ModalBase["str | None"]):
    """Pick the setting to group the runs by, or "none"; dismissed with the key ("" = ungroup), None on escape."""

    DEFAULT_CSS = """
    GroupByPicker > Vertical { width: 76; max-width: 100%; height: auto; max-height: 90%; padding: 0 1; }
    GroupByPicker OptionList { height: auto; max-height: 14; }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, keys: list[tuple[str, list[str]]], current: str = "") -> None:
        super().__init__()
        self.keys = keys
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box") as box:
            box.border_title = "Group runs by"
            box.border_subtitle = "enter picks · escape cancels"
            options = [Option(Text("none (one flat list)"), id="0")]  # ids are positions: keys may be any text
            options += [Option(key_prompt(k, v), id=str(i)) for i, (k, v) in enumerate(self.keys, start=1)]
            yield SteadyOptionList(*options, id="group-list")

    def on_mount(self) -> None:
        listing = self.query_one(OptionList)
        keys = ["", *(k for k, _ in self.keys)]
        # grouped: the current setting; not grouped: the first setting (choosing "none" again changes nothing)
        listing.highlighted = keys.index(self.current) if self.current in keys[1:] else min(1, len(self.keys))
        listing.focus()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        index = int(event.option.id or 0)
        self.dismiss(self.keys[index - 1][0] if index else "")
