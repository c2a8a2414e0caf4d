"""Compile pane: optimizer and its hyper-parameters, loss, metrics, compile() and fit() options.

Every list comes from Keras (``tuitrain.introspect``): the optimizers it exports, the loss and
metric names its ``get`` accepts, the fields of ``Model.compile`` / ``Model.fit`` and of each
optimizer's and callback's constructor.  Each change becomes a new preset (``preset.copy()``)
recorded in the shared undo history and handed to ``app.update_preset``.  The core's mismatch
warnings (``tuitrain.model.check_warnings``) appear next to the field their ``Warn.path`` names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Label, OptionList, Select, SelectionList, Static, TabbedContent, TabPane, Tabs
from textual.widgets.option_list import Option

from tuitrain.form_values import format_value
from tuitrain.ui.widgets.forms import ParamForm
from tuitrain.undo import HistoryActions, shared_history

PANE_COMMANDS: list[tuple[str, str, str]] = [
    ("Choose optimizer", "Pick the optimizer and set its hyper-parameters", "focus_optimizer"),
    ("Choose loss", "Pick the loss function", "focus_loss"),
    ("Choose metrics", "Tick the metrics compile() tracks", "focus_metrics"),
    ("Add callback", "Add a Keras callback (EarlyStopping, ReduceLROnPlateau, …)", "add_callback"),
    ("Undo edit", "Undo the last preset edit (ctrl+z)", "undo"),
    ("Redo edit", "Redo the last undone edit (ctrl+y)", "redo"),
]

DEFAULT_OPTIMIZER = "rmsprop"  # what Model.compile uses when the preset names none


def typed(value: Any) -> tuple[str, dict[str, Any]]:
    """``"adam"`` or ``{type = "Adam", ...}`` → (name, arguments)."""
    if isinstance(value, dict):
        return str(value.get("type", "")), {k: v for k, v in value.items() if k != "type"}
    return str(value), {}


def describe_callback(value: Any) -> str:
    name, args = typed(value)
    inner = ", ".join(f"{k}={format_value(v)}" for k, v in args.items())
    return f"{name}({inner})"


class CallbackList(OptionList):
    """The preset's callbacks; keys add, edit and remove entries."""

    BINDINGS = [
        Binding("a", "add", "Add callback", id="compile.add_callback"),
        Binding("e", "edit", "Edit callback", id="compile.edit_callback"),
        Binding("d,delete", "remove", "Remove callback", id="compile.remove_callback"),
    ]

    def _pane(self) -> "CompilePane":
        return next(a for a in self.ancestors if isinstance(a, CompilePane))

    def action_add(self) -> None:
        self._pane().action_add_callback()

    def action_edit(self) -> None:
        if self.highlighted is not None:
            self._pane().edit_callback(self.highlighted)

    def action_remove(self) -> None:
        if self.highlighted is not None:
            self._pane().remove_callback(self.highlighted)


