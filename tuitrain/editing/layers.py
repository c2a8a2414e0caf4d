"""What the Layers pane and the layer form do to a preset's layer list (no Textual, no Keras).

Each rule returns the new list and where the cursor goes, so the pane only maps keys to rules and
hands the result to ``app.edit_preset``.  Keras layer names must be unique in a model; a duplicate
of a named layer gets the next free ``name_2``, ``name_3``….
"""

from __future__ import annotations

import re
from typing import Any

from tuitrain.editing.data_table import moved
from tuitrain.preset.values import layer_sources



def unique_name(name: str, taken: set[str]) -> str:
    """``name_2`` (or the next free number) for a copy of ``name``."""
    n = 2
    while f"{name}_{n}" in taken:
        n += 1
    return f"{name}_{n}"


def duplicated(layers: list[dict], pos: int) -> tuple[list[dict], int]:
    """A copy of layer ``pos`` right below it (a name made unique), and the copy's index."""
    out = [dict(layer) for layer in layers]
    copy = dict(out[pos])
    if "name" in copy:
        copy["name"] = unique_name(str(copy["name"]), {str(x.get("name")) for x in out})
    out.insert(pos + 1, copy)
    return out, pos + 1


def removed(layers: list[dict], pos: int) -> tuple[list[dict], int]:
    """The list without layer ``pos``, and the row the cursor stays on."""
    out = [dict(layer) for i, layer in enumerate(layers) if i != pos]
    return out, min(pos, len(out) - 1)


def moved_layer(layers: list[dict], pos: int, step: int) -> tuple[list[dict], int] | None:
    """Layer ``pos`` swapped with its neighbour ``step`` away, and its new index; None at either end."""
    out = moved([dict(layer) for layer in layers], pos, step)
    return (out, pos + step) if out is not None else None


def placed(layers: list[dict], pos: int, row: dict, *, replace: bool) -> list[dict]:
    """The list with the form's ``row`` replacing layer ``pos`` or inserted before it."""
    out = [dict(layer) for layer in layers]
    if replace:
        out[pos] = row
    else:
        out.insert(pos, row)
    return out


def available_inputs(inputs: list[str], layers: list[dict], pos: int) -> list[str]:
    """What a layer at ``pos`` may take as ``inputs``: the model's inputs (``[[inputs]]`` names, or the
    one default input) and every earlier named layer."""
    return layer_sources(inputs, layers, pos)


def parse_inputs(text: str, available: list[str]) -> list[str]:
    """``"a, b"`` / ``["a", "b"]`` → names, each one an earlier layer or the model input."""
    names = [t for t in re.split(r"[\s,\[\]\"']+", text) if t]
    if not names:
        raise ValueError(f"name at least one input: the model's input or an earlier layer ({', '.join(available)})")
    unknown = [n for n in names if n not in available]
    if unknown:
        raise ValueError(f"'{unknown[0]}' is not an earlier layer; choose from {', '.join(available)}")
    return names


def retyped(row: dict[str, Any], typed: dict[str, Any], accepted: set[str], meta_keys: tuple[str, ...] | set[str]) -> dict:
    """A row switched to another type: its meta keys, and the typed values the new type also accepts."""
    meta = {k: v for k, v in row.items() if k in meta_keys}
    return {**meta, **{k: v for k, v in typed.items() if k in accepted}}


def reusable_rows(layers: list[dict], pos: int) -> list[str]:
    """Rows a ``reuse`` row at ``pos`` may call again: the named layers above it that have a type."""
    return [str(layer["name"]) for layer in layers[:pos] if "name" in layer and "type" in layer]


def reuse_row(name: str, reuse: str, inputs: list[str]) -> dict[str, Any]:
    """A row that calls row ``reuse``'s layer again (same weights) on ``inputs``: no type, no arguments."""
    row: dict[str, Any] = {"name": name} if name else {}
    row.update(reuse=reuse, inputs=inputs)
    return row


def free_name(layers: list[dict], base: str) -> str:
    """``base`` itself, or ``base_2``, ``base_3`` … whichever no row is called yet."""
    taken = {str(layer.get("name")) for layer in layers}
    if base not in taken:
        return base
    return next(f"{base}_{n}" for n in range(2, len(layers) + 3) if f"{base}_{n}" not in taken)
