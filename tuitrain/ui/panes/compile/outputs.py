"""Compile pane fields for models with several outputs.

Several outputs (`outputs = [...]` in the preset): one row per output with its loss (a picker of
Keras' loss names), its weight in the total loss, and its metrics (comma-separated names); they
edit the per-output tables `loss`, `loss_weights`, `metrics` keyed by output name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select, Static

from tuitrain.catalogue.form_values import format_value
from tuitrain.editing.compile_values import loss_choice
from tuitrain.preset.values import is_per_output, value_for_output

if TYPE_CHECKING:
    from tuitrain.preset import Preset


def output_names(preset: Preset) -> list[str]:
    """The model's declared outputs when there are several (empty: one output, the usual fields)."""
    names = list(preset.outputs)
    return names if len(names) > 1 else []


def per_output_fields(preset: Any) -> ComposeResult:
    from tuitrain.catalogue import registry as I

    names = I.loss_names()
    yield Static("losses by output", classes="section-title")
    outputs = output_names(preset)
    for out in outputs:
        loss_value, _ = loss_choice(value_for_output(preset.compile.get("loss"), outputs, out))
        options = [(n, n) for n in names]
        if loss_value is not None and loss_value not in names:
            options.insert(0, (loss_value, loss_value))
        weight = value_for_output(preset.compile.get("loss_weights"), outputs, out)
        metrics = value_for_output(preset.compile.get("metrics"), outputs, out) or []
        with Horizontal(classes="field"):
            yield Label(out, classes="field-name")
            with Vertical(classes="field-body"):
                yield Select(options, value=loss_value if loss_value is not None else Select.NULL,
                             prompt="choose a loss", id=f"loss-{out}", classes="output-loss", compact=True)
                yield Input(value="" if weight is None else format_value(weight), placeholder="weight (1.0)",
                            id=f"loss-weight-{out}", classes="output-weight", compact=True)
                yield Input(value=", ".join(m for m in metrics if isinstance(m, str)), placeholder="metrics: accuracy, mae",
                            id=f"metrics-{out}", classes="output-metrics", compact=True)


def output_value(preset: Any, key: str, out: str) -> Any:
    """One output's entry of a per-output compile table, as the preset holds it now."""
    return value_for_output(preset.compile.get(key), output_names(preset), out)


def set_output_value(preset: Any, key: str, out: str, value: Any) -> None:
    """Set one output's entry of a per-output compile table (a list becomes a table by name)."""
    names = output_names(preset)
    current = preset.compile.get(key)
    if isinstance(current, list):
        table = {n: v for n, v in zip(names, current)}
    elif is_per_output(current):
        table = dict(current)
    elif current is not None:
        table = {n: current for n in names}  # one value for all: keep it for the others
    else:
        table = {}
    if value is None or value == []:
        table.pop(out, None)
    else:
        table[out] = value
    if table:
        preset.compile[key] = table
    else:
        preset.compile.pop(key, None)


def parse_weight(text: str) -> float | None | bool:
    """A weight from the field: a number, None when empty, False when not a number yet."""
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return False
    return value if value >= 0 else False
