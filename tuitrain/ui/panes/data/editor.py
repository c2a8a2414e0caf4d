"""The data editor at the top of the Data pane: the [data] table as rows a keyboard can edit.

Rows: the source, its options and the validation split (one form, from the source's own
signature: ``tuitrain.data.params``), the preprocessing steps in order, and "add a step".
``enter``/``e`` edits the highlighted row, ``a`` adds a step after it, ``d`` removes a step,
``shift+↑``/``shift+↓`` move it, ``ctrl+z``/``ctrl+y`` undo and redo. Every change goes through
``app.edit_preset``, so it is undone like any other edit, and the app reloads the tensors and
rebuilds the model in its workers.
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
from tuitrain.ui.history import HistoryActions

COMMON_KEYS = ("source", "validation_split", "preprocess")


def _steps(data: dict[str, Any]) -> list[Any]:
    steps = data.get("preprocess", [])
    return list(steps) if isinstance(steps, list) else []


def source_option_values(data: dict[str, Any]) -> dict[str, Any]:
    """The options the [data] table sets for its source (everything but the common keys)."""
    return {k: v for k, v in data.items() if k not in COMMON_KEYS}


def with_options(data: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """[data] with its source options and validation split replaced by ``values``; source and steps kept."""
    out: dict[str, Any] = {"source": data.get("source")}
    out.update({k: v for k, v in values.items() if k != "validation_split"})
    if "validation_split" in values:
        out["validation_split"] = values["validation_split"]
    if "preprocess" in data:
        out["preprocess"] = data["preprocess"]
    return out


def with_source(data: dict[str, Any], source: str, options: dict[str, Any], accepted: set[str]) -> dict[str, Any]:
    """[data] for a new source: the old options the new source still takes, then the chosen ones."""
    kept = {k: v for k, v in source_option_values(data).items() if k in accepted}
    out: dict[str, Any] = {"source": source, **kept, **options}
    for key in ("validation_split", "preprocess"):
        if key in data:
            out[key] = data[key]
    return out


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
            text = ", ".join(f"{k}={_short(v)}" for k, v in options.items()) or "defaults"
            rows.append(self._row("options", "options", text))
            split = data.get("validation_split")
            rows.append(self._row("split", "val split", "source's" if split is None else f"{split:g}"))
            for i, step in enumerate(_steps(data)):
                rows.append(self._row(f"step-{i}", f"{i + 1}.", _step_text(step)))
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

        self.app.push_screen(ParamDialog(f"Options of {source}", params, values, summary=_source_summary(source)), done)

    def edit_step(self, index: int) -> None:
        from tuitrain.ui.screens.dialogs.step_form import StepFormScreen

        preset = self.app.preset
        if preset is None or index >= len(_steps(preset.data)):
            return
        step = _steps(preset.data)[index]
        step = step if isinstance(step, dict) else {"op": str(step)}

        def done(row: dict | None) -> None:
            if row is not None:
                self.app.edit_preset(lambda p: _set_steps(p, lambda steps: steps.__setitem__(index, row)))

        self.app.push_screen(StepFormScreen(step, title=f"Edit step {index + 1} ({step.get('op')})"), done)

    def action_add_step(self) -> None:
        from tuitrain.ui.screens.dialogs.step_form import StepFormScreen

        if self.app.preset is None:
            return
        index = self._step_index()
        at = index + 1 if index is not None else len(_steps(self.app.preset.data))

        def done(row: dict | None) -> None:
            if row is not None:
                self.app.edit_preset(lambda p: _set_steps(p, lambda steps: steps.insert(at, row)))
                self.highlighted = 3 + at

        self.app.push_screen(StepFormScreen(title=f"Add a preprocessing step ({at + 1}.)"), done)

    def action_remove_step(self) -> None:
        index = self._step_index()
        if index is None:
            self.notify("Highlight a preprocessing step to remove it.")
            return
        self.app.edit_preset(lambda p: _set_steps(p, lambda steps: steps.pop(index)))

    def action_move_step(self, delta: int) -> None:
        index = self._step_index()
        if index is None or self.app.preset is None:
            return
        target = index + delta
        if not 0 <= target < len(_steps(self.app.preset.data)):
            return

        def move(steps: list) -> None:
            steps.insert(target, steps.pop(index))

        if self.app.edit_preset(lambda p: _set_steps(p, move)):
            self.highlighted = 3 + target


def _set_steps(preset: Any, change) -> None:
    steps = _steps(preset.data)
    change(steps)
    if steps:
        preset.data["preprocess"] = steps
    else:
        preset.data.pop("preprocess", None)


def _short(value: Any) -> str:
    from tuitrain.catalogue.form_values import format_value

    text = format_value(value)
    return text if len(text) <= 24 else text[:23] + "…"


def _step_text(step: Any) -> str:
    from tuitrain.catalogue.form_values import format_value

    if not isinstance(step, dict):
        return str(step)
    args = ", ".join(f"{k}={format_value(v)}" for k, v in step.items() if k != "op")
    return f"{step.get('op', '?')}({args})"


def _source_option_names(source: str) -> list[str]:
    from tuitrain.data import options_for

    return list(options_for(source))


def _source_summary(source: str) -> str:
    kind = source.split(":", 1)[0]
    return {
        "synthetic": "Options of the generator; the preset's seed makes the samples.",
        "sklearn": "Arguments of scikit-learn's loader.",
        "keras": "Arguments of the Keras loader.",
        "file": "How to read the file; relative paths are relative to the preset's folder.",
        "folder": "How to read the images (one subfolder per class).",
    }.get(kind, "") + " validation_split: the fraction held out (unset: the source's test split, else 0.2)."
