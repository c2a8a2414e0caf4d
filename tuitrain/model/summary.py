"""What the layer table and `tuitrain check` show of a model: rows, parameter counts, Keras' summary."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class RowState(str, Enum):
    """Where a preset layer got to: built by Keras, failed (its own error), or never reached."""

    BUILT = "built"
    FAILED = "failed"
    NOT_BUILT = "not built"  # an earlier layer (or the input shape) failed; Keras never saw it


@dataclass
class LayerRow:
    """One line of the layer table, the numbers `model.summary()` gives."""

    index: int
    name: str
    type: str
    args: str
    output_shape: str
    params: int
    trainable: bool
    inputs: list[str] = field(default_factory=list)
    error: str | None = None
    state: RowState = RowState.BUILT
    head: bool = False  # one of the model's outputs
    adapt: str | None = None  # "adapted" / "adapts to the training data": a layer that learns from the data
    shares: str | None = None  # a `reuse` row: the row whose layer (and weights) it calls again; its params count there
    outputs: int = 1  # how many tensors the layer returns (later rows name them "name[0]", "name[1]", …)



def shape_str(shape: Any) -> str:
    """``(None, 28, 28, 1)`` as Keras prints it; a list of shapes joined by commas."""
    if isinstance(shape, list):
        return ", ".join(shape_str(s) for s in shape)
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + (",)" if len(shape) == 1 else ")")


def main_args(layer: dict[str, Any]) -> str:
    """A layer row's arguments in one short line, as the layer table shows them."""
    parts = []
    for key, value in layer.items():
        if key in ("type", "name", "inputs", "adapt"):
            continue
        if key == "reuse":
            parts.append(f"shares {value}")
            continue
        if key == "call" and isinstance(value, dict):
            parts.append("call(" + ", ".join(f"{k}={_flat(v)}" for k, v in value.items()) + ")")
            continue
        if isinstance(value, dict):
            value = value.get("type", value)
        if isinstance(value, list):
            value = "(" + ", ".join(str(v) for v in value) + ")"
        parts.append(f"{key}={value}")
    return ", ".join(parts)



def _flat(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_flat(v) for v in value) + "]"
    return str(value)


def outputs_str(shapes: list[tuple]) -> str:
    """A layer's several results as later rows name them: ``[0] (None, 256)  [1] (None, 256)``."""
    return "  ".join(f"[{i}] {shape_str(shape)}" for i, shape in enumerate(shapes))


def row_type(layer: dict[str, Any], row: LayerRow | None = None) -> str:
    """The type cell of a row: its Keras type, or for a `reuse` row the row whose layer it calls again."""
    if "reuse" in layer and "type" not in layer:
        return f"↻ {layer['reuse']}" + (f" ({row.type})" if row is not None and row.error is None else "")
    return str(layer.get("type", "?"))


def params_str(row: LayerRow) -> str:
    """The params cell: a shared layer's weights are counted once, on the row that created it."""
    return f"shared with {row.shares}" if row.shares else f"{row.params:,}"


def param_counts(model: Any) -> tuple[int, int, int]:
    """(total, trainable, non-trainable), as `model.summary()` reports them."""
    import math

    trainable = sum(math.prod(w.shape) for w in model.trainable_weights)
    non_trainable = sum(math.prod(w.shape) for w in model.non_trainable_weights)
    return trainable + non_trainable, trainable, non_trainable


def layer_rows(model: Any) -> list[LayerRow]:
    """Rows of an already-built model (e.g. one loaded from a run directory)."""
    rows = []
    for i, layer in enumerate(model.layers):
        rows.append(LayerRow(i, layer.name, type(layer).__name__, "", _built_shape(layer), layer.count_params(), bool(layer.trainable)))
    return rows


def _built_shape(layer: Any) -> str:
    """A built layer's output shape; several results as ``[0] … [1] …``; "shared" when called more than once."""
    nodes = getattr(layer, "_inbound_nodes", None) or []
    if len(nodes) > 1:
        return f"shared ({len(nodes)} calls)"
    try:
        output = layer.output
    except (AttributeError, ValueError):
        return "?"
    if isinstance(output, (list, tuple)):
        return outputs_str([tuple(t.shape) for t in output])
    return shape_str(tuple(output.shape))


def summary_text(model: Any, line_length: int = 90) -> str:
    """Keras' own `model.summary()` as plain text, ``line_length`` wide whatever the terminal is."""
    import os

    lines: list[str] = []
    # Keras prints through a rich Console that sizes itself from $COLUMNS.
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(line_length + 4)
    try:
        model.summary(line_length=line_length, print_fn=lambda text, line_break=False: lines.append(text))
    finally:
        if saved is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = saved
    text = "\n".join(lines)
    # Keras renders with rich; strip any colour codes so the text reads everywhere.
    return re.sub(r"\x1b\[[0-9;]*m", "", text)

