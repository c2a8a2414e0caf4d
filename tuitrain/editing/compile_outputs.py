"""Per-output compile tables (several outputs): read and set one output's loss, weight or metrics.

With ``outputs = ["a", "b"]`` the preset's ``loss``, ``loss_weights`` and ``metrics`` may be one
value for all, a list in output order, or a table keyed by output name (as Keras' dicts are).
The Compile pane edits one output at a time; these rules keep the other outputs' values.
"""

from __future__ import annotations

from typing import Any


def output_names(preset: Any) -> list[str]:
    """The model's declared outputs when there are several (empty: one output, the usual fields)."""
    names = list(preset.outputs)
    return names if len(names) > 1 else []


def per_output(value: Any, name: str, index: int) -> Any:
    """Output ``name``'s (``index``-th) entry of a compile value: its table entry, list item, or the value itself."""
    if isinstance(value, dict) and "type" not in value:
        return value.get(name)
    if isinstance(value, list):
        return value[index] if index < len(value) else None
    return value


def output_value(preset: Any, key: str, out: str) -> Any:
    """One output's entry of a per-output compile table, as the preset holds it now."""
    names = output_names(preset)
    value = preset.compile.get(key)
    if isinstance(value, dict) and "type" not in value:
        return value.get(out)
    if isinstance(value, list) and out in names and names.index(out) < len(value):
        return value[names.index(out)]
    return value


def set_output_value(preset: Any, key: str, out: str, value: Any) -> None:
    """Set one output's entry of a per-output compile table (a list becomes a table by name)."""
    names = output_names(preset)
    current = preset.compile.get(key)
    if isinstance(current, list):
        table = {n: v for n, v in zip(names, current)}
    elif isinstance(current, dict) and "type" not in current:
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
