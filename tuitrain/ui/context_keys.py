"""What the keys do where the cursor is: the live bindings of the focus chain, in three groups.

The help screen (``?``), the footer and the command palette all read this one view, built from the
``BINDINGS`` of the focused widget and its ancestors (as Textual itself walks them, with the user's
keymap applied), so a new binding shows up everywhere without being listed by hand:

- **here**: the focused widget and its ancestors below the pane (the data editor, a list),
- **pane**: the pane (a child of a ``TabPane``) up to its screen, or the screen itself (runs, sweep),
  plus the other widgets of that pane or screen that have keys of their own (reached with ``tab``),
- **everywhere**: the app's keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode
from textual.keys import key_to_character
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import TabbedContent, TabPane


@dataclass(frozen=True)
class KeyRow:
    """One action bound on one node: its keys as displayed and what it does."""

    node: DOMNode
    binding: Binding  # the first binding of the action (after the keymap)
    keys: tuple[str, ...]  # raw key names, for shadowing
    display: str  # "d, delete"
    own: bool  # declared by tuitrain (not one of Textual's editing/moving keys)
    note: str = ""  # why it does not work here ("typed into the field", "here: Edit")

    @property
    def description(self) -> str:
        return self.binding.description

    @property
    def action(self) -> str:
        return self.binding.action


@dataclass
class KeySection:
    """A titled group of rows; ``subgroups`` are widgets of the pane that are not focused now."""

    title: str
    rows: list[KeyRow] = field(default_factory=list)
    subgroups: list[tuple[str, list[KeyRow]]] = field(default_factory=list)

    def all_rows(self) -> list[KeyRow]:
        return [*self.rows, *(row for _, rows in self.subgroups for row in rows)]


def node_title(node: DOMNode) -> str:
    """A widget's name for people: ``HELP_TITLE`` if it sets one, else its class name in words."""
    title = getattr(node, "HELP_TITLE", "")
    if title:
        return title
    if type(node) is Screen:
        return "Main screen"
    if node.id and not type(node).__module__.startswith("tuitrain."):  # a Textual list: its id says more
        words = node.id.replace("_", "-").split("-")
    else:
        words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", type(node).__name__).split()
    return " ".join([words[0], *(w.lower() for w in words[1:])]) if words else type(node).__name__


def own_actions(node: DOMNode) -> list[str]:
    """Actions that tuitrain's classes bind on ``node``, as the most derived class declares them
    (Textual's own widgets bind the rest: moving, editing)."""
    actions: list[str] = []
    for cls in type(node).__mro__:
        if cls.__module__.startswith("tuitrain.") and "BINDINGS" in cls.__dict__:
            for item in cls.__dict__["BINDINGS"]:
                action = item.action if isinstance(item, Binding) else item[1]
                if action not in actions:
                    actions.append(action)
    return actions


def node_rows(node: DOMNode) -> list[KeyRow]:
    """The described bindings of ``node``, one row per action, keys as remapped by the user."""
    bindings_map = BindingsMap()
    bindings_map.key_to_bindings = {key: list(b) for key, b in node._bindings.key_to_bindings.items()}
    keymap = getattr(node.app, "_keymap", {})
    if keymap:
        bindings_map.apply_keymap(keymap)
    grouped: dict[tuple[str, str], list[Binding]] = {}
    for _key, binding in bindings_map:
        if binding.description and _allowed(node, binding.action):
            same = grouped.setdefault((binding.action, binding.description), [])
            if all(b.key != binding.key for b in same):  # a keymap gives "d" and "delete" the same new key
                same.append(binding)
    own = own_actions(node)
    rows = [KeyRow(node, bs[0], tuple(b.key for b in bs), ", ".join(node.app.get_key_display(b) for b in bs),
                   own=bs[0].action in own) for bs in grouped.values()]
    # tuitrain's keys first, in the order declared; Textual's after them, in theirs
    return sorted(rows, key=lambda row: own.index(row.action) if row.own else len(own))


def _allowed(node: DOMNode, action: str) -> bool:
    """False where the node's ``check_action`` hides the action here (``1``–``4`` off the main screen)."""
    try:
        return node.app._check_action_state(action, node) is not False
    except Exception:  # noqa: BLE001 - an action Textual cannot parse is listed, not hidden
        return True


