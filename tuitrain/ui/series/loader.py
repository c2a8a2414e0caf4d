"""The one way a screen reads a long run for its chart: chunk by chunk in a thread, applied on the event loop.

The Train pane (attaching to a long run) and the Runs screen (overlaying runs) both start it.
The thread parses a chunk (:meth:`RunFeed.read`), hands it to the event loop with
``call_from_thread`` (which returns once it is applied, so at most one chunk is in flight and
the series is only touched on the loop), and goes on until the file is read or the feed is
cancelled (the run is no longer shown).  :mod:`~tuitrain.ui.series.feed` itself stays free of Textual.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.dom import DOMNode
from textual.worker import Worker

from tuitrain.ui.series.feed import RunFeed

__all__ = ["load_run"]


def load_run(
    node: DOMNode,
    feed: RunFeed,
    *,
    on_parts: Callable[[RunFeed, list[Any]], object],
    on_done: Callable[[RunFeed], object],
    group: str,
    exclusive: bool = False,
) -> Worker[None]:
    """Read the rest of ``feed``'s events in a thread worker of ``node``.

    ``on_parts(feed, parts)`` runs on the event loop for each chunk (it applies them and redraws
    when it sees fit); ``on_done(feed)`` runs once when the file is read, not when the feed was
    cancelled (whoever cancelled it has moved on).
    """
    app = node.app

    def read() -> None:
        try:
            for parts in feed.chunks():
                app.call_from_thread(on_parts, feed, parts)
        finally:
            if not feed.cancelled:
                app.call_from_thread(on_done, feed)

    return node.run_worker(read, name=f"load {feed.run_dir.name}", group=group, exclusive=exclusive,
                           thread=True, exit_on_error=False)
