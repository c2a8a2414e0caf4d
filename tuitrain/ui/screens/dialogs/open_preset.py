"""Open a preset: bundled presets and the working directory's *.toml, or any typed path."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from tuitrain.ui.widgets.lists import SteadyOptionList
from tuitrain.preset import bundled_presets
from tuitrain.ui.screens.dialogs.form_dialog import ModalBase


def preset_choices(cwd: Path | None = None) -> list[tuple[str, Path]]:
    """(label, path): bundled presets first, then ``*.toml`` files of the working directory."""
    out = [(f"{name:<14} {description}", path) for name, path, description in bundled_presets()]
    cwd = cwd or Path.cwd()
    for path in sorted(cwd.glob("*.toml")):
        if path.name == "pyproject.toml":
            continue
        out.append((f"./{path.name}", path))
    return out


class OpenPresetScreen(ModalBase[Path | None]):
    """Dismisses with the chosen preset's path, or None."""

    DEFAULT_CSS = """
    OpenPresetScreen > Vertical {
        width: 90%; max-width: 110; height: 90%;
        padding: 0 1;
    }
    OpenPresetScreen OptionList { height: 1fr; }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, cwd: Path | None = None) -> None:
        super().__init__()
        self.choices = preset_choices(cwd)

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box") as box:
            box.border_title = "Open preset"
            box.border_subtitle = "enter: open · escape: cancel"
            options = [Option(Text(label, no_wrap=True, overflow="ellipsis"), id=str(i)) for i, (label, _) in enumerate(self.choices)]
            yield SteadyOptionList(*options, id="preset-list")
            yield Label("or type a path:")
            yield Input(placeholder="path/to/preset.toml", id="preset-path")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[int(event.option.id)][1])

    @on(Input.Submitted)
    def _typed(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        self.dismiss(Path(text).expanduser() if text else None)
