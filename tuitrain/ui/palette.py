"""Command palette provider: every action of the screen the palette was opened on, with its current keys.

On the main screen: the app's commands, each pane's ``PANE_ACTIONS``, and the keys of the widgets
of the visible pane (the data editor, the callbacks list…).  On any other screen (runs, sweep):
that screen's keys and its widgets', read from their live bindings (``tuitrain.ui.context_keys``),
so a screen offers its actions here by binding them, with no list kept by hand.  What belongs to
the visible pane or screen ranks first.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Callable, NamedTuple

from textual import on
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, LoadingIndicator, OptionList, TabbedContent

from tuitrain.ui.app_access import AppAccess
from tuitrain.ui.context_keys import KeyRow, context_sections, node_title
from tuitrain.ui.keys import action_keys, with_keys
from tuitrain.ui.pane_actions import declared
from tuitrain.ui.panes import PANES, pane_class, pane_commands

# (title, help, app action)
APP_COMMANDS: list[tuple[str, str, str]] = [
    *[(f"Show {info.title} pane", f"switch to the {info.title} pane", f"show_pane('{info.id}')") for info in PANES],
    ("New preset…", "start from data: synthetic, scikit-learn, Keras cache, a file or folder", "new_preset"),
    ("Open preset…", "choose a bundled preset or a .toml file", "open_preset"),
    ("Save preset", "write the preset to its file (comments kept)", "save"),
    ("Save preset as…", "write the preset to a new file", "save_as"),
    ("Reload preset", "read the preset file again (after fixing it in an editor)", "reload"),
    ("Keys", "the keys that work here", "help"),
    ("Quit", "leave tuitrain", "quit"),
]
ELSEWHERE_RANK = 0.8  # score factor for actions of panes not on screen: the visible pane's come first


class Command(NamedTuple):
    title: str
    help: str
    run: Callable[[], Any]
    near: bool  # belongs to the visible pane or screen (ranked first)


class TuitrainCommands(AppAccess, Provider):
    """Offers what the app, the current screen and its panes can do, by name."""

    def _commands(self) -> list[Command]:
        app, main = self.app, self.screen is self.app.screen_stack[0]
        out = [Command(title, with_keys(help_, action_keys(app, app.BINDINGS, action)), partial(app.run_action, action),
                       near=False)
               for title, help_, action in APP_COMMANDS if main or not action.startswith("show_pane")]
        out += self._screen_commands()
        if main:
            out += self._pane_commands()
        return out

    def _pane_commands(self) -> list[Command]:
        app = self.app
        visible = next(iter(self.screen.query("#panes").results(TabbedContent)), None)
        out = []
        for info in PANES:
            try:
                commands = pane_commands(info)
                bindings = pane_class(info).BINDINGS
            except Exception:  # noqa: BLE001 - a pane that fails to import offers nothing
                continue
            for command in commands:
                title = command.title
                if not title.lower().startswith(info.title.lower()):
                    title = f"{info.title}: {title}"
                help_ = with_keys(command.help, action_keys(app, bindings, command.action))  # keys as bound now
                out.append(Command(title, help_, partial(app.run_pane_command, info.id, command.action),
                                   near=visible is not None and visible.active == info.id))
        return out

    def _screen_commands(self) -> list[Command]:
        """The keys of the focused widget, its pane or screen and that pane's other widgets, as commands."""
        panes = tuple(cls for cls in (_safe_pane_class(info) for info in PANES) if cls is not None)
        out, seen = [], set()
        for section in context_sections(self.screen)[:2]:
            for row in section.all_rows():
                if not row.own or isinstance(row.node, panes) or (row.node, row.action) in seen:
                    continue  # Textual's moving keys; panes' actions come from PANE_ACTIONS
                seen.add((row.node, row.action))
                if (command := self._row_command(row)) is not None:
                    out.append(command)
        return out

    def _row_command(self, row: KeyRow) -> Command | None:
        action = declared(row.binding)
        if action is not None and not action.title:
            return None  # declared as a key only
        where = node_title(row.node)
        if action is not None:  # its declared palette title and hint ("Chart: log / linear y")
            return Command(action.title, f"{action.help} ({row.display})", partial(self._run_row, row), near=True)
        return Command(f"{where}: {row.description}", f"{row.description} in the {where.lower()} ({row.display})",
                       partial(self._run_row, row), near=True)

    async def _run_row(self, row: KeyRow) -> None:
        node = row.node
        if isinstance(node, Widget) and node.focusable and node is not self.app.focused:
            node.focus()
        await self.app.run_action(row.action, node)

    def _ranked(self) -> list[Command]:
        """Read once per palette opening (the screen under it does not change while it is open)."""
        if getattr(self, "_ranked_cache", None) is None:
            self._ranked_cache = sorted(self._commands(), key=lambda c: not c.near)
        return self._ranked_cache

    async def discover(self) -> Hits:
        for command in self._ranked():
            yield DiscoveryHit(command.title, command.run, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._ranked():
            score = matcher.match(command.title)
            if score > 0:
                score *= 1.0 if command.near else ELSEWHERE_RANK
                yield Hit(score, matcher.highlight(command.title), command.run, text=command.title, help=command.help)


def _safe_pane_class(info) -> type | None:
    try:
        return pane_class(info)
    except Exception:  # noqa: BLE001 - a pane that fails to import offers nothing
        return None


class SteadyCommandPalette(CommandPalette):
    """Textual's palette, tolerant of keys that arrive before its hit list has a size or after it closed.

    Escape in a burst closes the palette while its search is still gathering hits; the search then
    shows them on a screen without widgets (``NoMatches``), so the watchers look first.
    ``pagedown`` in a burst right after ``ctrl+p`` reaches the hit list before its first layout,
    where Textual's ``OptionList`` looks up a line it has not measured (``KeyError``); a list
    with no size yet has no page to move, so the key does nothing.
    """

    def _action_command_list(self, action: str) -> None:
        hits = next(iter(self.query(CommandList)), None)
        if hits is None or not hits.scrollable_content_region:
            return
        super()._action_command_list(action)

    def _watch__list_visible(self) -> None:
        if self.query(CommandList):
            super()._watch__list_visible()

    @on(OptionList.OptionSelected)
    @on(Input.Submitted)
    def _closed_palette_runs_nothing(self, event: Message) -> None:
        """A selection still queued when the palette closed (a second enter in a burst) would close it
        again and raise ``ScreenStackError``: once the palette is not on top, it does nothing."""
        if not self.is_active:
            event.stop()
            event.prevent_default()  # Textual's own handler (in the base class) is not called

    async def _watch__show_busy(self) -> None:
        if self.query(LoadingIndicator):
            await super()._watch__show_busy()
