"""Small modal dialogs: a question with a few answers, and a path prompt.

Each answer has a key (its first letter by default) so the dialog works
without a mouse; escape always means "cancel".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Key
from textual.widgets import Button, Input, Label, Static

from tuitrain.ui.screens.dialogs.form_dialog import ModalBase


class ChoiceDialog(ModalBase[str]):
    """Ask one question; dismiss with the value of the chosen answer (``"cancel"`` on escape)."""

    DEFAULT_CSS = """
    ChoiceDialog > Vertical {
        width: 64; max-width: 100%; height: auto;
        padding: 1 2;
    }
    ChoiceDialog #question { width: 100%; margin-bottom: 1; }
    ChoiceDialog Horizontal { height: auto; width: 100%; }
    ChoiceDialog Button { margin-right: 1; width: auto; min-width: 10; }
    """
    BINDINGS = [Binding("escape", "dismiss('cancel')", "Cancel")]

    def __init__(self, question: str, choices: list[tuple[str, str, str]], *, title: str = "") -> None:
        """``choices``: (key, label, value); the first one is the default (focused)."""
        super().__init__()
        self.question = question
        self.choices = choices
        self.dialog_title = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box") as box:
            box.border_title = self.dialog_title
            yield Static(self.question, id="question")
            with Horizontal():
                for i, (key, label, value) in enumerate(self.choices):
                    variant = "primary" if i == 0 else ("error" if value in ("discard", "stop") else "default")
                    yield Button(Text(f"{label} ({key})"), id=f"choice-{value}", variant=variant)

    def on_mount(self) -> None:
        self.query(Button).first().focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(str(event.button.id).removeprefix("choice-"))

    def on_key(self, event: Key) -> None:
        for key, _label, value in self.choices:
            if event.key == key:
                event.stop()
                self.dismiss(value)
                return


class TrustDialog(ChoiceDialog):
    """Before a run whose preset reaches outside: every path it would write or read, and what else
    needs trust; ``"trust"`` starts it trusted for this run only, anything else does not start it."""

    def __init__(self, preset_name: str, reaches: list[str]) -> None:
        from tuitrain.common.safetext import clean

        shown = reaches[:12] + ([f"… and {len(reaches) - 12} more"] if len(reaches) > 12 else [])
        text = Text(f"{clean(preset_name)} reaches outside its run directory and folders:\n")
        for line in shown:
            text.append(f"  • {clean(line)}\n")
        text.append("\nTrust it for this run only? Read the preset first.")
        super().__init__("", [("n", "Don't start", "cancel"), ("t", "Trust and start", "trust")],
                         title="trust this preset?")
        self.question = text  # a Text: paths are shown as they are, never read as markup


class TextPrompt(ModalBase[Any]):
    """Ask for one line of text; dismiss with it (stripped, maybe empty) or None on escape."""

    DEFAULT_CSS = """
    TextPrompt > Vertical {
        width: 70; max-width: 100%; height: auto;
        padding: 1 2;
    }
    TextPrompt #hint { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]
    INPUT_ID = "text"

    def __init__(self, prompt: str, default: str = "", *, title: str = "") -> None:
        super().__init__()
        self.prompt = prompt
        self.default = default
        self.dialog_title = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box") as box:
            box.border_title = self.dialog_title
            yield Label(self.prompt)
            yield Input(self.default, id=self.INPUT_ID)
            yield Static("enter: OK · escape: cancel", id="hint")

    def result(self, text: str) -> Any:
        return text

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(self.result(event.value.strip()))


class PathPrompt(TextPrompt):
    """Ask for a file path (save as); dismiss with the path, or None when empty or on escape."""

    INPUT_ID = "path"

    def result(self, text: str) -> Path | None:
        return Path(text).expanduser() if text else None
