"""Layers pane (placeholder until its issue lands; the app composes it already)."""

from __future__ import annotations

from textual.widgets import Static

PANE_COMMANDS: list[tuple[str, str, str]] = []


class LayersPane(Static):
    """Placeholder: shows that the pane is not built yet."""

    def __init__(self) -> None:
        super().__init__("Layers pane: coming soon")
