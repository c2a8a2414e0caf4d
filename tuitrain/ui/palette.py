"""Command palette provider: every app action plus each pane's PANE_ACTIONS, with their current keys."""

from __future__ import annotations

from functools import partial
from typing import Any, Callable

from textual import on
from textual.message import Message
from textual.widgets import Input, LoadingIndicator, OptionList
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider

from tuitrain.ui.app_access import AppAccess
from tuitrain.ui.keys import action_keys, with_keys
from tuitrain.ui.panes import PANES, pane_class, pane_commands

# (title, help, app action)
APP_COMMANDS: list[tuple[str, str, str]] = [
    *[(f"Show {info.title} pane", f"switch to the {info.title} pane", f"show_pane('{info.id}')") for info in PANES],
    ("New preset…", "start from data: synthetic, scikit-learn, Keras cache, a file or folder (ctrl+n)", "new_preset"),
    ("Open preset…", "choose a bundled preset or a .toml file", "open_preset"),
    ("Save preset", "write the preset to its file (comments kept)", "save"),
    ("Save preset as…", "write the preset to a new file", "save_as"),
    ("Reload preset", "read the preset file again (after fixing it in an editor)", "reload"),
    ("Keys", "show every key", "help"),
    ("Quit", "leave tuitrain", "quit"),
]


class TuitrainCommands(AppAccess, Provider):
    """Offers what the app and its panes can do, by name."""

    def _commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        app = self.app
        out = [(title, with_keys(help_, action_keys(app, app.BINDINGS, action)), partial(app.run_action, action))
               for title, help_, action in APP_COMMANDS]
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
                out.append((title, help_, partial(app.run_pane_command, info.id, command.action)))
        return out

    async def discover(self) -> Hits:
        for title, help_, command in self._commands():
            yield DiscoveryHit(title, command, help=help_)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_, command in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), command, text=title, help=help_)


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
