"""Compile values given per output, checked against the model's output names.

`loss`, `loss_weights`, `metrics` may be tables keyed by output names (one value per output, as
Keras' dicts); a list gives one value per output in `outputs` order; its length must match.
"""

from __future__ import annotations

from typing import Any

from tuitrain.common.errors import SpecError
from tuitrain.common.suggest import did_you_mean
from tuitrain.preset.values import is_per_output

PER_OUTPUT_KEYS = ("loss", "loss_weights", "metrics", "weighted_metrics")


def per_output(value: Any, outputs: list[str], *, key: str, path: str) -> Any:
    """Check a compile value against the output names; returns it in the form Keras takes.

    A table without `type` keyed by output names → dict; a list for several outputs → one per output
    (for metrics a list is for every output unless it holds lists); a single output takes plain values.
    """
    several = len(outputs) > 1
    if is_per_output(value):
        for name in value:
            if name not in outputs:
                raise SpecError(
                    f"'{name}' is not an output of the model.{did_you_mean(name, outputs)} Outputs: {', '.join(outputs)}.",
                    path=f"{path}.{name}",
                )
        return value
    if key == "loss_weights":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if several:
                raise SpecError(f"one weight for {len(outputs)} outputs: give a table keyed by output names", path=path)
            return [value]
        if isinstance(value, list) and len(value) != len(outputs):
            noun = "output" if len(outputs) == 1 else "outputs"
            extra = " (loss_weights only mean something with several outputs)" if len(outputs) == 1 else ""
            raise SpecError(f"{len(value)} values for {len(outputs)} {noun}{extra}", path=path)
        return value
    if key == "loss" and isinstance(value, list):
        if len(value) != len(outputs):
            noun = "output" if len(outputs) == 1 else "outputs"
            raise SpecError(f"{len(value)} losses for {len(outputs)} {noun}: give one per output, or a table keyed by output names", path=path)
    return value