class CompilePane(HistoryActions, VerticalScroll, can_focus=False):
    """compile() options on top, fit() options and callbacks below, warnings beside each field."""

    DEFAULT_CSS = (Path(__file__).with_name("compile.tcss")).read_text(encoding="utf-8")
    BINDINGS = [
        Binding("ctrl+z", "undo", "Undo", id="compile.undo"),
        Binding("ctrl+y", "redo", "Redo", id="compile.redo"),
    ]

    def __init__(self) -> None:
        super().__init__(id="compile-pane")
        self._pushed: Any = None  # the preset this pane last handed to the app
        self._shown_key: Any = None

    # ------------------------------------------------------------------ building

    def compose(self) -> ComposeResult:
        self._shown_key = self._key()  # what these fields show; a different preset recomposes
        preset = getattr(self.app, "preset", None)
        if preset is None:
            yield Static("No preset loaded.", id="compile-empty")
            return
        if not getattr(self.app, "tf_ready", False):
            yield Static("Loading TensorFlow… (the Keras lists appear when it is ready)", id="compile-empty")
            return
        from tuitrain import keras_catalogue as I

        yield Static("", id="compile-warnings")
        with Horizontal(id="compile-columns"):
            with Vertical(id="compile-col"):
                yield from self._compile_fields(preset)
            with Vertical(id="fit-col"):
                yield from self._fit_fields(preset)

    def _compile_fields(self, preset: Any) -> ComposeResult:
        from tuitrain import keras_catalogue as I

        yield Static("compile()", classes="section-title")
        opt_name, opt_args = typed(preset.compile.get("optimizer", DEFAULT_OPTIMIZER))
        opt_class = self._optimizer_class(opt_name)
        names = I.optimizer_names()
        options = [(n, n) for n in names] + ([(opt_class, opt_class)] if opt_class not in names else [])
        with Horizontal(classes="field"):
            yield Label("optimizer", classes="field-name")
            with Vertical(classes="field-body"):
                yield Select(options, value=opt_class, allow_blank=False, id="optimizer", compact=True)
                yield Static("", id="warning-optimizer", classes="pane-warning")
        if opt_class in names:
            yield self._optimizer_form(opt_class, opt_args)

        loss_value, loss_args = self._loss_choice(preset.compile.get("loss"))
        loss_names = I.loss_names()
        loss_options = [(n, n) for n in loss_names]
        if loss_value is not None and loss_value not in loss_names:
            loss_options.insert(0, (loss_value, loss_value))
        with Horizontal(classes="field"):
            yield Label("loss", classes="field-name")
            with Vertical(classes="field-body"):
                yield Select(loss_options, value=loss_value if loss_value is not None else Select.NULL,
                             prompt="choose a loss", id="loss", compact=True)
                yield Static("", id="warning-loss", classes="pane-warning")
        if loss_value in loss_names and I.loss_class_name(loss_value):
            yield self._loss_form(loss_value, loss_args)

        metrics = [m for m in preset.compile.get("metrics", []) if isinstance(m, str)]
        metric_names = I.metric_names()
        extra = [m for m in metrics if m not in metric_names]
        with Horizontal(classes="field"):
            yield Label("metrics", classes="field-name")
            with Vertical(classes="field-body"):
                yield SelectionList(*[(m, m, m in metrics) for m in [*extra, *metric_names]], id="metrics")
                yield Static("", id="warning-metrics", classes="pane-warning")

        yield ParamForm(I.compile_params(), self._compile_values(preset), id="compile-form")

    def _fit_fields(self, preset: Any) -> ComposeResult:
        from tuitrain import keras_catalogue as I

        yield Static("fit()", classes="section-title")
        yield ParamForm(I.fit_params(), self._fit_values(preset), id="fit-form")
        with Horizontal(classes="field"):
            yield Label("callbacks", classes="field-name")
            with Vertical(classes="field-body"):
                yield CallbackList(*self._callback_options(preset), id="callbacks")
                yield Static("a add · e/enter edit · d remove", classes="hint")
                yield Static("", id="warning-callbacks", classes="pane-warning")

    @staticmethod
    def _loss_choice(loss: Any) -> tuple[str | None, dict[str, Any]]:
        """(the picker's entry, the options) for ``"name"`` or ``{ type = "Class", ... }``."""
        from tuitrain import keras_catalogue as I

        if loss is None:
            return None, {}
        if isinstance(loss, str):
            return loss, {}
        name, args = typed(loss)
        function = I.loss_function_name(name)
        return (function, args) if function else (format_value(loss), {})

    @staticmethod
    def _loss_form(loss: str, args: dict[str, Any]) -> ParamForm:
        from tuitrain import keras_catalogue as I

        cls_name = I.loss_class_name(loss)
        params = [p for p in I.constructor_params("loss", cls_name) if p.name != "name"]
        return ParamForm(params, args, folded=I.common_param_names("loss", cls_name), id="loss-form", classes="subform")

    @staticmethod
    def _optimizer_form(cls_name: str, args: dict[str, Any]) -> ParamForm:
        from tuitrain import keras_catalogue as I

        # `name` only labels the optimizer's variables; it is noise in this form.
        params = [p for p in I.constructor_params("optimizer", cls_name) if p.name != "name"]
        folded = I.common_param_names("optimizer", cls_name)
        return ParamForm(params, args, folded=folded, id="optimizer-form", classes="subform")

    def on_resize(self) -> None:
        self.set_class(self.size.width < 100, "-narrow")

    @staticmethod
    def _optimizer_class(name: str) -> str:
        from tuitrain import keras_catalogue as I

        return next((n for n in I.optimizer_names() if n.lower() == name.lower()), name)

    @staticmethod
    def _compile_values(preset: Any) -> dict[str, Any]:
        values = {k: preset.compile[k] for k in ("loss_weights", "weighted_metrics", "run_eagerly",
                                                 "steps_per_execution") if k in preset.compile}
        if isinstance(preset.compile.get("jit_compile"), bool):
            values["jit_compile"] = "true" if preset.compile["jit_compile"] else "false"
        return values

    @staticmethod
    def _fit_values(preset: Any) -> dict[str, Any]:
        values = {k: preset.fit[k] for k in ("epochs", "batch_size", "shuffle") if k in preset.fit}
        if "validation_split" in preset.data:
            values["validation_split"] = preset.data["validation_split"]
        return values

    @staticmethod
    def _callback_options(preset: Any) -> list[Option]:
        callbacks = preset.fit.get("callbacks", [])
        if not callbacks:
            return [Option(Text("(none: press a to add EarlyStopping, ReduceLROnPlateau, …)", style="dim"), disabled=True)]
        return [Option(describe_callback(cb)) for cb in callbacks]

    def on_mount(self) -> None:
        self.watch(self.app, "preset", self._preset_changed, init=False)
        self.watch(self.app, "tf_ready", self._preset_changed, init=False)
        self.watch(self.app, "dataset", self._show_warnings, init=False)
        self.watch(self.app, "build_report", self._show_warnings, init=False)
        if self._key() != self._shown_key:
            self.call_later(self._preset_changed)
        self._show_warnings()

    def _in_active_tab(self) -> bool:
        tab = next((a for a in self.ancestors if isinstance(a, TabPane)), None)
        tabs = next((a for a in self.ancestors if isinstance(a, TabbedContent)), None)
        return tab is None or tabs is None or tabs.active == tab.id

    def _key(self) -> Any:
        preset = getattr(self.app, "preset", None)
        ready = bool(getattr(self.app, "tf_ready", False))
        if preset is None:
            return (None, ready)
        return (repr((preset.compile, preset.fit, preset.data.get("validation_split"))), ready)

    async def _preset_changed(self, *_: Any) -> None:
        preset = getattr(self.app, "preset", None)
        key = self._key()
        if preset is not None and preset is self._pushed:
            self._shown_key = key  # our own edit: the fields already show it
        elif key != self._shown_key:
            self._shown_key = key
            focused = self.app.focused
            had_focus = focused is None or focused in self.query("*") or (
                isinstance(focused, Tabs) and self._in_active_tab())
            await self.recompose()
            if had_focus and self.query("#optimizer"):
                self.query_one("#optimizer").focus()
        self._show_warnings()

    # ------------------------------------------------------------------ warnings

    def _show_warnings(self, *_: Any) -> None:
        preset = getattr(self.app, "preset", None)
        if preset is None or not self.query("#compile-warnings") or not self.query("#warning-loss"):
            return  # not composed yet, or mid-recompose: _preset_changed shows them once it is done
        from tuitrain.model import check_warnings

        try:
            report = getattr(self.app, "build_report", None)
            warns = check_warnings(preset, getattr(self.app, "dataset", None), getattr(report, "model", None))
        except Exception as err:  # noqa: BLE001 - a warning check must never break the pane
            warns = []
            self.log.warning(f"check_warnings failed: {err}")
        for note in self.query(".pane-warning"):
            note.update("")
            note.remove_class("-shown")
        for form in self.query(ParamForm):
            form.clear_warnings()
        general = []
        for warn in warns:
            if not self._place_warning(warn.path, warn.message):
                general.append(f"⚠ {warn.path}: {warn.message}")
        for box in self.query("#compile-warnings"):
            box.update("\n".join(general))
            box.set_class(bool(general), "-shown")

    def _place_warning(self, path: str, message: str) -> bool:
        """Show ``message`` next to the field ``path`` names (``compile.loss``, ``fit.epochs``...)."""
        section, _, rest = path.partition(".")
        key = rest.split(".")[0].split("[")[0]
        beside_pickers = {("compile", "optimizer"), ("compile", "loss"), ("compile", "metrics"), ("fit", "callbacks")}
        if (section, key) in beside_pickers:
            notes = self.query(f"#warning-{key}")  # absent while the pane recomposes
            if not notes:
                return False
            notes.first().update(f"⚠ {message}")
            notes.first().add_class("-shown")
            return True
        form_id = {"compile": "#compile-form", "fit": "#fit-form", "data": "#fit-form"}.get(section)
        if form_id and self.query(form_id):
            form = self.query_one(form_id, ParamForm)
            if form.has_field(key):
                form.set_warning(key, f"⚠ {message}")
                return True
        return False

    # ------------------------------------------------------------------ editing

    def _commit(self, change: Callable[[Any], None]) -> None:
        """Apply ``change`` to a copy of the preset; record it for undo; hand it to the app."""
        before = getattr(self.app, "preset", None)
        if before is None:
            return
        after = before.copy()
        change(after)
        if after.to_dict() == before.to_dict():
            return
        shared_history(self.app).record(before, after)
        self._pushed = after
        self.app.update_preset(after)

    @on(Select.Changed, "#optimizer")
    async def _optimizer_changed(self, event: Select.Changed) -> None:
        from tuitrain import keras_catalogue as I

        event.stop()
        new = str(event.value)
        preset = self.app.preset
        old_name, old_args = typed(preset.compile.get("optimizer", DEFAULT_OPTIMIZER))
        if self._optimizer_class(old_name) == new:
            return
        accepted = {p.name for p in I.constructor_params("optimizer", new)}
        args = {k: v for k, v in old_args.items() if k in accepted}  # e.g. keep learning_rate

        def change(p: Any) -> None:
            p.compile["optimizer"] = {"type": new, **args} if args else new

        self._commit(change)
        for old in self.query("#optimizer-form"):
            await old.remove()
        await self.query_one("#compile-col").mount(self._optimizer_form(new, args), after=self.query_one("#optimizer").parent.parent)

    @on(ParamForm.Changed, "#optimizer-form")
    def _optimizer_arg(self, event: ParamForm.Changed) -> None:
        event.stop()
        form = event.form
        args, errors = form.non_default_values()

        def change(p: Any) -> None:
            name, _ = typed(p.compile.get("optimizer", DEFAULT_OPTIMIZER))
            cls = self._optimizer_class(name)
            p.compile["optimizer"] = {"type": cls, **args} if args else cls

        if event.name not in errors:
            self._commit(change)

    @on(Select.Changed, "#loss")
    async def _loss_changed(self, event: Select.Changed) -> None:
        from tuitrain import keras_catalogue as I

        event.stop()
        value = event.value
        shown, _ = self._loss_choice(self.app.preset.compile.get("loss"))
        if value is Select.NULL or value == shown:
            return
        self._commit(lambda p: p.compile.__setitem__("loss", str(value)))
        for old in self.query("#loss-form"):
            await old.remove()
        if I.loss_class_name(str(value)):
            await self.query_one("#compile-col").mount(self._loss_form(str(value), {}), after=self.query_one("#loss").parent.parent)

    @on(ParamForm.Changed, "#loss-form")
    def _loss_option(self, event: ParamForm.Changed) -> None:
        from tuitrain import keras_catalogue as I

        event.stop()
        args, errors = event.form.non_default_values()
        if event.name in errors:
            return

        def change(p: Any) -> None:
            name, _ = self._loss_choice(p.compile.get("loss"))
            if name is None:
                return
            p.compile["loss"] = {"type": I.loss_class_name(name), **args} if args else name

        self._commit(change)

    @on(SelectionList.SelectedChanged, "#metrics")
    def _metrics_changed(self, event: SelectionList.SelectedChanged) -> None:
        event.stop()
        chosen = [str(v) for v in event.selection_list.selected]

        def change(p: Any) -> None:
            tables = [m for m in p.compile.get("metrics", []) if not isinstance(m, str)]
            metrics = chosen + tables
            if metrics:
                p.compile["metrics"] = metrics
            else:
                p.compile.pop("metrics", None)

        self._commit(change)

    @on(ParamForm.Changed, "#compile-form")
    def _compile_arg(self, event: ParamForm.Changed) -> None:
        event.stop()
        values, errors = event.form.non_default_values()
        if event.name in errors:
            return
        value = values.get(event.name)
        if event.name == "weighted_metrics" and isinstance(value, str):
            value = [value]
        if event.name == "jit_compile":
            value = {"true": True, "false": False}.get(value)  # "auto"/default: leave it to Keras

        def change(p: Any) -> None:
            if value is None:
                p.compile.pop(event.name, None)
            else:
                p.compile[event.name] = value

        self._commit(change)

    @on(ParamForm.Changed, "#fit-form")
    def _fit_arg(self, event: ParamForm.Changed) -> None:
        event.stop()
        values, errors = event.form.non_default_values()
        if event.name in errors:
            return
        value = values.get(event.name)
        if event.name == "validation_split" and event.value is not None:
            value = event.value  # 0.0 is a real choice in [data]: no validation split

        def change(p: Any) -> None:
            section = p.data if event.name == "validation_split" else p.fit
            if value is None:
                section.pop(event.name, None)
            else:
                section[event.name] = value

        self._commit(change)

    # ------------------------------------------------------------------ callbacks

    def _callbacks(self) -> list:
        return [dict(cb) if isinstance(cb, dict) else {"type": cb} for cb in self.app.preset.fit.get("callbacks", [])]

    def _set_callbacks(self, callbacks: list, highlight: int | None) -> None:
        def change(p: Any) -> None:
            if callbacks:
                p.fit["callbacks"] = callbacks
            else:
                p.fit.pop("callbacks", None)

        self._commit(change)
        listing = self.query_one("#callbacks", CallbackList)
        listing.set_options(self._callback_options(self.app.preset))
        if callbacks and highlight is not None:
            listing.highlighted = max(0, min(highlight, len(callbacks) - 1))

    def action_add_callback(self) -> None:
        from tuitrain.ui.screens.callback_form import CallbackFormScreen

        if getattr(self.app, "preset", None) is None or not getattr(self.app, "tf_ready", False):
            self.notify("Wait for TensorFlow to load.", severity="warning")
            return

        def done(row: dict | None) -> None:
            if row is not None:
                callbacks = self._callbacks()
                self._set_callbacks([*callbacks, row], len(callbacks))

        self.app.push_screen(CallbackFormScreen(), done)

    def edit_callback(self, index: int) -> None:
        from tuitrain.ui.screens.callback_form import CallbackFormScreen

        callbacks = self._callbacks()
        if not 0 <= index < len(callbacks):
            return

        def done(row: dict | None) -> None:
            if row is not None:
                callbacks[index] = row
                self._set_callbacks(callbacks, index)

        self.app.push_screen(CallbackFormScreen(callbacks[index], title=f"Edit callback {callbacks[index]['type']}"), done)

    def remove_callback(self, index: int) -> None:
        callbacks = self._callbacks()
        if 0 <= index < len(callbacks):
            del callbacks[index]
            self._set_callbacks(callbacks, index)

    @on(OptionList.OptionSelected, "#callbacks")
    def _callback_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.edit_callback(event.option_index)

    # ------------------------------------------------------------------ palette actions

    def _focus(self, selector: str) -> None:
        found = self.query(selector)
        if found:
            found.first().focus()

    def action_focus_optimizer(self) -> None:
        self._focus("#optimizer")

    def action_focus_loss(self) -> None:
        self._focus("#loss")

    def action_focus_metrics(self) -> None:
        self._focus("#metrics")
