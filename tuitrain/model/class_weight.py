"""`[fit] class_weight` → the table Keras takes, checked against the classes of the data.

Keys are class indices (TOML keys are strings, which Keras would skip) or "balanced"; a key that
names no class of the data is an error.
"""

from __future__ import annotations

from typing import Any

from tuitrain.common.errors import SpecError

def class_weight_for(value: Any, y: Any, num_classes: int | None, *, path: str = "fit.class_weight") -> dict[int, float]:
    """`{ "0" = 1.0, "1" = 5.0 }` or "balanced" → `{0: 1.0, 1: 5.0}` for the classes of `y`."""
    import numpy as np

    if y is None or num_classes is None or isinstance(y, list):
        raise SpecError("class_weight needs class labels of one output (a classification data set)", path=path)
    labels = np.asarray(y)
    labels = labels.argmax(axis=-1) if labels.ndim == 2 and labels.shape[-1] > 1 else labels.reshape(-1)
    if value == "balanced":
        counts = np.bincount(labels.astype(np.int64), minlength=num_classes)
        total = int(counts.sum())
        return {int(c): float(total / (num_classes * n)) for c, n in enumerate(counts) if n > 0}
    if not isinstance(value, dict):
        raise SpecError(f'expected a table of class index = weight (e.g. {{ 0 = 1.0, 1 = 5.0 }}) or "balanced", got {value!r}', path=path)
    out: dict[int, float] = {}
    for key, weight in value.items():
        where = f"{path}.{key}"
        try:
            index = int(str(key))
        except ValueError:
            raise SpecError(f"class_weight keys are class indices 0..{num_classes - 1}, not {key!r}", path=where) from None
        if not 0 <= index < num_classes:
            raise SpecError(
                f"the data has no class {index}: its classes are 0..{num_classes - 1}, so this weight would match nothing",
                path=where,
            )
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
            raise SpecError(f"expected a weight >= 0, got {weight!r}", path=where)
        out[index] = float(weight)
    return out
