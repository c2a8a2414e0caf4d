"""Option lists that take any key at any time.

Keys come in bursts over SSH: ``pagedown`` can reach a list before its first layout or while it
is hidden (no size), where Textual's ``OptionList`` looks up a line it never measured and raises
``KeyError``.  A list with no measured page has no page to move, so the key does nothing.
"""

from __future__ import annotations

from textual.widgets import OptionList, SelectionList


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
