"""Compile pane fields for models with several outputs.

Several outputs (`outputs = [...]` in the preset): one row per output with its loss (a picker of
Keras' loss names), its weight in the total loss, and its metrics (comma-separated names); they
edit the per-output tables `loss`, `loss_weights`, `metrics` keyed by output name (the rules:
``tuitrain.editing.compile_outputs``).
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select, Static

from tuitrain.catalogue.form_values import format_value
from tuitrain.editing.compile_outputs import output_names, output_value
from tuitrain.editing.compile_values import loss_choice


def per_output_fields(preset: Any) -> ComposeResult:
    from tuitrain.catalogue import registry as I

    names = I.loss_names()
    yield Static("losses by output", classes="section-title")
    for out in output_names(preset):
        loss_value, _ = loss_choice(output_value(preset, "loss", out))
        options = [(n, n) for n in names]
        if loss_value is not None and loss_value not in names:
            options.insert(0, (loss_value, loss_value))
        weight = output_value(preset, "loss_weights", out)
        metrics = output_value(preset, "metrics", out) or []
        with Horizontal(classes="field"):
            yield Label(out, classes="field-name")
            with Vertical(classes="field-body"):
                yield Select(options, value=loss_value if loss_value is not None else Select.NULL,
                             prompt="choose a loss", id=f"loss-{out}", classes="output-loss", compact=True)
                yield Input(value="" if weight is None else format_value(weight), placeholder="weight (1.0)",
                            id=f"loss-weight-{out}", classes="output-weight", compact=True)
                yield Input(value=", ".join(m for m in metrics if isinstance(m, str)), placeholder="metrics: accuracy, mae",
                            id=f"metrics-{out}", classes="output-metrics", compact=True)
