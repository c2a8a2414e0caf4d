"""`load_dataset`: [data] table → source arrays → validation split → preprocessing ops, in that order.

The split comes before the ops so that ops which learn statistics (standardize, normalize) learn
them from the training samples only and apply the same numbers to the validation samples.

Validation data: `validation_split` (a fraction in [0, 1); 0 → none) takes a seeded shuffle
(seed + 1) of the samples and keeps the first fraction for validation. When the preset does not
set it, a source with its own test split (keras: data sets, an .npz in Keras layout) uses that
test split as validation data, and every other source splits off DEFAULT_VALIDATION_SPLIT. When
the preset sets it for such a source, the validation part is split off the training part and
the test split is not used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from tuitrain.data.dataset import Dataset, RawData
from tuitrain.data.source_options import COMMON_OPTIONS, check_option_names, check_option_types
from tuitrain.data.preprocess import apply_step, resolve_step
from tuitrain.data.sources import get_source, parse_source
from tuitrain.data.split import count_classes, split_validation
from tuitrain.errors import DataError

# Used when a source has no held-out split of its own and the preset does not set validation_split.
DEFAULT_VALIDATION_SPLIT = 0.2


def options_for(source: str) -> dict[str, Any]:
    """Options a source takes beside source/validation_split/preprocess, with defaults (for forms)."""
    kind, name = parse_source(source)
    return get_source(kind).options(name)


def source_names(kind: str) -> list[str]:
    """Data set names a `kind:` offers (empty for file:/folder:, which take a path)."""
    return get_source(kind).names()


def source_options(data_spec: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    """(kind, name, options for the source) with option names and types checked."""
    if not isinstance(data_spec, dict):
        raise DataError(f"expected a table, got {data_spec!r}.", path="data")
    if "source" not in data_spec:
        raise DataError('missing key "source" (e.g. source = "synthetic:spiral").', path="data.source")
    kind, name = parse_source(data_spec["source"])
    source = get_source(kind)
    allowed = source.options(name)
    given = {k: v for k, v in data_spec.items() if k not in COMMON_OPTIONS}
    check_option_names(given, allowed, source=data_spec["source"])
    check_option_types(given, allowed)
    return kind, name, given


def validation_fraction(data_spec: dict[str, Any], raw_has_test: bool) -> tuple[float | None, bool]:
    """(fraction, explicit). fraction None → use the source's own test split as validation data."""
    if "validation_split" in data_spec:
        value = data_spec["validation_split"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
            raise DataError(
                f"expected a fraction in [0, 1) such as 0.2 (0: no validation data), got {value!r}.",
                path="data.validation_split",
            )
        return float(value), True
    return (None if raw_has_test else DEFAULT_VALIDATION_SPLIT), False


def preprocess_steps(data_spec: dict[str, Any]) -> list[tuple[Any, dict[str, Any], str]]:
    steps = data_spec.get("preprocess", [])
    if not isinstance(steps, list):
        raise DataError('expected a list of tables like [{ op = "standardize" }].', path="data.preprocess")
    return [resolve_step(step, i) for i, step in enumerate(steps)]


def load_dataset(data_spec: dict[str, Any], *, seed: int, base_dir: Path | str | None = None) -> Dataset:
    """Arrays for a preset's [data] table. Raises DataError with key paths (`data.preprocess[1].op`)."""
    base_dir = Path(base_dir) if base_dir is not None else Path.cwd()
    kind, name, options = source_options(data_spec)
    steps = preprocess_steps(data_spec)  # checked before the (maybe slow) load
    raw: RawData = get_source(kind).load(name, options, seed=seed, base_dir=base_dir)
    fraction, _ = validation_fraction(data_spec, raw.x_test is not None)

    if fraction is None:
        x_train, y_train, x_val, y_val = raw.x, raw.y, raw.x_test, raw.y_test
    else:
        x_train, y_train, x_val, y_val = split_validation(raw.x, raw.y, fraction, seed + 1)
        if fraction > 0 and (len(x_train) == 0 or len(x_val) == 0):
            raise DataError(
                f"a split of {fraction} leaves {len(x_train)} training and {len(x_val)} validation samples"
                f" out of {len(raw.x)}.",
                path="data.validation_split",
            )

    classification = raw.task == "classification" and y_train is not None
    num_classes = count_classes(y_train, y_val) if classification and _sparse(y_train) else None
    if classification and not _sparse(y_train):
        num_classes = int(y_train.shape[-1])

    for index, (fn, args, target) in enumerate(steps):
        if target == "y":
            if y_train is None:
                raise DataError(f"{fn.__name__} works on labels, but this data has none.", path=f"data.preprocess[{index}]")
            if fn.__name__ == "one_hot" and args.get("num_classes") is None:
                args = {**args, "num_classes": count_classes(y_train, y_val)}
            y_train, y_val = apply_step(fn, args, y_train, y_val, index)
        else:
            x_train, x_val = apply_step(fn, args, x_train, x_val, index)

    if classification and y_train.ndim == 2 and y_train.shape[-1] > 1:
        num_classes = int(y_train.shape[-1])
    return Dataset(
        x_train=x_train,
        y_train=y_train,
        x_val=x_val,
        y_val=y_val,
        num_classes=num_classes,
        task=raw.task,
        class_names=raw.class_names,
        source=str(data_spec["source"]),
    )


def _sparse(y: np.ndarray) -> bool:
    return y.ndim == 1 or (y.ndim == 2 and y.shape[-1] == 1)
