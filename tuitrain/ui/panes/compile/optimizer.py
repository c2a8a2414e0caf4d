"""The Compile pane's optimizer fields: the optimizer, its hyper-parameters and its learning rate.

Optimizer: a picker of the classes ``keras.optimizers`` exports and a form built from the chosen
class's constructor (``name`` left out: it only labels the optimizer's variables).

Learning rate: "constant" or one of Keras' schedules (``keras.optimizers.schedules``), whose
arguments get a form built from the schedule's constructor; the optimizer's ``learning_rate``
becomes ``{ type = "ExponentialDecay", ... }`` once the required arguments are given.

These functions only build the widgets; the pane turns their changes into preset edits.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Select, Static

from tuitrain.editing.compile_values import optimizer_class
from tuitrain.preset.values import optimizer_value, typed
from tuitrain.ui.widgets.forms import ParamForm

CONSTANT = "constant"


def optimizer_fields(preset: Any) -> ComposeResult:
    """The optimizer picker, its form and the learning-rate schedule fields, as the preset sets them."""
    from tuitrain.catalogue import registry as I

    opt_name, opt_args = typed(optimizer_value(preset.compile))
    opt_class = optimizer_class(opt_name)
    names = I.optimizer_names()
    options = [(n, n) for n in names] + ([(opt_class, opt_class)] if opt_class not in names else [])
    with Horizontal(classes="field"):
        yield Label("optimizer", classes="field-name")
        with Vertical(classes="field-body"):
            yield Select(options, value=opt_class, allow_blank=False, id="optimizer", compact=True)
            yield Static("", id="warning-optimizer", classes="pane-warning")
    if opt_class in names:
        yield optimizer_form(opt_class, {k: v for k, v in opt_args.items() if not isinstance(v, dict)})
    yield from schedule_fields(opt_args.get("learning_rate"))


def optimizer_form(cls_name: str, args: dict[str, Any]) -> ParamForm:
    from tuitrain.catalogue import params as keras_params

    # `name` only labels the optimizer's variables; it is noise in this form.
    params = [p for p in keras_params.constructor_params("optimizer", cls_name) if p.name != "name"]
    folded = keras_params.common_param_names("optimizer", cls_name)
    return ParamForm(params, args, folded=folded, id="optimizer-form", classes="subform")


def schedule_fields(learning_rate: Any) -> ComposeResult:
    from tuitrain.catalogue import registry as I

    names = I.schedule_names()
    current = typed(learning_rate)[0] if isinstance(learning_rate, dict) else CONSTANT
    options = [(CONSTANT, CONSTANT)] + [(n, n) for n in names]
    with Horizontal(classes="field"):
        yield Label("lr schedule", classes="field-name")
        with Vertical(classes="field-body"):
            yield Select(options, value=current if current in names else CONSTANT, allow_blank=False,
                         id="lr-schedule", compact=True)
    if current in names:
        yield schedule_form(current, typed(learning_rate)[1])


def schedule_form(name: str, args: dict[str, Any]) -> ParamForm:
    from tuitrain.catalogue import params as keras_params

    params = [p for p in keras_params.constructor_params("schedule", name) if p.name != "name"]
    return ParamForm(params, args, id="schedule-form", classes="subform")
