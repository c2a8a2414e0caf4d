"""The Compile pane's metrics list: ticked rows marked ✓ (not by colour alone), a summary line of what
is ticked, and the footer showing the focused list's own keys first."""

from __future__ import annotations

import pytest
from textual.widgets import SelectionList, Static

from tests.ui.waiting import wait_for, wait_ready
from tuitrain.ui.widgets.lists import TickedSelectionList

pytestmark = pytest.mark.usefixtures("quick_rebuilds")


def row_text(listing: SelectionList, index: int) -> str:
    """What the list draws on the row of option ``index`` (scrolled so it is the first row)."""
    listing.scroll_to(y=index, animate=False, immediate=True)
    return "".join(segment.text for segment in listing.render_line(0))


def summary(app) -> str:
    return str(app.query_one("#metrics-summary", Static).render())


async def test_ticking_a_metric_marks_it_and_updates_the_summary(open_app):
    async with open_app("spiral_mlp", pane="compile") as (app, pilot):
        await wait_ready(pilot)
        listing = app.query_one("#metrics", TickedSelectionList)
        names = [listing.get_option_at_index(i).value for i in range(listing.option_count)]
        assert app.preset.compile["metrics"] == ["accuracy"] and names[0] == "accuracy"
        assert row_text(listing, 0).startswith("▐✓▌ accuracy")
        other = names.index("auc") if "auc" in names else 1
        assert row_text(listing, other).startswith(f"▐ ▌ {names[other]}")
        assert summary(app) == "ticked (1): accuracy"
        listing.focus()
        listing.highlighted = other
        await pilot.press("space")
        await wait_for(pilot, lambda: app.preset.compile["metrics"] == ["accuracy", names[other]], "the tick saved")
        await pilot.pause()
        assert row_text(listing, other).startswith(f"▐✓▌ {names[other]}")
        assert summary(app) == f"ticked (2): accuracy, {names[other]}"
        await pilot.press("space")  # untick again
        await wait_for(pilot, lambda: app.preset.compile["metrics"] == ["accuracy"], "the untick saved")
        await pilot.pause()
        assert row_text(listing, other).startswith(f"▐ ▌ {names[other]}")
        assert summary(app) == "ticked (1): accuracy"


async def _focus(pilot, selector: str) -> None:
    await wait_ready(pilot)
    widget = pilot.app.query_one(selector)
    widget.focus()
    widget.scroll_visible(animate=False, immediate=True)
    await pilot.pause()
    await pilot.pause()


async def _metrics_focused(pilot) -> None:
    await _focus(pilot, "#metrics")


async def _callbacks_focused(pilot) -> None:
    await _focus(pilot, "#callbacks")


def test_snapshot_metrics_ticked_and_summarised_80x24(snap_compare):
    assert snap_compare("snapshot_apps/compile_lists.py", terminal_size=(80, 24), run_before=_metrics_focused)


def test_snapshot_footer_shows_the_focused_lists_keys_80x24(snap_compare):
    assert snap_compare("snapshot_apps/compile_lists.py", terminal_size=(80, 24), run_before=_callbacks_focused)
