"""A pane's actions declared once: the key (footer, help) and the palette entry come from one row.

A pane lists ``PANE_ACTIONS`` and sets ``BINDINGS = bindings(PANE_ACTIONS)``; the command palette
reads the same list (``tuitrain.ui.panes.pane_actions``), so a key and its palette entry never
drift apart.  The help screen keeps reading ``BINDINGS`` (keys as remapped by the user).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class PaneAction:
    """One thing a pane does: ``action_<action>`` on the pane."""

    action: str
    key: str = ""  # Textual key names, comma-separated ("" = palette only)
    label: str = ""  # the footer's and help screen's word for it
    title: str = ""  # the palette's title ("" = a key only)
    help: str = ""  # the palette's hint (its keys are appended as bound now)
    id: str | None = None  # binding id, so a user keymap can remap it
    show: bool = True  # shown in the footer

    def binding(self) -> Binding:
        return Binding(self.key, self.action, self.label, show=self.show, id=self.id)


_DECLARED: dict[tuple[str, str], PaneAction] = {}  # (action, binding id or key) → its row, for the palette


def bindings(actions: Iterable[PaneAction]) -> list[Binding]:
    """The ``BINDINGS`` of a pane: every action that has a key, in the order declared."""
    out = []
    for action in actions:
        if action.key:
            for ref in [action.id] if action.id else [k.strip() for k in action.key.split(",")]:
                _DECLARED[(action.action, ref)] = action
            out.append(action.binding())
    return out


def declared(binding: Binding) -> PaneAction | None:
    """The ``PaneAction`` a binding was made from (its palette title and help), if any.

    Looked up by binding id, which survives the user's keymap (the key does not)."""
    return _DECLARED.get((binding.action, binding.id or binding.key))


def palette_actions(actions: Iterable[PaneAction]) -> list[PaneAction]:
    """The actions the command palette offers: every one with a title, in the order declared."""
    return [action for action in actions if action.title]
