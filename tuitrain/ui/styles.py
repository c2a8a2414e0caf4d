"""Colours shared by several screens, declared once (the Train pane and the Runs screen)."""

from __future__ import annotations

# A run's status word → its Rich style.
STATUS_STYLE: dict[str, str] = {
    "starting": "yellow", "running": "green", "paused": "yellow", "stopping": "yellow",
    "finished": "blue", "stopped": "magenta", "failed": "red", "crashed": "red",
}
