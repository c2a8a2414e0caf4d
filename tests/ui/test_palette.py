"""The command palette under bursts of keys: a selection still queued when it closed does nothing."""

from __future__ import annotations

from textual.command import CommandList, CommandPalette
from textual.widgets import OptionList

from tests.ui.waiting import wait_for


async def test_a_selection_queued_before_the_palette_closed_runs_nothing(open_app):
    async with open_app("spiral_mlp", pane="train", background=False) as (app, pilot):
        await pilot.press("ctrl+p", *"full screen")
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        hits = palette.query_one(CommandList)
        await wait_for(pilot, lambda: hits.option_count > 0, "the palette's hits")
        queued = OptionList.OptionSelected(hits, hits.get_option_at_index(0), 0)  # a second enter, in the queue
        await pilot.press("escape")
        assert app.screen is not palette
        await palette._dispatch_message(queued)  # handled after the close, as in a burst over SSH
        await pilot.pause()
        assert app.screen is not palette and not app.screen.has_class("-chart-full")
        assert app.is_running
