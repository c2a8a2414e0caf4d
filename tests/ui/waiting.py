"""Waiting in UI tests: for the app's own ``ready`` state, or for a condition, never a fixed sleep.

Both fail loudly on timeout, saying what was still pending, so a slow machine shows a clear
error instead of a snapshot diff.  The deadlines are generous: they only bound a hung test.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

READY_TIMEOUT_S = 120.0


async def wait_ready(pilot, timeout: float = READY_TIMEOUT_S) -> None:
    """Wait until TensorFlow, the data, the debounced model build and the panes' work are done."""
    app = pilot.app
    await pilot.pause()  # let pressed keys and posted edits reach their handlers first
    try:
        await asyncio.wait_for(app.ready_event.wait(), timeout)
    except (asyncio.TimeoutError, TimeoutError):
        raise AssertionError(f"the app was not ready after {timeout:.0f}s; still pending: {app.pending()}") from None
    await pilot.pause()  # let the screen catch up with the last state change


async def wait_for(pilot, condition: Callable[[], bool], what: str, timeout: float = READY_TIMEOUT_S) -> None:
    """Poll ``condition`` between app refreshes until it holds; raise naming ``what`` if it never does."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what} after {timeout:.0f}s")
        await pilot.pause(0.05)


def palette_top(app) -> str:
    """The highlighted hit of the open command palette, as plain text ("" when none yet)."""
    from textual.command import CommandList, CommandPalette

    if not isinstance(app.screen, CommandPalette):
        return ""
    hits = app.screen.query_one(CommandList)
    if hits.highlighted is None:
        return ""
    prompt = hits.get_option_at_index(hits.highlighted).prompt
    return str(getattr(prompt, "plain", prompt))


async def run_palette_command(pilot, query: str, title: str) -> None:
    """Open the palette, type ``query``, wait until ``title`` is the top hit (search runs in the background), run it."""
    await pilot.press("ctrl+p", *query)
    await wait_for(pilot, lambda: title.lower() in palette_top(pilot.app).lower(), f"palette hit {title!r}")
    await pilot.press("enter")
    await pilot.pause()


def _scroll_state(app) -> list[tuple]:
    return [(node.scroll_x, node.scroll_y, tuple(node.virtual_size)) for node in app.screen.walk_children(with_self=True)
            if getattr(node, "is_scrollable", False)]


async def settle_scroll(pilot, steady: int = 3, timeout: float = READY_TIMEOUT_S) -> None:
    """Wait until no scroll offset or scrolled content height on the screen changes over ``steady``
    refreshes in a row.

    A focus scrolls its widget into view, the app brings the focused row back after the next layout
    (``ui/focus_view.py``), and text filled in after the first paint (the compile warnings) grows a
    pane: a snapshot taken in between differs by a scrollbar step.
    """
    deadline = time.monotonic() + timeout
    last, same = None, 0
    while same < steady:
        if time.monotonic() > deadline:
            raise AssertionError(f"the screen was still scrolling after {timeout:.0f}s")
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        now = _scroll_state(pilot.app)
        same = same + 1 if now == last else 0
        last = now
