"""Compile pane: optimizer and its hyper-parameters, loss, metrics, compile() and fit() options.

Every list comes from Keras (``tuitrain.catalogue.registry``): the optimizers it exports, the loss and
metric names its ``get`` accepts; the fields of ``Model.compile`` / ``Model.fit`` and of each
optimizer's and callback's constructor come from its signatures (``tuitrain.catalogue.params``).
This module lays the fields out, recomposes them when another preset arrives, and turns each
field's change into one edit through the app's door
(``app.edit_preset``, which records undo).  The pieces beside it: ``compile_optimizer``,
``compile_pickers`` (loss and metrics lists), ``compile_outputs`` (several outputs),
``compile_callbacks``, ``compile_values`` (preset → fields), ``compile_edits`` (fields → preset)
and ``compile_warnings`` (the core's mismatch warnings next to the field each names).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, OptionList, Select, Static, TabbedContent, TabPane, Tabs

from tuitrain.ui.history import HistoryActions
from tuitrain.ui.pane_actions import PaneAction, bindings
from tuitrain.ui.panes.compile.callbacks import CallbackList, callback_options
from tuitrain.ui.panes.compile.metric_tables import MetricTableEditing, MetricTableList, table_options
from tuitrain.ui.panes.compile.phases import PhaseEditing, PhaseList, phase_options
from tuitrain.editing.compile_edits import (
    callback_rows, compile_arg, set_callbacks, set_compile_arg, set_fit_arg, set_learning_rate, set_loss,
    set_loss_args, set_metrics, set_optimizer, set_optimizer_args,
)
from tuitrain.ui.panes.compile.optimizer import CONSTANT, optimizer_fields, optimizer_form, schedule_form
from tuitrain.editing.compile_outputs import output_names, output_value, parse_weight, set_output_value
from tuitrain.ui.panes.compile.outputs import per_output_fields
from tuitrain.ui.panes.compile.pickers import LossPicker, MetricsPicker, loss_form
from tuitrain.editing.compile_values import (
    compile_values, fit_values, loss_choice, metric_names, optimizer_class,
)
from tuitrain.preset.values import optimizer_value, typed
from tuitrain.ui.panes.compile.warnings import show_warnings
from tuitrain.ui.widgets.forms import ParamForm

PANE_ACTIONS = [
    PaneAction("focus_optimizer", title="Choose optimizer", help="Pick the optimizer and set its hyper-parameters"),
    PaneAction("focus_loss", title="Choose loss", help="Pick the loss function"),
    PaneAction("focus_metrics", title="Choose metrics", help="Tick the metrics compile() tracks"),
    PaneAction("focus_epochs", title="Set epochs", help="Type the number of epochs fit() trains for"),
    PaneAction("add_callback", title="Add callback", help="Add a Keras callback (EarlyStopping, ReduceLROnPlateau, …)"),
    PaneAction("add_phase", title="Add phase",
               help="Add a fine-tuning phase: more epochs, unfreeze a backbone, a new learning rate"),
    PaneAction("undo", "ctrl+z", "Undo", "Undo edit", "Undo the last preset edit", "compile.undo"),
    PaneAction("redo", "ctrl+y", "Redo", "Redo edit", "Redo the last undone edit", "compile.redo"),
]


class CompilePane(PhaseEditing, MetricTableEditing, HistoryActions, VerticalScroll, can_focus=False):
    """compile() options on top, fit() options and callbacks below, warnings beside each field."""

    DEFAULT_CSS = (Path(__file__).with_name("compile.tcss")).read_text(encoding="utf-8")
    BINDINGS = bindings(PANE_ACTIONS)

    def __init__(self) -> None:
        super().__init__(id="compile-pane")
        self._pushed: Any = None  # the preset this pane last handed to the app
        self._shown_key: Any = None

    # ------------------------------------------------------------------ building

    def compose(self) -> ComposeResult:
        self._shown_key = self._key()  # what these fields show; a different preset recomposes
        preset = self.app.preset
        if preset is None:
            yield Static(self.app.notice or "No preset loaded.", id="compile-empty", markup=False)
            return
        if not self.app.tf_ready:
            yield Static("Loading TensorFlow… (the Keras lists appear when it is ready)", id="compile-empty")
            return
        yield Static("", id="compile-warnings")
        with Horizontal(id="compile-columns"):
            with Vertical(id="compile-col"):
                yield from self._compile_fields(preset)
            with Vertical(id="fit-col"):
                yield from self._fit_fields(preset)

    def _compile_fields(self, preset: Any) -> ComposeResult:
        from tuitrain.catalogue import registry as I
        from tuitrain.catalogue import params as keras_params

        yield Static("compile()", classes="section-title")
        yield from optimizer_fields(preset)
        if output_names(preset):
            yield from per_output_fields(preset)
            yield ParamForm(keras_params.compile_params(), compile_values(preset), id="compile-form")
            return

        loss_value, loss_args = loss_choice(preset.compile.get("loss"))
        loss_names = I.loss_names()
        yield LossPicker(loss_value, loss_names)
        if loss_value in loss_names and I.loss_class_name(loss_value):
            yield loss_form(loss_value, loss_args)
        yield MetricsPicker(metric_names(preset), I.metric_names())
        with Horizontal(classes="field"):
            yield Label("with args", classes="field-name")
            with Vertical(classes="field-body"):
                yield MetricTableList(*table_options(preset), id="metric-tables")
                yield Static("a add (AUC, Precision, F1Score …) · e edit · d remove", classes="hint")
        yield ParamForm(keras_params.compile_params(), compile_values(preset), id="compile-form")

    def _fit_fields(self, preset: Any) -> ComposeResult:
        from tuitrain.catalogue import params as keras_params

        yield Static("fit()", classes="section-title")
        params = keras_params.fit_params()
        if preset.phases:  # the phases set the epochs
            params = [p for p in params if p.name not in ("epochs", "initial_epoch")]
        yield ParamForm(params, fit_values(preset), id="fit-form")
        with Horizontal(classes="field"):
            yield Label("phases", classes="field-name")
            with Vertical(classes="field-body"):
                yield PhaseList(*phase_options(preset), id="phases")
                yield Static("a add · e/enter edit · d remove", classes="hint")
        with Horizontal(classes="field"):
            yield Label("callbacks", classes="field-name")
            with Vertical(classes="field-body"):
                yield CallbackList(*callback_options(preset), id="callbacks")
                yield Static("a add · e/enter edit · d remove", classes="hint")
                yield Static("", id="warning-callbacks", classes="pane-warning")

    def on_resize(self) -> None:
        self.set_class(self.size.width < 100, "-narrow")

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
        preset = self.app.preset
        ready = self.app.tf_ready
        if preset is None:
            return (None, ready)
        return (repr((preset.compile, preset.fit, preset.phases, preset.data.get("validation_split"))), ready)

    async def _preset_changed(self, *_: Any) -> None:
        preset = self.app.preset
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
        show_warnings(self)

    # ------------------------------------------------------------------ editing

    def _commit(self, change: Callable[[Any], None]) -> None:
        """Apply ``change`` through the app's one door (recorded for undo unless it is a no-op)."""
        if self.app.edit_preset(change):
            self._pushed = self.app.preset  # our own edit: the fields already show it

    @on(Select.Changed, "#optimizer")
    async def _optimizer_changed(self, event: Select.Changed) -> None:
        from tuitrain.catalogue import params as keras_params

        event.stop()
        new = str(event.value)
        preset = self.app.preset
        old_name, old_args = typed(optimizer_value(preset.compile))
        if optimizer_class(old_name) == new:
            return
        accepted = {p.name for p in keras_params.constructor_params("optimizer", new)}
        args = {k: v for k, v in old_args.items() if k in accepted}  # e.g. keep learning_rate
        self._commit(lambda p: set_optimizer(p, new, args))
        for old in self.query("#optimizer-form"):
            await old.remove()
        await self.query_one("#compile-col").mount(optimizer_form(new, args), after=self.query_one("#optimizer").parent.parent)

    @on(ParamForm.Changed, "#optimizer-form")
    def _optimizer_arg(self, event: ParamForm.Changed) -> None:
        event.stop()
        args, errors = event.form.non_default_values()
        if event.name not in errors:
            self._commit(lambda p: set_optimizer_args(p, args))

    @on(Select.Changed, "#lr-schedule")
    async def _schedule_changed(self, event: Select.Changed) -> None:
        event.stop()
        name = str(event.value)
        _, opt_args = typed(optimizer_value(self.app.preset.compile))
        current = opt_args.get("learning_rate")
        if (typed(current)[0] if isinstance(current, dict) else CONSTANT) == name:
            return
        for old in self.query("#schedule-form"):
            await old.remove()
        if name == CONSTANT:
            start = typed(current)[1].get("initial_learning_rate") if isinstance(current, dict) else None
            self._commit(lambda p: set_learning_rate(p, start))
            return
        # The form opens with the current rate as the start; the schedule is set once its required fields are.
        start = current if isinstance(current, (int, float)) else None
        form = schedule_form(name, {"initial_learning_rate": start} if start is not None else {})
        await self.query_one("#compile-col").mount(form, after=self.query_one("#lr-schedule").parent.parent)
        self._schedule_from(form)

    @on(ParamForm.Changed, "#schedule-form")
    def _schedule_arg(self, event: ParamForm.Changed) -> None:
        event.stop()
        self._schedule_from(event.form)

    def _schedule_from(self, form: ParamForm) -> None:
        args, errors = form.non_default_values()
        if not errors:
            schedule = {"type": str(self.query_one("#lr-schedule").value), **args}
            self._commit(lambda p: set_learning_rate(p, schedule))

    @on(Select.Changed, ".output-loss")
    def _output_loss(self, event: Select.Changed) -> None:
        event.stop()
        out = str(event.select.id).removeprefix("loss-")
        if event.value is Select.NULL:
            return
        if loss_choice(output_value(self.app.preset, "loss", out))[0] == str(event.value):
            return
        self._commit(lambda p: set_output_value(p, "loss", out, str(event.value)))

    @on(Input.Changed, ".output-weight")
    def _output_weight(self, event: Input.Changed) -> None:
        event.stop()
        out = str(event.input.id).removeprefix("loss-weight-")
        weight = parse_weight(event.value)
        if weight is False or output_value(self.app.preset, "loss_weights", out) == weight:
            return
        self._commit(lambda p: set_output_value(p, "loss_weights", out, weight))

    @on(Input.Changed, ".output-metrics")
    def _output_metrics(self, event: Input.Changed) -> None:
        event.stop()
        out = str(event.input.id).removeprefix("metrics-")
        metrics = [m.strip() for m in event.value.split(",") if m.strip()]
        if (output_value(self.app.preset, "metrics", out) or []) == metrics:
            return
        self._commit(lambda p: set_output_value(p, "metrics", out, metrics))

    @on(LossPicker.Picked)
    async def _choose_loss(self, event: LossPicker.Picked) -> None:
        from tuitrain.catalogue import registry as I

        event.stop()
        value = event.loss
        shown, _ = loss_choice(self.app.preset.compile.get("loss"))
        if value == shown:
            return
        self._commit(lambda p: set_loss(p, value))
        event.picker.show_choice(value)
        for old in self.query("#loss-form"):
            await old.remove()
        if I.loss_class_name(value):
            await self.query_one("#compile-col").mount(loss_form(value, {}), after=event.picker)

    @on(ParamForm.Changed, "#loss-form")
    def _loss_option(self, event: ParamForm.Changed) -> None:
        event.stop()
        args, errors = event.form.non_default_values()
        if event.name not in errors:
            self._commit(lambda p: set_loss_args(p, args))

    @on(MetricsPicker.Changed)
    def _metrics_changed(self, event: MetricsPicker.Changed) -> None:
        event.stop()
        self._commit(lambda p: set_metrics(p, event.shown, event.ticked))

    @on(ParamForm.Changed, "#compile-form")
    def _compile_arg(self, event: ParamForm.Changed) -> None:
        event.stop()
        values, errors = event.form.non_default_values()
        if event.name in errors:
            return
        value = compile_arg(event.name, values.get(event.name))
        self._commit(lambda p: set_compile_arg(p, event.name, value))

    @on(ParamForm.Changed, "#fit-form")
    def _fit_arg(self, event: ParamForm.Changed) -> None:
        event.stop()
        values, errors = event.form.non_default_values()
        if event.name in errors:
            return
        value = values.get(event.name)
        if event.name == "validation_split" and event.value is not None:
            value = event.value  # 0.0 is a real choice in [data]: no validation split
        self._commit(lambda p: set_fit_arg(p, event.name, value))

    # ------------------------------------------------------------------ callbacks

    def _set_callbacks(self, callbacks: list, highlight: int | None) -> None:
        self._commit(lambda p: set_callbacks(p, callbacks))
        listing = self.query_one("#callbacks", CallbackList)
        listing.set_options(callback_options(self.app.preset))
        if callbacks and highlight is not None:
            listing.highlighted = max(0, min(highlight, len(callbacks) - 1))

    def action_add_callback(self) -> None:
        from tuitrain.ui.screens.dialogs.callback_form import CallbackFormScreen

        if self.app.preset is None or not self.app.tf_ready:
            self.notify("Wait for TensorFlow to load.", severity="warning")
            return

        def done(row: dict | None) -> None:
            if row is not None:
                callbacks = callback_rows(self.app.preset)
                self._set_callbacks([*callbacks, row], len(callbacks))

        self.app.push_screen(CallbackFormScreen(), done)

    def edit_callback(self, index: int) -> None:
        from tuitrain.ui.screens.dialogs.callback_form import CallbackFormScreen

        callbacks = callback_rows(self.app.preset)
        if not 0 <= index < len(callbacks):
            return

        def done(row: dict | None) -> None:
            if row is not None:
                callbacks[index] = row
                self._set_callbacks(callbacks, index)

        self.app.push_screen(CallbackFormScreen(callbacks[index], title=f"Edit callback {callbacks[index]['type']}"), done)

    def remove_callback(self, index: int) -> None:
        callbacks = callback_rows(self.app.preset)
        if 0 <= index < len(callbacks):
            del callbacks[index]
            self._set_callbacks(callbacks, index)

    @on(CallbackList.Requested)
    def _callback_requested(self, event: CallbackList.Requested) -> None:
        event.stop()
        if event.what == "add":
            self.action_add_callback()
        elif event.index is not None and event.what == "edit":
            self.edit_callback(event.index)
        elif event.index is not None and event.what == "remove":
            self.remove_callback(event.index)

    @on(OptionList.OptionSelected, "#metric-tables")
    def _metric_table_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.on_metric_table_list_requested(MetricTableList.Requested("edit", event.option_index))

    @on(OptionList.OptionSelected, "#phases")
    def _phase_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.on_phase_list_requested(PhaseList.Requested("edit", event.option_index))

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
        self._focus("#loss-search")

    def action_focus_metrics(self) -> None:
        self._focus("#metrics-search")

    def action_add_phase(self) -> None:
        self.on_phase_list_requested(PhaseList.Requested("add"))

    def action_focus_epochs(self) -> None:
        self._focus("#fit-form #field-epochs")