def focus_chain(screen: Screen) -> list[DOMNode]:
    """The nodes a key passes through on ``screen``, innermost first (as Textual's ``_binding_chain``)."""
    focused = screen.focused
    if focused is not None and not shown(focused):
        focused = None  # focus left behind in a hidden tab reaches no key a person could mean
    nodes: list[DOMNode] = list(focused.ancestors_with_self) if focused is not None else [screen, screen.app]
    for index, node in enumerate(nodes, 1):
        if node.is_modal:
            return nodes[:index]
    return nodes


def shown(widget: Widget) -> bool:
    """Not inside a hidden tab or a hidden part of the screen."""
    return all(node.display for node in widget.ancestors_with_self if isinstance(node, Widget))


def pane_of(chain: list[DOMNode], screen: Screen) -> DOMNode | None:
    """The pane in the chain: the node held by a ``TabPane``; else (the tab bar, nothing focused)
    the pane of the screen's active tab; else the screen."""
    for node in chain:
        if isinstance(node.parent, TabPane):
            return node
    for tabs in [*(n for n in chain if isinstance(n, TabbedContent)), *screen.query(TabbedContent)]:
        if tabs.active:
            tab = tabs.get_pane(tabs.active)
            return tab.children[0] if tab.children else tab
    return screen


def _note(row: KeyRow, taken: dict[str, str], focused: DOMNode | None) -> KeyRow:
    """Say which of a row's keys do not reach it here: taken by a nearer binding or typed into the field."""
    notes = []
    for key, shown_as in zip(row.keys, row.display.split(", ")):
        if key in taken:
            notes.append(f"here {shown_as} is {taken[key]}")
        elif focused is not None and focused is not row.node and isinstance(focused, Widget) \
                and focused.check_consume_key(key, key_to_character(key)):
            notes.append(f"{shown_as} is typed into the field")
    if not notes:
        return row
    return KeyRow(row.node, row.binding, row.keys, row.display, row.own, note="; ".join(notes))


def context_sections(screen: Screen, *, elsewhere_too: bool = True) -> list[KeySection]:
    """The keys of ``screen`` where its focus is: here, this pane/screen, everywhere (and, with
    ``elsewhere_too``, the keys of the pane's other widgets)."""
    chain = focus_chain(screen)
    pane = pane_of(chain, screen)
    app_at = chain.index(screen.app) if screen.app in chain else len(chain)
    if pane in chain:
        cut = chain.index(pane)
        groups = [chain[:cut], chain[cut:app_at], chain[app_at:]]
    else:  # the tab bar or nothing focused: the tab bar's keys here, then the active pane's and the screen's
        at_screen = chain.index(screen) if screen in chain else app_at
        groups = [chain[:at_screen], [n for n in [pane] if n is not None] + chain[at_screen:app_at], chain[app_at:]]
    focused = screen.focused
    taken: dict[str, str] = {}
    sections = []
    for title, nodes in zip(_titles(screen, groups, pane), groups):
        section = KeySection(title)
        for node in nodes:
            for row in node_rows(node):
                section.rows.append(_note(row, taken, focused))
            for row in node_rows(node):
                for key in row.keys:
                    taken.setdefault(key, row.description)
        sections.append(section)
    if pane is not None and elsewhere_too:
        sections[1].subgroups = elsewhere(pane, chain)
    return sections


def _titles(screen: Screen, groups: list[list[DOMNode]], pane: DOMNode | None) -> list[str]:
    here = next((n for n in groups[0] if any(r.own for r in node_rows(n))), groups[0][0] if groups[0] else None)
    return [
        f"Here: {node_title(here)}" if here is not None else "Here",
        node_title(pane) if pane is not None else node_title(screen),
        "Everywhere",
    ]


def elsewhere(pane: DOMNode, chain: list[DOMNode]) -> list[tuple[str, list[KeyRow]]]:
    """Other widgets of the pane with keys of their own (``tab`` reaches them), by name."""
    groups = []
    for widget in pane.query(Widget):
        if widget in chain or not widget.display or not own_actions(widget):
            continue
        rows = [row for row in node_rows(widget) if row.own]
        if rows:
            groups.append((f"in the {node_title(widget).lower()}", rows))
    return groups
