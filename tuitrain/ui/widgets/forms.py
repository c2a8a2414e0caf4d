"""A form built from a constructor signature (``keras_params.Param``), shared by every editor.

One row per argument: booleans as a ``Switch``, arguments with a Keras registry or a listed set of
values (``activation``, ``kernel_initializer``, ``padding``) as a ``Select``, everything else as
text read as a TOML literal (``form_values.parse_form_value``, never ``eval``).  Defaults show as the
placeholder, so an empty field means "Keras' default" and only changed values reach the preset.
Entries are checked as they are typed and the reason is shown under the field.
"""

from __future__ import annotations

from typing import Any, Iterable

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Collapsible, Input, Label, Select, Static, Switch

from tuitrain.catalogue.form_values import format_value, non_default_args, one_int_in_parentheses_hint
from tuitrain.catalogue.form_values import parse_form_value as parse_value
from tuitrain.catalogue.params import Param

# Shown in a Select's blank entry: the argument is left to Keras' default.
_UNSET = "default"


def field_id(name: str) -> str:
    return f"field-{name}"


class ParamForm(Vertical):
    """Fields for ``params`` holding ``values`` (the preset's arguments; missing = default).

    Posts ``ParamForm.Changed`` when a field gets a new valid value (on Enter or leaving a text
    field, at once for switches and selects), which the live editors (Compile pane) apply.
    """

    DEFAULT_CSS = """
    ParamForm { height: auto; }
    ParamForm .field { height: auto; margin: 0 0 0 0; }
    ParamForm .field:focus-within { background: $boost; }
    ParamForm .field:focus-within > .field-name { text-style: bold reverse; }
    ParamForm .field-name { width: 24; padding: 0 1 0 0; text-style: bold; text-wrap: nowrap; text-overflow: ellipsis; }
    ParamForm .field-body { height: auto; width: 1fr; }
    ParamForm .field-body > Input { width: 1fr; }
    ParamForm .field-body > Select { width: 1fr; }
    ParamForm .switch-row { height: 1; }
    ParamForm .switch-row > Switch { height: 1; border: none; padding: 0; width: 6; }
    ParamForm .switch-state { width: 1fr; padding-left: 1; color: $text-muted; }
    ParamForm .field-error { color: $error; height: auto; display: none; }
    ParamForm .field-error.-shown { display: block; }
    ParamForm .field-warning { color: $warning; height: auto; display: none; }
    ParamForm .field-warning.-shown { display: block; }
    ParamForm Input.-invalid { color: $error; }
    ParamForm Collapsible.folded { border: none; padding: 0; background: transparent; }
    ParamForm Collapsible.folded > Contents { padding: 0; }
    ParamForm CollapsibleTitle { text-wrap: nowrap; text-overflow: ellipsis; width: 1fr; color: $text-muted; padding: 0; }
    """

    class Changed(Message):
        """A field now holds ``value`` (None: back to the default)."""

        def __init__(self, form: "ParamForm", name: str, value: Any) -> None:
            super().__init__()
            self.form = form
            self.name = name
            self.value = value

        @property
        def control(self) -> "ParamForm":
            return self.form

    def __init__(
        self,
        params: Iterable[Param],
        values: dict[str, Any] | None = None,
        *,
        first: Iterable[str] = (),
        folded: Iterable[str] = (),
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        params = list(params)
        lead = [p for name in first for p in params if p.name == name]
        required = [p for p in params if p.required and p not in lead]
        rest = [p for p in params if p not in lead and p not in required]
        folded_names = set(folded) - {p.name for p in required} - {p.name for p in lead}
        self.params: list[Param] = [*required, *lead, *[p for p in rest if p.name not in folded_names],
                                    *[p for p in rest if p.name in folded_names]]
        self.folded = [p for p in self.params if p.name in folded_names]
        self._by_name = {p.name: p for p in self.params}
        self.initial: dict[str, Any] = dict(values or {})
        # Last value each field reported, so Enter/blur without a change posts nothing.
        self._reported: dict[str, Any] = {p.name: self.initial.get(p.name) for p in self.params}

    # ------------------------------------------------------------------ building

    def compose(self) -> ComposeResult:
        for p in self.params:
            if p not in self.folded:
                yield from self._field(p)
        if self.folded:
            names = [p.name for p in self.folded]
            expanded = any(self.initial.get(n) is not None for n in names)
            with Collapsible(title="more: " + ", ".join(names), collapsed=not expanded, classes="folded"):
                for p in self.folded:
                    yield from self._field(p)

    def _field(self, p: Param) -> ComposeResult:
        with Horizontal(classes="field", id=f"row-{p.name}"):
            yield Label(p.name + ("*" if p.required else ""), classes="field-name")
            with Vertical(classes="field-body"):
                control = self._control(p, self.initial.get(p.name))
                if isinstance(control, Switch):
                    with Horizontal(classes="switch-row"):
                        yield control
                        yield Static(self._switch_text(p, control.value), id=f"state-{p.name}", classes="switch-state")
                else:
                    yield control
                yield Static("", classes="field-error", id=f"error-{p.name}")
                yield Static("", classes="field-warning", id=f"warning-{p.name}")

    def _control(self, p: Param, value: Any) -> Widget:
        tip = p.doc or None
        if p.annotation == "bool" and (value is None or isinstance(value, bool)):
            on_ = value if value is not None else bool(p.default)
            switch = Switch(value=on_, id=field_id(p.name), tooltip=tip)
            return switch
        if p.choices and (value is None or (isinstance(value, str) and value in p.choices)):
            prompt = format_value(p.default) if p.has_default and p.default is not None else (
                "choose…" if p.required else _UNSET)
            return Select(
                [(c, c) for c in p.choices],
                prompt=prompt,
                allow_blank=True,
                value=value if value is not None else Select.NULL,
                id=field_id(p.name),
                tooltip=tip,
                compact=True,
            )
        placeholder = format_value(p.default) if p.has_default and p.default is not None else (
            "required" if p.required else "")
        if p.annotation == "tuple" and p.size:
            placeholder = placeholder or f"{p.size} integers, e.g. {', '.join(['3'] * p.size)}"
        return Input(
            value=format_value(value),
            placeholder=placeholder,
            id=field_id(p.name),
            tooltip=tip,
            compact=True,
        )

    # ------------------------------------------------------------------ reading

    def _read(self, p: Param) -> Any:
        """The field's value (None = default); ValueError with the reason when it does not parse."""
        control = self.query_one(f"#{field_id(p.name)}")
        if isinstance(control, Switch):
            return control.value
        if isinstance(control, Select):
            return None if control.value is Select.NULL else control.value
        assert isinstance(control, Input)
        return parse_value(control.value, p)

    def read_all(self) -> tuple[dict[str, Any], dict[str, str]]:
        """(values that are set, errors by field); required fields left empty are errors."""
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for p in self.params:
            try:
                value = self._read(p)
            except ValueError as err:
                errors[p.name] = str(err)
                continue
            if value is None:
                if p.required:
                    errors[p.name] = f"{p.name} is required"
                continue
            values[p.name] = value
        return values, errors

    def non_default_values(self) -> tuple[dict[str, Any], dict[str, str]]:
        """Only what differs from the signature defaults (what a preset should hold), and errors."""
        values, errors = self.read_all()
        return non_default_args(self.params, values), errors

    def validate_all(self) -> bool:
        _, errors = self.read_all()
        for p in self.params:
            self.set_error(p.name, errors.get(p.name, ""))
        if errors:
            first = next(p.name for p in self.params if p.name in errors)
            for folded in self.query(Collapsible):  # an error in a folded field must be seen; others stay folded
                if any(folded.query(f"#{field_id(name)}") for name in errors):
                    folded.collapsed = False
            self.call_after_refresh(self.query_one(f"#{field_id(first)}").focus)
        return not errors

    # ------------------------------------------------------------------ messages shown by fields

    def set_error(self, name: str, message: str) -> None:
        self._set_note(f"#error-{name}", message)
        control = self.query(f"#{field_id(name)}")
        if control:
            control.first().set_class(bool(message), "-invalid")

    def set_warning(self, name: str, message: str) -> None:
        self._set_note(f"#warning-{name}", message)

    def clear_warnings(self) -> None:
        for note in self.query(".field-warning"):
            assert isinstance(note, Static)
            note.update("")
            note.remove_class("-shown")

    def _set_note(self, selector: str, message: str) -> None:
        notes = self.query(selector)
        if not notes:
            return
        note = notes.first()
        assert isinstance(note, Static)
        note.update(message)
        note.set_class(bool(message), "-shown")

    def focus_first(self) -> None:
        """Focus the first field on show (required ones come first), or nothing when there is none."""
        visible = [p for p in self.params if p not in self.folded] or self.params
        if visible:
            self.query_one(f"#{field_id(visible[0].name)}").focus()

    def has_field(self, name: str) -> bool:
        return name in self._by_name

    # ------------------------------------------------------------------ events

    def _param_of(self, widget: Widget) -> Param | None:
        wid = widget.id or ""
        return self._by_name.get(wid[len("field-"):]) if wid.startswith("field-") else None

    def _report(self, p: Param) -> None:
        try:
            value = self._read(p)
        except ValueError as err:
            self.set_error(p.name, str(err))
            return
        self.set_error(p.name, f"{p.name} is required" if value is None and p.required else "")
        if value != self._reported.get(p.name) or type(value) is not type(self._reported.get(p.name)):
            self._reported[p.name] = value
            self.post_message(self.Changed(self, p.name, value))

    @on(Input.Changed)
    def _check_typing(self, event: Input.Changed) -> None:
        p = self._param_of(event.input)
        if p is None:
            return
        event.stop()
        try:
            parse_value(event.value, p)
        except ValueError as err:
            self.set_error(p.name, str(err))
        else:
            self.set_error(p.name, "")
        self.set_warning(p.name, one_int_in_parentheses_hint(event.value, p))

    @on(Input.Blurred)
    def _commit_on_blur(self, event: Input.Blurred) -> None:
        p = self._param_of(event.input)
        if p is not None:
            self._report(p)

    @on(Input.Submitted)
    def _commit_on_enter(self, event: Input.Submitted) -> None:
        p = self._param_of(event.input)
        if p is not None:
            self._report(p)  # the event bubbles on: a dialog treats Enter as "OK"

    @staticmethod
    def _switch_text(p: Param, on_: bool) -> str:
        state = "on" if on_ else "off"
        default = p.has_default and isinstance(p.default, bool) and p.default is on_
        return f"{state} (default)" if default else state

    @on(Switch.Changed)
    def _switch(self, event: Switch.Changed) -> None:
        p = self._param_of(event.switch)
        if p is not None:
            event.stop()
            self.query_one(f"#state-{p.name}", Static).update(self._switch_text(p, event.value))
            self._report(p)

    @on(Select.Changed)
    def _select(self, event: Select.Changed) -> None:
        p = self._param_of(event.select)
        if p is not None:
            event.stop()
            self._report(p)
