"""A backbone row of the Layers pane: one row for a whole ``keras.applications`` model (its
parameters split into trainable and frozen as Keras counts them), its layers shown on demand.

Read from the built model in the app's build report; no Keras import here.
"""

from __future__ import annotations

import math
from typing import Any

from rich.text import Text

from tuitrain.model import shape_str


def keras_layer_of(report: Any, row: Any) -> Any | None:
    """The Keras layer a built row made (None while building, for a broken row, or when not found)."""
    model = getattr(report, "model", None)
    if model is None or row is None or row.error is not None:
        return None
    try:
        return model.get_layer(row.name)
    except (ValueError, AttributeError):
        return None


def sublayers(layer: Any) -> list:
    """The layers a container (a backbone model) holds; [] for a plain layer."""
    return list(getattr(layer, "layers", None) or []) if layer is not None else []


def split_params(layer: Any) -> tuple[int, int]:
    """(trainable, frozen) parameters of ``layer`` now."""
    trainable = sum(math.prod(w.shape) for w in layer.trainable_weights)
    frozen = sum(math.prod(w.shape) for w in layer.non_trainable_weights)
    return trainable, frozen


def train_cell(layer: Any, trainable: bool) -> Text:
    """"yes"/"no" for a plain layer; for a backbone whether all, none or part of it trains."""
    inner = sublayers(layer)
    if not inner:
        return Text("yes" if trainable else "no")
    done, frozen = split_params(layer)
    return Text("yes" if not frozen else ("no" if not done else "part"), style="" if done and not frozen else "yellow")


def backbone_line(layer: Any, expanded: bool) -> str:
    """What the line under the table says of a selected backbone row."""
    trainable, frozen = split_params(layer)
    inner = sublayers(layer)
    return (f"{layer.name} ({type(layer).__name__}, {len(inner)} layers): {trainable:,} trainable,"
            f" {frozen:,} frozen parameters · x {'collapses' if expanded else 'expands'} it · t toggles trainable")


def child_rows(layer: Any, width: int) -> list[list[Text]]:
    """One dim row per sublayer: "  └ name", type, output shape, params, trainable (``width`` cells)."""
    rows = []
    for sub in sublayers(layer):
        try:
            shape = shape_str(tuple(sub.output.shape))
        except (AttributeError, ValueError):
            shape = "?"
        cells = [Text(""), Text(f" └ {sub.name}", style="dim"), Text(type(sub).__name__, style="dim"), Text("")]
        cells += [Text("")] * (width - 3 - len(cells))
        cells += [Text(shape, style="dim"), Text(f"{sub.count_params():,}", justify="right", style="dim"),
                  Text("yes" if sub.trainable else "no", style="dim")]
        rows.append(cells)
    return rows
