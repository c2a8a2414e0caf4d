"""The Compile pane's fields ↔ the preset: how a preset value is shown, and which class it names.

Plain functions (no widgets), so the pane module holds only layout and event handling.
"""

from __future__ import annotations

from typing import Any

from tuitrain.catalogue.form_values import format_value
from tuitrain.preset.values import typed


def describe_callback(value: Any) -> str:
    name, args = typed(value)
    inner = ", ".join(f"{k}={format_value(v)}" for k, v in args.items())
    return f"{name}({inner})"


def loss_choice(loss: Any) -> tuple[str | None, dict[str, Any]]:
    """(the picker's entry, the options) for ``"name"`` or ``{ type = "Class", ... }``."""
    from tuitrain.catalogue import registry as I

    if loss is None:
        return None, {}
    if isinstance(loss, str):
        return loss, {}
    name, args = typed(loss)
    function = I.loss_function_name(name)
    return (function, args) if function else (format_value(loss), {})


def metric_names(preset: Any) -> list[str]:
    """The metrics the list can tick: the names.  A table (``{ type = "TopKCategoricalAccuracy", k = 3 }``)
    has no name to tick and stays in the preset as written."""
    return [m for m in preset.compile.get("metrics", []) if isinstance(m, str)]


def optimizer_class(name: str) -> str:
    from tuitrain.catalogue import registry as I

    return next((n for n in I.optimizer_names() if n.lower() == name.lower()), name)


def compile_values(preset: Any) -> dict[str, Any]:
    values = {k: preset.compile[k] for k in ("loss_weights", "weighted_metrics", "run_eagerly",
                                             "steps_per_execution") if k in preset.compile}
    if isinstance(preset.compile.get("jit_compile"), bool):
        values["jit_compile"] = "true" if preset.compile["jit_compile"] else "false"
    return values


def fit_values(preset: Any) -> dict[str, Any]:
    values = {k: preset.fit[k] for k in ("epochs", "batch_size", "shuffle") if k in preset.fit}
    if "validation_split" in preset.data:
        values["validation_split"] = preset.data["validation_split"]
    return values
