"""Wake a watcher when a run directory changes, instead of looking at it on a timer.

``watchfiles`` (inotify and friends, in Rust) blocks a thread until a file in the run directory is
written; a live run then costs one wake per ``WAKE_EVERY_MS`` at most (writes closer together are
merged), and a quiet run costs nothing. When ``watchfiles`` is missing or the directory cannot be
watched, :func:`run_changes` returns at once and the caller keeps polling. No Textual.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

__all__ = ["run_changes", "WAKE_EVERY_MS", "available"]

WAKE_EVERY_MS = 1000  # a steady stream of writes wakes the watcher at most this often
QUIET_MS = 300  # a lone write wakes it after this much quiet; writes closer than this (a trainer flushes
# every 0.25 s) merge until WAKE_EVERY_MS (this is also how often the thread checks ``stop``)


def available() -> bool:
    """True when ``watchfiles`` can be imported (else the caller polls)."""
    try:
        import watchfiles  # noqa: F401
    except ImportError:
        return False
    return True


def run_changes(run_dir: Path, stop: threading.Event, armed: threading.Event | None = None) -> Iterator[None]:
    """Yield once per burst of changes under ``run_dir`` until ``stop`` is set (blocking; a thread's loop).

    With ``armed``, a burst is yielded only while it is set (and clears it): the reader sets it when
    it looks, so changes it will read anyway cost no message.

    Returns without yielding when watching is impossible: no ``watchfiles``, no such directory,
    or the platform refuses a watch (the caller's polling then carries on alone)."""
    try:
        from watchfiles import watch
    except ImportError:
        return
    if not Path(run_dir).is_dir():
        return
    try:
        for _changes in watch(run_dir, debounce=WAKE_EVERY_MS, step=QUIET_MS, stop_event=stop,
                              raise_interrupt=False, recursive=True, watch_filter=None):
            if stop.is_set():
                return
            if armed is None:
                yield None
            elif armed.is_set():
                armed.clear()
                yield None
    except (OSError, RuntimeError):
        return  # e.g. inotify watches exhausted, the directory removed: polling still works
