"""Compile pane: optimizer and its hyper-parameters, loss, metrics, compile() and fit() options.

Every list comes from Keras (``tuitrain.keras_catalogue``): the optimizers it exports, the loss and
metric names its ``get`` accepts, the fields of ``Model.compile`` / ``Model.fit`` and of each
optimizer's and callback's constructor.  Each change becomes a new preset (``preset.copy()``)
recorded in the shared undo history and handed to ``app.update_preset``.  The core's mismatch
warnings (``tuitrain.model.check_warnings``) appear next to the field their ``Warn.path`` names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, OptionList, Select, SelectionList, Static, TabbedContent, TabPane, Tabs
from textual.widgets.option_list import Option

from tuitrain.ui.panes.compile_callbacks import CallbackList, callback_options
from tuitrain.ui.panes.compile_values import (
    DEFAULT_OPTIMIZER, compile_values, fit_values, loss_choice, optimizer_class, typed,
)
from tuitrain.ui.panes.compile_outputs import (
    CONSTANT, output_names, parse_weight, per_output_fields, schedule_fields, schedule_form, set_output_value,
)
from tuitrain.ui.panes.compile_warnings import show_warnings
from tuitrain.ui.history import HistoryActions
from tuitrain.ui.screens.layer_form import rank_names
from tuitrain.ui.widgets.forms import ParamForm

PANE_COMMANDS: list[tuple[str, str, str]] = [
    ("Choose optimizer", "Pick the optimizer and set its hyper-parameters", "focus_optimizer"),
    ("Choose loss", "Pick the loss function", "focus_loss"),
    ("Choose metrics", "Tick the metrics compile() tracks", "focus_metrics"),
    ("Set epochs", "Type the number of epochs fit() trains for", "focus_epochs"),
    ("Add callback", "Add a Keras callback (EarlyStopping, ReduceLROnPlateau, …)", "add_callback"),
    ("Undo edit", "Undo the last preset edit", "undo"),
    ("Redo edit", "Redo the last undone edit", "redo"),
]

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
        preset = self.app.preset
        if preset is None:
            yield Static("No preset loaded.", id="compile-empty")
            return
        if not self.app.tf_ready:
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
        opt_class = optimizer_class(opt_name)
        names = I.optimizer_names()
        options = [(n, n) for n in names] + ([(opt_class, opt_class)] if opt_class not in names else [])
        with Horizontal(classes="field"):
            yield Label("optimizer", classes="field-name")
            with Vertical(classes="field-body"):
                yield Select(options, value=opt_class, allow_blank=False, id="optimizer", compact=True)
                yield Static("", id="warning-optimizer", classes="pane-warning")
        if opt_class in names:
            yield self._optimizer_form(opt_class, {k: v for k, v in opt_args.items() if not isinstance(v, dict)})
        yield from schedule_fields(opt_args.get("learning_rate"))
        if output_names(preset):
            yield from per_output_fields(preset)
            yield ParamForm(I.compile_params(), compile_values(preset), id="compile-form")
            return

        loss_value, loss_args = loss_choice(preset.compile.get("loss"))
        loss_names = I.loss_names()
        self._loss_names = ([loss_value] if loss_value is not None and loss_value not in loss_names else []) + loss_names
        with Horizontal(classes="field"):
            yield Label("loss", classes="field-name")
            with Vertical(classes="field-body"):
                yield Input(placeholder="search losses (enter picks)", id="loss-search", compact=True)
                loss_list = OptionList(*self._loss_options(""), id="loss")
                if loss_value is not None:
                    loss_list.highlighted = self._loss_names.index(loss_value)
                yield loss_list
                yield Static("", id="warning-loss", classes="pane-warning")
        if loss_value in loss_names and I.loss_class_name(loss_value):
            yield self._loss_form(loss_value, loss_args)

        metrics = [m for m in preset.compile.get("metrics", []) if isinstance(m, str)]
        metric_names = I.metric_names()
        extra = [m for m in metrics if m not in metric_names]
        self._metric_names = [*extra, *metric_names]
        with Horizontal(classes="field"):
            yield Label("metrics", classes="field-name")
            with Vertical(classes="field-body"):
                yield Input(placeholder="search metrics (enter ticks)", id="metrics-search", compact=True)
                yield SelectionList(*[(m, m, m in metrics) for m in [*extra, *metric_names]], id="metrics")
                yield Static("", id="warning-metrics", classes="pane-warning")

        yield ParamForm(I.compile_params(), compile_values(preset), id="compile-form")

    def _fit_fields(self, preset: Any) -> ComposeResult:
        from tuitrain import keras_catalogue as I

        yield Static("fit()", classes="section-title")
        yield ParamForm(I.fit_params(), fit_values(preset), id="fit-form")
        with Horizontal(classes="field"):
            yield Label("callbacks", classes="field-name")
            with Vertical(classes="field-body"):
                yield CallbackList(*callback_options(preset), id="callbacks")
                yield Static("a add · e/enter edit · d remove", classes="hint")
                yield Static("", id="warning-callbacks", classes="pane-warning")

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
        return (repr((preset.compile, preset.fit, preset.data.get("validation_split"))), ready)

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
        from tuitrain import keras_catalogue as I

        event.stop()
        new = str(event.value)
        preset = self.app.preset
        old_name, old_args = typed(preset.compile.get("optimizer", DEFAULT_OPTIMIZER))
        if optimizer_class(old_name) == new:
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
            name, old = typed(p.compile.get("optimizer", DEFAULT_OPTIMIZER))
            cls = optimizer_class(name)
            kept = {k: v for k, v in old.items() if isinstance(v, dict) and k not in args}  # a schedule
            new = {**args, **kept}
            p.compile["optimizer"] = {"type": cls, **new} if new else cls

        if event.name not in errors:
            self._commit(change)

    @on(Select.Changed, "#lr-schedule")
    async def _schedule_changed(self, event: Select.Changed) -> None:
        event.stop()
        name = str(event.value)
        _, opt_args = typed(self.app.preset.compile.get("optimizer", DEFAULT_OPTIMIZER))
        current = opt_args.get("learning_rate")
        if (typed(current)[0] if isinstance(current, dict) else CONSTANT) == name:
            return
        for old in self.query("#schedule-form"):
            await old.remove()
        if name == CONSTANT:
            start = typed(current)[1].get("initial_learning_rate") if isinstance(current, dict) else None
            self._set_learning_rate(start)
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
            self._set_learning_rate({"type": str(self.query_one("#lr-schedule").value), **args})

    def _set_learning_rate(self, value: Any) -> None:
        def change(p: Any) -> None:
            name, args = typed(p.compile.get("optimizer", DEFAULT_OPTIMIZER))
            args = {k: v for k, v in args.items() if k != "learning_rate"}
            if value is not None:
                args["learning_rate"] = value
            cls = optimizer_class(name)
            p.compile["optimizer"] = {"type": cls, **args} if args else cls

        self._commit(change)

    @on(Select.Changed, ".output-loss")
    def _output_loss(self, event: Select.Changed) -> None:
        event.stop()
        out = str(event.select.id).removeprefix("loss-")
        if event.value is Select.NULL:
            return
        if loss_choice(_current(self.app.preset, "loss", out))[0] == str(event.value):
            return
        self._commit(lambda p: set_output_value(p, "loss", out, str(event.value)))

    @on(Input.Changed, ".output-weight")
    def _output_weight(self, event: Input.Changed) -> None:
        event.stop()
        out = str(event.input.id).removeprefix("loss-weight-")
        weight = parse_weight(event.value)
        if weight is False or _current(self.app.preset, "loss_weights", out) == weight:
            return
        self._commit(lambda p: set_output_value(p, "loss_weights", out, weight))

    @on(Input.Changed, ".output-metrics")
    def _output_metrics(self, event: Input.Changed) -> None:
        event.stop()
        out = str(event.input.id).removeprefix("metrics-")
        metrics = [m.strip() for m in event.value.split(",") if m.strip()]
        if (_current(self.app.preset, "metrics", out) or []) == metrics:
            return
        self._commit(lambda p: set_output_value(p, "metrics", out, metrics))

    def _loss_options(self, query: str) -> list[Option]:
        """The losses matching ``query`` (best first), the preset's own marked with ●."""
        shown, _ = loss_choice(self.app.preset.compile.get("loss"))
        return [Option(f"● {n}" if n == shown else f"  {n}", id=n) for n in rank_names(query, self._loss_names)]

    @on(Input.Changed, "#loss-search")
    def _filter_losses(self, event: Input.Changed) -> None:
        event.stop()
        listing = self.query_one("#loss", OptionList)
        listing.set_options(self._loss_options(event.value))
        listing.highlighted = 0 if listing.option_count else None

    @on(Input.Submitted, "#loss-search")
    async def _pick_loss_from_search(self, event: Input.Submitted) -> None:
        event.stop()
        option = self.query_one("#loss", OptionList).highlighted_option
        if option is None:
            self.notify("No loss matches the search.", severity="warning")
            return
        await self._choose_loss(str(option.id))

    @on(OptionList.OptionSelected, "#loss")
    async def _pick_loss_from_list(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        await self._choose_loss(str(event.option.id))

    async def _choose_loss(self, value: str) -> None:
        from tuitrain import keras_catalogue as I

        shown, _ = loss_choice(self.app.preset.compile.get("loss"))
        if value == shown:
            return
        self._commit(lambda p: p.compile.__setitem__("loss", value))
        listing = self.query_one("#loss", OptionList)
        listing.set_options(self._loss_options(self.query_one("#loss-search", Input).value))
        listing.highlighted = listing.get_option_index(value)
        for old in self.query("#loss-form"):
            await old.remove()
        if I.loss_class_name(value):
            await self.query_one("#compile-col").mount(self._loss_form(value, {}), after=listing.parent.parent)

    @on(ParamForm.Changed, "#loss-form")
    def _loss_option(self, event: ParamForm.Changed) -> None:
        from tuitrain import keras_catalogue as I

        event.stop()
        args, errors = event.form.non_default_values()
        if event.name in errors:
            return

        def change(p: Any) -> None:
            name, _ = loss_choice(p.compile.get("loss"))
            if name is None:
                return
            p.compile["loss"] = {"type": I.loss_class_name(name), **args} if args else name

        self._commit(change)

    @on(Input.Changed, "#metrics-search")
    def _filter_metrics(self, event: Input.Changed) -> None:
        event.stop()
        listing = self.query_one("#metrics", SelectionList)
        ticked = set(self.app.preset.compile.get("metrics", []))
        with listing.prevent(SelectionList.SelectedChanged):  # showing fewer is not unticking
            listing.clear_options()
            listing.add_options([(m, m, m in ticked) for m in rank_names(event.value, self._metric_names)])
        listing.highlighted = 0 if listing.option_count else None

    @on(Input.Submitted, "#metrics-search")
    def _tick_metric_from_search(self, event: Input.Submitted) -> None:
        event.stop()
        listing = self.query_one("#metrics", SelectionList)
        option = listing.highlighted_option
        if option is None:
            self.notify("No metric matches the search.", severity="warning")
            return
        listing.toggle(option.value)

    @on(SelectionList.SelectedChanged, "#metrics")
    def _metrics_changed(self, event: SelectionList.SelectedChanged) -> None:
        event.stop()
        listing = event.selection_list
        shown = {listing.get_option_at_index(i).value for i in range(listing.option_count)}
        ticked = [str(v) for v in listing.selected]

        def change(p: Any) -> None:
            old = [m for m in p.compile.get("metrics", []) if isinstance(m, str)]
            tables = [m for m in p.compile.get("metrics", []) if not isinstance(m, str)]
            # Ticks hidden by the search stay as they were; the order already chosen is kept.
            metrics = [m for m in old if m not in shown or m in ticked] + [m for m in ticked if m not in old] + tables
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
        listing.set_options(callback_options(self.app.preset))
        if callbacks and highlight is not None:
            listing.highlighted = max(0, min(highlight, len(callbacks) - 1))

    def action_add_callback(self) -> None:
        from tuitrain.ui.screens.callback_form import CallbackFormScreen

        if self.app.preset is None or not self.app.tf_ready:
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

    @on(CallbackList.Requested)
    def _callback_requested(self, event: CallbackList.Requested) -> None:
        event.stop()
        if event.what == "add":
            self.action_add_callback()
        elif event.index is not None and event.what == "edit":
            self.edit_callback(event.index)
        elif event.index is not None and event.what == "remove":
            self.remove_callback(event.index)

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

    def action_focus_epochs(self) -> None:
        self._focus("#fit-form #field-epochs")


def _current(preset: Any, key: str, out: str) -> Any:
    """One output's entry of a per-output compile table, as the preset holds it now."""
    names = output_names(preset)
    value = preset.compile.get(key)
    if isinstance(value, dict) and "type" not in value:
        return value.get(out)
    if isinstance(value, list) and out in names and names.index(out) < len(value):
        return value[names.index(out)]
    return value
