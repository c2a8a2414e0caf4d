"""Colours and widths shared by several screens, declared once (the Train pane, the Data pane, the Runs screen)."""

from __future__ import annotations

# A run's status word → its Rich style.
STATUS_STYLE: dict[str, str] = {
    "starting": "yellow", "running": "green", "paused": "yellow", "stopping": "yellow",
    "finished": "blue", "stopped": "magenta", "failed": "red", "crashed": "red",
}

# Below this width a pane's side column gives way to its main view (issue #24, 80×24 is the design size):
# the Train pane's side panel moves under the chart, the Data pane's tensor list narrows.
NARROW_COLUMNS = 70
