"""The epoch table: rows added below a table that scrolls repaint it alone, and stay in view."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widget import Widget

from tuitrain.ui.widgets.epoch_table import EpochTable


class TableApp(App):
    CSS = "EpochTable { height: 6; }"

    def compose(self) -> ComposeResult:
        yield EpochTable(cursor_type="row")


def add_epoch(table: EpochTable, epoch: int, loss: str = "0.5") -> None:
    table.add_row(str(epoch), loss, key=str(epoch))
    table.move_cursor(row=table.row_count - 1, animate=False)


async def test_rows_below_a_scrolling_table_need_no_screen_layout_and_stay_in_view(monkeypatch):
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(EpochTable)
        table.add_columns("epoch", "loss")
        layouts: list[str] = []
        original = Widget.refresh

        def spy(self, *regions, layout=False, **kw):  # what reaches Textual, after the table's own choice
            if layout and self is table:
                layouts.append(f"row {table.row_count}")
            return original(self, *regions, layout=layout, **kw)

        monkeypatch.setattr(Widget, "refresh", spy)
        for epoch in range(1, 4):  # fits: the table is not scrolling yet
            add_epoch(table, epoch)
            await pilot.pause()
        assert layouts  # growing a table that does not scroll yet still lays the screen out
        for epoch in range(4, 12):  # the scrollbar appears at some row; from then on no layout
            add_epoch(table, epoch)
            await pilot.pause()
        layouts.clear()
        for epoch in range(12, 20):
            add_epoch(table, epoch)
            await pilot.pause()
        assert layouts == []
        assert table.scroll_y == table.max_scroll_y > 0  # the newest epoch is in view
        assert table.vertical_scrollbar.window_virtual_size == table.virtual_size.height
        assert "19" in "".join(strip.text for strip in table.render_lines(table.region.reset_offset))


async def test_a_wider_row_still_lays_out():
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(EpochTable)
        table.add_columns("epoch", "loss")
        for epoch in range(1, 12):
            add_epoch(table, epoch)
        await pilot.pause()
        width = table.virtual_size.width
        add_epoch(table, 12, loss="0.123456789012345")
        await pilot.pause()
        assert table.virtual_size.width > width
        assert table.scroll_y == table.max_scroll_y
