"""What a preset value means: the one place that reads `{ type = … }` tables and per-output tables,
and the defaults a preset leaves out.

A table with `type` is one Keras object (`{ type = "Adam", learning_rate = 0.01 }`); a table
without it, where a compile value may be given per output, is keyed by output names
(`loss = { priority = "binary_crossentropy", department = "categorical_crossentropy" }`).
Everything that reads or writes preset values (check, model, export, editing, the app) asks here,
so the rules cannot drift apart.
"""

from __future__ import annotations

from typing import Any

DEFAULT_OPTIMIZER = "rmsprop"  # what Model.compile uses when the preset names none
DEFAULT_INPUT = "input"  # the model's one input when the preset has no [[inputs]]
TYPE_KEY = "type"


def is_typed(value: Any) -> bool:
    """A `{ type = "Class", ... }` table: one Keras object with its arguments."""
    return isinstance(value, dict) and TYPE_KEY in value


def is_per_output(value: Any) -> bool:
    """A table keyed by output names (a table without `type`): one value per output."""
    return isinstance(value, dict) and TYPE_KEY not in value


def typed(value: Any) -> tuple[str, dict[str, Any]]:
    """``"adam"`` or ``{type = "Adam", ...}`` → (name, arguments)."""
    if isinstance(value, dict):
        return str(value.get(TYPE_KEY, "")), {k: v for k, v in value.items() if k != TYPE_KEY}
    return str(value), {}


def type_name(value: Any) -> str | None:
    """The class a value names: the `type` of a table, the string itself, else None."""
    if isinstance(value, dict):
        name = value.get(TYPE_KEY)
        return None if name is None else str(name)
    return value if isinstance(value, str) else None


def optimizer_value(compile_table: dict[str, Any]) -> Any:
    """The preset's optimizer, or the one Keras uses when it names none."""
    return compile_table.get("optimizer", DEFAULT_OPTIMIZER)


def value_for_output(value: Any, outputs: list[str], name: str) -> Any:
    """One output's entry of a compile value: from a per-output table by name, from a list by the
    output's position, else the value itself (one value for every output)."""
    if is_per_output(value):
        return value.get(name)
    if isinstance(value, list):
        index = outputs.index(name) if name in outputs else len(value)
        return value[index] if index < len(value) else None
    return value


def layer_sources(input_names: list[str], layers: list[dict[str, Any]], position: int) -> list[str]:
    """The names a layer at ``position`` may read: the model's inputs, then the earlier named layers."""
    return [*input_names, *(str(layer["name"]) for layer in layers[:position] if "name" in layer)]
