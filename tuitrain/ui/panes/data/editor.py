"""The data editor at the top of the Data pane: the [data] table as rows a keyboard can edit.

Rows: the source, its options and the validation split (one form, from the source's own
signature: ``tuitrain.data.params``), the preprocessing steps in order, and "add a step".
``enter``/``e`` edits the highlighted row, ``a`` adds a step after it, ``d`` removes a step,
``shift+↑``/``shift+↓`` move it, ``ctrl+z``/``ctrl+y`` undo and redo. Every change goes through
``app.edit_preset``, so it is undone like any other edit, and the app reloads the tensors and
rebuilds the model in its workers.  The rules (what an edit does to the table, the rows' words)
are ``tuitrain.editing.data_table``; this widget only maps keys and dialogs to them.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tuitrain.ui.widgets.lists import SteadyPaging
from tuitrain.common.errors import TuitrainError
from tuitrain.editing.data_table import (
    insert_step, moved, remove_step, replace_step, set_steps, short_value, source_option_values, source_summary,
    step_text, steps, with_options, with_source,
)
from tuitrain.ui.history import HistoryActions

class DataEditor(HistoryActions, SteadyPaging, OptionList):
    """The rows of the preset's [data] table; see the module docstring for the keys."""

    BINDINGS = [
        Binding("e", "edit", "Edit", id="data.edit_row"),
        Binding("a", "add_step", "Add step", id="data.add_step"),
        Binding("d,delete", "remove_step", "Remove step", id="data.remove_step"),
        Binding("shift+up", "move_step(-1)", "Step up", id="data.step_up"),
        Binding("shift+down", "move_step(1)", "Step down", id="data.step_down"),
        Binding("ctrl+z", "undo", "Undo", show=False, id="data.undo"),
        Binding("ctrl+y", "redo", "Redo", show=False, id="data.redo"),
    ]

    def on_mount(self) -> None:
        self.watch(self.app, "preset", self._show)

    # ------------------------------------------------------------------ rows

    def _show(self, preset: Any) -> None:
        keep = self.highlighted
        data = preset.data if preset is not None else {}
        rows = []
        if preset is not None:
            rows.append(self._row("source", "source", str(data.get("source", "?"))))
            options = source_option_values(data)
            text = ", ".join(f"{k}={short_value(v)}" for k, v in options.items()) or "defaults"
            rows.append(self._row("options", "options", text))
            split = data.get("validation_split")
            rows.append(self._row("split", "val split", "source's" if split is None else f"{split:g}"))
            for i, step in enumerate(steps(data)):
                rows.append(self._row(f"step-{i}", f"{i + 1}.", step_text(step)))
            rows.append(Option(Text("+ add a step (a)", style="italic"), id="add-step"))
        self.set_options(rows)
        if rows:
            self.highlighted = min(keep if keep is not None else 0, len(rows) - 1)

    @staticmethod
    def _row(key: str, label: str, value: str) -> Option:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"{label} ", style="bold")
        text.append(value)
        return Option(text, id=key)

    def _highlighted_id(self) -> str | None:
        option = self.highlighted_option
        return str(option.id) if option is not None else None

    def _step_index(self) -> int | None:
        key = self._highlighted_id()
        return int(key.removeprefix("step-")) if key and key.startswith("step-") else None

    # ------------------------------------------------------------------ editing

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_edit()

    def action_edit(self) -> None:
        key = self._highlighted_id()
        if key == "source":
            self.edit_source()
        elif key in ("options", "split"):
            self.edit_options()
        elif key == "add-step":
            self.action_add_step()
        elif key is not None and key.startswith("step-"):
            self.edit_step(int(key.removeprefix("step-")))

    def edit_source(self) -> None:
        from tuitrain.ui.screens.new_preset import NewPresetScreen, SourceChoice

        def done(choice: SourceChoice | None) -> None:
            if choice is None or self.app.preset is None:
                return
            try:
                accepted = set(_source_option_names(choice.source))
            except TuitrainError as err:
                self.notify(str(err), title="data source", severity="error")
                return
            self.app.edit_preset(lambda p: setattr(p, "data", with_source(p.data, choice.source, choice.options, accepted)))

        self.app.push_screen(NewPresetScreen(title="Data source"), done)

    def edit_options(self) -> None:
        from tuitrain.data.params import source_params, split_param
        from tuitrain.ui.screens.dialogs.param_dialog import ParamDialog

        preset = self.app.preset
        if preset is None:
            return
        source = str(preset.data.get("source", ""))
        try:
            params = [*source_params(source), split_param()]
        except TuitrainError as err:
            self.notify(str(err), title="data source", severity="error")
            return
        values = {**source_option_values(preset.data)}
        if "validation_split" in preset.data:
            values["validation_split"] = preset.data["validation_split"]

        def done(result: dict | None) -> None:
            if result is not None:
                self.app.edit_preset(lambda p: setattr(p, "data", with_options(p.data, result)))

        self.app.push_screen(ParamDialog(f"Options of {source}", params, values, summary=source_summary(source)), done)

    def edit_step(self, index: int) -> None:
        from tuitrain.ui.screens.dialogs.step_form import StepFormScreen

        preset = self.app.preset
        if preset is None or index >= len(steps(preset.data)):
            return
        step = steps(preset.data)[index]
        step = step if isinstance(step, dict) else {"op": str(step)}

        def done(row: dict | None) -> None:
            if row is not None:
                self.app.edit_preset(lambda p: replace_step(p.data, index, row))

        self.app.push_screen(StepFormScreen(step, title=f"Edit step {index + 1} ({step.get('op')})"), done)

    def action_add_step(self) -> None:
        from tuitrain.ui.screens.dialogs.step_form import StepFormScreen

        if self.app.preset is None:
            return
        index = self._step_index()
        at = index + 1 if index is not None else len(steps(self.app.preset.data))

        def done(row: dict | None) -> None:
            if row is not None:
                self.app.edit_preset(lambda p: insert_step(p.data, at, row))
                self.highlighted = 3 + at

        self.app.push_screen(StepFormScreen(title=f"Add a preprocessing step ({at + 1}.)"), done)

    def action_remove_step(self) -> None:
        index = self._step_index()
        if index is None:
            self.notify("Highlight a preprocessing step to remove it.")
            return
        self.app.edit_preset(lambda p: remove_step(p.data, index))

    def action_move_step(self, delta: int) -> None:
        index = self._step_index()
        preset = self.app.preset
        if index is None or preset is None:
            return
        new_steps = moved(steps(preset.data), index, delta)
        if new_steps is None:
            return
        if self.app.edit_preset(lambda p: set_steps(p.data, new_steps)):
            self.highlighted = 3 + index + delta


def _source_option_names(source: str) -> list[str]:
    from tuitrain.data import options_for

    return list(options_for(source))
