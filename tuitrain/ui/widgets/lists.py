"""Option lists that take any key at any time.

Keys come in bursts over SSH: ``pagedown`` can reach a list before its first layout or while it
is hidden (no size), where Textual's ``OptionList`` looks up a line it never measured and raises
``KeyError``.  A list with no measured page has no page to move, so the key does nothing.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import OptionList, SelectionList
from textual.widgets._toggle_button import ToggleButton


class SteadyPaging:
    """Mix in before ``OptionList``: page keys wait for a measured list instead of raising."""

    def _move_page(self, direction: int) -> None:
        lines = self._index_to_line if self.scrollable_content_region else {}  # type: ignore[attr-defined]
        if (self.highlighted or 0) not in lines:  # type: ignore[attr-defined]
            return
        super()._move_page(direction)  # type: ignore[misc]


class SteadyOptionList(SteadyPaging, OptionList):
    """An ``OptionList`` for the app's panes and dialogs."""


class SteadySelectionList(SteadyPaging, SelectionList):
    """A ``SelectionList`` for the app's panes and dialogs."""


class TickedSelectionList(SteadySelectionList):
    """A selection list whose ticked rows show ``✓`` and unticked ones a blank box.

    Textual draws the same ``X`` in both states and tells them apart by colour alone, which a
    monochrome terminal, a colour-blind reader or a screenshot in a bug report loses.
    """

    TICK, NO_TICK = "✓", " "

    def render_line(self, y: int) -> Strip:
        line = super().render_line(y)
        segments = list(line)
        index = self.scroll_offset.y + y
        if len(segments) < 3 or not 0 <= index < self.option_count:
            return line
        ticked = self.get_option_at_index(index).value in self._selected
        text, style, control = segments[1]
        if text != ToggleButton.BUTTON_INNER:
            return line  # not the button (Textual changed its drawing): leave the row as it is
        segments[1] = Segment(self.TICK if ticked else self.NO_TICK, style, control)
        return Strip(segments, line.cell_length)
