"""Data & tensor pane (first cut: tensor names and shapes; the full inspector follows)."""

from __future__ import annotations

from textual.widgets import Static

PANE_COMMANDS: list[tuple[str, str, str]] = []


class DataPane(Static):
    def on_mount(self) -> None:
        self.update("loading…")
        self.watch(self.app, "dataset", self._show)

    def _show(self, dataset) -> None:
        if dataset is None:
            self.update("waiting for data…")
            return
        self.update("\n".join(f"{name}: {a.dtype} {a.shape}" for name, a in dataset.tensors().items()))
