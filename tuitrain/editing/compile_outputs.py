"""Per-output compile tables (several outputs): read and set one output's loss, weight or metrics.

With ``outputs = ["a", "b"]`` the preset's ``loss``, ``loss_weights`` and ``metrics`` may be one
value for all, a list in output order, or a table keyed by output name (as Keras' dicts are).
The Compile pane edits one output at a time; these rules keep the other outputs' values.
"""

from __future__ import annotations

from typing import Any

from tuitrain.preset.values import is_per_output, value_for_output


def output_names(preset: Any) -> list[str]:
    """The model's declared outputs when there are several (empty: one output, the usual fields)."""
    names = list(preset.outputs)
    return names if len(names) > 1 else []


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
