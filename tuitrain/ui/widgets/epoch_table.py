"""The Train pane's epoch table: a row added to a table that already scrolls repaints the table alone.

Textual's ``DataTable`` asks for a layout of the whole screen whenever its virtual size changes
(about 18 ms at 120×40, once per epoch while a run is watched: most of what watching cost, issue #25).
When only the height grew and the vertical scrollbar is already shown, nothing else on screen
moves, so the table updates its scrollbar and repaints itself; any other change (the first rows,
a wider column) still lays the screen out.
"""

from __future__ import annotations

from textual.widgets import DataTable

__all__ = ["EpochTable"]


class EpochTable(DataTable):
    """A ``DataTable`` whose rows added below a scrolling table need no screen layout."""

    _growing_width: int | None = None  # the virtual width before rows were added, while they are

    def _update_dimensions(self, new_rows) -> None:
        before = self.virtual_size
        scrolling = self.show_vertical_scrollbar and before.height > self.scrollable_content_region.height
        self._growing_width = before.width if scrolling else None
        try:
            super()._update_dimensions(new_rows)
        finally:
            self._growing_width = None
        if scrolling and self.virtual_size.width == before.width and self.virtual_size != before:
            self._scroll_update(self.virtual_size)  # the scrollbar's thumb, as a layout would set it

    def refresh(self, *regions, repaint: bool = True, layout: bool = False, recompose: bool = False):
        if layout and self._growing_width is not None and self.virtual_size.width == self._growing_width:
            layout = False  # taller only, scrollbar already there: nothing around the table moves
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)
