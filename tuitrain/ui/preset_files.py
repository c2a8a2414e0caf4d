"""New, open, save, reload and "unsaved changes?" for the app's preset (the app's file actions)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import work

from tuitrain.common.errors import TuitrainError
from tuitrain.ui.messages import StarterFailed, StarterMade

if TYPE_CHECKING:
    from tuitrain.preset import Preset
    from tuitrain.ui.screens.new_preset import SourceChoice


def is_bundled(path: Path | None) -> bool:
    from tuitrain.preset import PRESETS_DIR

    try:
        return path is not None and path.resolve().parent == PRESETS_DIR.resolve()
    except OSError:
        return False


class PresetFileActions:
    """Mixed into ``TuitrainApp``: ctrl+n / ctrl+o / ctrl+s / F12 / ctrl+r and opening a run's preset."""

    async def _confirm_discard(self, doing: str) -> bool:
        """With unsaved changes ask save / discard / cancel; True when it is fine to go on."""
        if not self.modified or self.preset is None:
            return True
        from tuitrain.ui.screens import ChoiceDialog

        answer = await self.push_screen_wait(
            ChoiceDialog(
                f"{self.preset.name} has unsaved changes. Save them before you {doing}?",
                [("s", "Save", "save"), ("d", "Discard", "discard"), ("c", "Cancel", "cancel")],
                title="Unsaved changes",
            )
        )
        if answer == "save":
            return await self._save(ask_path=False)
        return answer == "discard"

    @work(exclusive=True, group="dialog")
    async def action_new_preset(self) -> None:
        """Choose data, get a starter model fitted to it; the preset stays unsaved until ctrl+s."""
        from tuitrain.ui.screens.new_preset import NewPresetScreen

        if not await self._confirm_discard("start a new preset"):
            return
        choice = await self.push_screen_wait(NewPresetScreen())
        if choice is not None:
            self._show_status(f"reading {choice.source} for a new preset…")
            self._make_starter(choice)

    @work(thread=True, exclusive=True, group="starter", exit_on_error=False)
    def _make_starter(self, choice: SourceChoice) -> None:
        from tuitrain.ui.background import _import_tensorflow

        try:
            _import_tensorflow()  # keras: sources load through Keras
            from tuitrain.starter import starter_preset

            starter = starter_preset(choice.source, choice.options, base_dir=Path.cwd())
        except TuitrainError as err:
            self.post_message(StarterFailed(str(err)))
        except Exception as err:  # noqa: BLE001 - a loader's own failure is shown, the app keeps going
            self.post_message(StarterFailed(f"{choice.source}: {type(err).__name__}: {err}"))
        else:
            self.post_message(StarterMade(starter))

    def on_starter_made(self, message: StarterMade) -> None:
        starter = message.starter
        self.preset_path = None  # ctrl+s asks where to save it
        self.clear_preset_message()
        self.history.clear()  # the old preset's edits do not apply to this one
        self.update_preset(starter.preset, modified=True)
        self.action_show_pane("data")
        self.notify(f"{starter.profile.describe()}. Unsaved: ctrl+s asks where to save it.", title="new preset", timeout=8)

    def on_starter_failed(self, message: StarterFailed) -> None:
        self._show_status("no new preset (see the message)")
        self.notify(message.message, title="cannot start from this data", severity="error", timeout=12)

    @work(exclusive=True, group="dialog")
    async def action_open_preset(self) -> None:
        from tuitrain.ui.screens import OpenPresetScreen

        if not await self._confirm_discard("open another preset"):
            return
        path = await self.push_screen_wait(OpenPresetScreen())
        if path is not None:
            self.load_preset_path(path)

    @work(exclusive=True, group="dialog")
    async def open_preset_object(self, preset: Preset, *, source: str, pane: str | None = None) -> None:
        """Make a preset that was not opened from a file (a run's) the current, unsaved one.

        Asks about unsaved changes first, and forgets ``preset_path``: ctrl+s must ask where to
        save instead of overwriting the file that was open before.
        """
        if not await self._confirm_discard(f"open the preset of {source}"):
            return
        self.preset_path = None
        self.clear_preset_message()
        self.update_preset(preset, modified=True)
        self.notify(f"editing the preset of {source} (unsaved: ctrl+s asks where to save it)")
        if pane is not None:
            self.action_show_pane(pane)

    @work(exclusive=True, group="dialog")
    async def action_reload(self) -> None:
        if self.preset_path is None:
            self.notify("nothing to reload: open a preset first (ctrl+o)", severity="warning")
            return
        if not await self._confirm_discard("reload it from disk"):
            return
        if self.load_preset_path(self.preset_path):
            self.notify(f"reloaded {self.preset_path.name}")

    @work(exclusive=True, group="dialog")
    async def action_save(self) -> None:
        await self._save(ask_path=False)

    @work(exclusive=True, group="dialog")
    async def action_save_as(self) -> None:
        await self._save(ask_path=True)

    async def _save(self, *, ask_path: bool) -> bool:
        """Save atomically (comments kept); bundled presets and new ones ask for a path."""
        from tuitrain.preset import save_preset
        from tuitrain.ui.screens import PathPrompt

        if self.preset is None:
            self.notify("no valid preset to save", severity="error")
            return False
        path = self.preset_path
        if ask_path or path is None or is_bundled(path):
            default = path.name if path is not None else f"{self.preset.name}.toml"
            if is_bundled(path) or path is None:
                default = str(Path.cwd() / default)
            elif path is not None:
                default = str(path)
            path = await self.push_screen_wait(PathPrompt("Save the preset to:", default, title="Save as"))
            if path is None:
                return False
        preset = self.preset.copy()
        if self.preset_path is None:  # made in the app: its relative data paths start from here
            from tuitrain.starter import rebase_data_paths

            preset.data = rebase_data_paths(preset.data, preset.base_dir, Path(path).expanduser().resolve().parent)
        try:
            saved = save_preset(preset, path)
        except (TuitrainError, OSError) as err:
            self.notify(str(err), title="not saved", severity="error", timeout=10)
            return False
        self.preset_path = saved
        self.update_preset(preset, modified=False)
        self.notify(f"saved {saved}")
        return True
