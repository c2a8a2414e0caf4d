"""The Compile pane's phases editor (beside the fit options): ``[[phases]]`` rows and their keys.

Each row is a fine-tuning phase (epochs, learning rate, what it unfreezes); ``a`` adds one, ``e``
or enter edits the highlighted one in a form, ``d`` removes it. The pane applies the change
through the app's one edit door (``tuitrain.editing.phases`` holds the rules).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tuitrain.catalogue.params import Param
from tuitrain.editing.phases import PHASE_FIELDS, layer_names, phase_text
from tuitrain.preset.phases import phase_starts


def phase_options(preset: Any) -> list[Option]:
    phases = preset.phases
    if not phases:
        return [Option(Text("(one phase: fit's epochs. a adds a fine-tuning phase)", style="dim"), disabled=True)]
    return [Option(phase_text(phase, i, start)) for i, (phase, start) in enumerate(zip(phases, phase_starts(phases)))]


def phase_params(preset: Any) -> list[Param]:
    """The phase form: epochs, learning rate, the layer to unfreeze (a choice of named rows), top."""
    names = tuple(layer_names(preset))
    out = []
    for name, annotation, doc in PHASE_FIELDS:
        default = 1 if name == "epochs" else None
        choices = names if name == "unfreeze_layer" else ()
        out.append(Param(name, default=default, annotation=annotation, choices=choices, doc=doc))
    return out


class PhaseList(OptionList):
    """The preset's phases; keys add, edit and remove entries."""

    BINDINGS = [
        Binding("a", "add", "Add phase", id="compile.add_phase"),
        Binding("e", "edit", "Edit phase", id="compile.edit_phase"),
        Binding("d,delete", "remove", "Remove phase", id="compile.remove_phase"),
    ]

    class Requested(Message):
        """Add, edit or remove a phase: the pane that owns the preset acts on it."""

        def __init__(self, what: str, index: int | None = None) -> None:
            super().__init__()
            self.what = what
            self.index = index

    def action_add(self) -> None:
        self.post_message(self.Requested("add"))

    def action_edit(self) -> None:
        if self.highlighted is not None and self.get_option_at_index(self.highlighted).disabled is False:
            self.post_message(self.Requested("edit", self.highlighted))

    def action_remove(self) -> None:
        if self.highlighted is not None and self.get_option_at_index(self.highlighted).disabled is False:
            self.post_message(self.Requested("remove", self.highlighted))


class PhaseEditing:
    """The Compile pane's handling of :class:`PhaseList` requests (a mixin: the pane stays short)."""

    def _set_phases(self: Any, phases: list[dict[str, Any]], highlight: int | None) -> None:
        from tuitrain.editing.phases import set_phases

        self._commit(lambda p: set_phases(p, phases))
        listing = self.query_one("#phases", PhaseList)
        listing.set_options(phase_options(self.app.preset))
        if phases and highlight is not None:
            listing.highlighted = max(0, min(highlight, len(phases) - 1))

    def _phase_form(self: Any, phase: dict[str, Any] | None, title: str, done: Any) -> None:
        from tuitrain.editing.phases import form_values, phase_from_form
        from tuitrain.ui.screens.dialogs.param_dialog import ParamDialog

        summary = ("A phase continues the same run: epochs count on, the optimizer is rebuilt, and the layer named"
                   " here becomes trainable (its last `top` layers; BatchNormalization stays frozen).")
        self.app.push_screen(ParamDialog(title, phase_params(self.app.preset), form_values(phase), summary=summary),
                             lambda values: done(None if values is None else phase_from_form(values)))

    def on_phase_list_requested(self: Any, event: PhaseList.Requested) -> None:
        from tuitrain.editing.phases import add_phase, phase_rows

        event.stop()
        if self.app.preset is None:
            return
        phases = phase_rows(self.app.preset)
        if event.what == "add":
            def added(phase: dict[str, Any] | None) -> None:
                if phase is not None:
                    self._commit(lambda p: add_phase(p, phase))
                    self.query_one("#phases", PhaseList).set_options(phase_options(self.app.preset))

            self._phase_form(None, f"Add phase {max(2, len(phases) + 1)}", added)
        elif event.index is not None and event.what == "edit" and event.index < len(phases):
            def edited(phase: dict[str, Any] | None) -> None:
                if phase is not None:
                    phases[event.index] = phase
                    self._set_phases(phases, event.index)

            self._phase_form(phases[event.index], f"Edit phase {event.index + 1}", edited)
        elif event.index is not None and event.what == "remove" and event.index < len(phases):
            del phases[event.index]
            self._set_phases(phases, event.index)
