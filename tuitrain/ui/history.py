"""Undo / redo keys for the panes that edit the preset (the history itself is ``app.history``).

Every editor changes the preset through ``app.edit_preset``, which records the edit; these
actions step that one history, so undo in the Layers pane also steps over Compile edits in the
order they were made.
"""

from __future__ import annotations

from tuitrain.ui.app_access import AppAccess


class HistoryActions(AppAccess):
    """``action_undo`` / ``action_redo`` for any pane that edits the app's preset."""

    def action_undo(self) -> None:
        if not self.app.undo_edit():
            self.notify("Nothing to undo.")  # type: ignore[attr-defined]

    def action_redo(self) -> None:
        if not self.app.redo_edit():
            self.notify("Nothing to redo.")  # type: ignore[attr-defined]
