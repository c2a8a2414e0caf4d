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
from tuitrain.data.files import infer_task
from tuitrain.data.source_options import COMMON_OPTIONS, check_option_names, check_option_types
from tuitrain.data.preprocess import apply_step, resolve_step
from tuitrain.data.sources import get_source, parse_source
from tuitrain.data.split import count_classes, split_validation
from tuitrain.common.errors import DataError
from tuitrain.common.suggest import did_you_mean

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


def preprocess_steps(data_spec: dict[str, Any]) -> list[tuple[Any, dict[str, Any], str, str | None]]:
    """(op function, arguments, "x"/"y", key of one of several arrays or None) per step."""
    steps = data_spec.get("preprocess", [])
    if not isinstance(steps, list):
        raise DataError('expected a list of tables like [{ op = "standardize" }].', path="data.preprocess")
    return [(*resolve_step(step, i), step.get("key") if isinstance(step, dict) else None) for i, step in enumerate(steps)]


def array_names(data_spec: dict[str, Any], option: str) -> list[str] | None:
    """The names of several x (or y) arrays, when x_key (y_key) is a list."""
    value = data_spec.get(option)
    return [str(v) for v in value] if isinstance(value, list) else None


def step_slot(names: list[str] | None, key: str | None, fn: Any, target: str, index: int) -> int | None:
    """Which of several arrays a step works on (None: the one array)."""
    where = f"data.preprocess[{index}]"
    option = f"{target}_key"
    if names is None:
        if key is not None:
            raise DataError(f"key names one of several arrays, but {option} names one array.", path=f"{where}.key")
        return None
    if key is None:
        raise DataError(
            f"there are several {target} arrays ({', '.join(names)}): say which one {fn.__name__} works on"
            f" with key = {names[0]!r} (one step per array).",
            path=where,
        )
    if key not in names:
        raise DataError(f"{key!r} is not one of {option} = {names}.{did_you_mean(key, names)}", path=f"{where}.key")
    return names.index(key)


def load_dataset(data_spec: dict[str, Any], *, seed: int, base_dir: Path | str | None = None) -> Dataset:
    """Arrays for a preset's [data] table. Raises DataError with key paths (`data.preprocess[1].op`)."""
    base_dir = Path(base_dir) if base_dir is not None else Path.cwd()
    kind, name, options = source_options(data_spec)
    steps = preprocess_steps(data_spec)  # checked before the (maybe slow) load
    raw: RawData = get_source(kind).load(name, options, seed=seed, base_dir=base_dir)
    check_real_arrays(raw)
    fraction, _ = validation_fraction(data_spec, raw.x_test is not None)
    x_names = array_names(data_spec, "x_key") or raw.x_names
    y_names = array_names(data_spec, "y_key") or raw.y_names
    x_train, y_train, x_val, y_val, weights, weights_val = _split(raw, fraction, seed)
    arrays = {"x": [x_train, x_val], "y": [y_train, y_val]}
    class_names = _preprocess(steps, arrays, {"x": x_names, "y": y_names}, raw.class_names)
    (x_train, x_val), (y_train, y_val) = arrays["x"], arrays["y"]
    num_classes = _num_classes(raw.task, y_train, y_val)
    if class_names is not None and num_classes is not None and len(class_names) != num_classes:
        class_names = None
    return Dataset(
        x_train=x_train,
        y_train=y_train,
        x_val=x_val,
        y_val=y_val,
        num_classes=num_classes,
        task=raw.task,
        class_names=class_names,
        source=str(data_spec["source"]),
        x_names=x_names,
        y_names=y_names,
        sample_weight=weights,
        sample_weight_val=weights_val,
        notes=list(raw.notes),
    )


def _split(raw: RawData, fraction: float | None, seed: int) -> tuple[Any, Any, Any, Any, Any, Any]:
    """(x_train, y_train, x_val, y_val, weights, validation weights): the source's own test split when
    ``fraction`` is None, else ``fraction`` of the samples held out (a split that leaves a side empty is an error)."""
    if fraction is None:
        return raw.x, raw.y, raw.x_test, raw.y_test, raw.sample_weight, None
    x_train, y_train, x_val, y_val = split_validation(raw.x, raw.y, fraction, seed + 1)
    weights, weights_val = raw.sample_weight, None
    if weights is not None:
        weights, _, weights_val, _ = split_validation(weights, None, fraction, seed + 1)
    if fraction > 0 and (_count(x_train) == 0 or _count(x_val) == 0):
        raise DataError(
            f"a split of {fraction} leaves {_count(x_train)} training and {_count(x_val)} validation samples"
            f" out of {_count(raw.x)}.",
            path="data.validation_split",
        )
    return x_train, y_train, x_val, y_val, weights, weights_val


def _preprocess(steps: list, arrays: dict[str, list], names: dict[str, Any], class_names: list[str] | None) -> list[str] | None:
    """Apply the preprocessing steps in order to ``arrays`` (``{"x"/"y": [train, val]}``, changed in place);
    the class names, which ``encode_labels`` sets."""
    for index, (fn, args, target, key) in enumerate(steps):
        train, val = arrays[target]
        if train is None:
            raise DataError(f"{fn.__name__} works on labels, but this data has none.", path=f"data.preprocess[{index}]")
        slot = step_slot(names[target], key, fn, target, index)
        part_train = train if slot is None else train[slot]
        part_val = val if slot is None or val is None else val[slot]
        if fn.__name__ == "encode_labels":
            check_label_classes(part_train, where=f"data.preprocess[{index}]")
        if fn.__name__ == "one_hot":
            check_class_labels(part_train, part_val, where=f"data.preprocess[{index}]")
            if args.get("num_classes") is None:
                args = {**args, "num_classes": count_classes(part_train, part_val)}
        part_train, part_val = apply_step(fn, args, part_train, part_val, index)
        if fn.__name__ == "encode_labels" and slot is None:
            class_names = [str(c) for c in fn(train).classes]
        if slot is None:
            arrays[target] = [part_train, part_val]
        else:
            train = list(train)
            train[slot] = part_train
            if val is not None:
                val = list(val)
                val[slot] = part_val
            arrays[target] = [train, val]
    return class_names


def _num_classes(task: str, y_train: Any, y_val: Any) -> int | None:
    """How many classes one output's labels have (None for regression or several outputs); class
    labels of every output are checked to be 0..K-1."""
    if task == "classification" and y_train is not None and not isinstance(y_train, list):
        if _sparse(y_train):
            check_class_labels(y_train, y_val, where="data")
            return count_classes(y_train, y_val)
        return int(y_train.shape[-1])
    if isinstance(y_train, list):
        for part_train, part_val in zip(y_train, y_val or [None] * len(y_train)):
            if _sparse(part_train) and infer_task(part_train) == "classification":
                check_class_labels(part_train, part_val, where="data")
    return None


def check_real_arrays(raw: RawData) -> None:
    """Complex numbers are an error: Keras would keep only their real part, silently."""
    for name in ("x", "y", "x_test", "y_test", "sample_weight"):
        value = getattr(raw, name)
        for i, array in enumerate(value if isinstance(value, list) else [value]):
            if array is not None and np.asarray(array).dtype.kind == "c":
                shown = f"{name}[{i}]" if isinstance(value, list) else name
                raise DataError(f"{shown} holds complex numbers ({array.dtype}); a model computes in real numbers and"
                                " would keep only the real part: store the real and imaginary parts as separate"
                                " features (np.stack([a.real, a.imag], axis=-1))", path="data.source")


def check_label_classes(labels: Any, *, where: str) -> None:
    """encode_labels makes one class per distinct value: more than the limit is not a classification."""
    from tuitrain.common.limits import MAX_LABEL_CLASSES

    count = len(np.unique(np.asarray(labels).reshape(len(labels)))) if len(labels) else 0
    if count > MAX_LABEL_CLASSES:
        raise DataError(f"the labels hold {count:,} distinct values, over the limit of {MAX_LABEL_CLASSES:,} classes"
                        " for encode_labels: are they regression targets? (task = \"regression\")", path=where)


def check_class_labels(y_train: np.ndarray, y_val: np.ndarray | None, *, where: str) -> None:
    """Sparse class labels must be the indices 0..K-1; anything else names the op that makes them so."""
    for name, y in (("y_train", y_train), ("y_val", y_val)):
        if y is None or len(y) == 0:
            continue
        bad = None
        if y.dtype.kind in "USO":
            bad = "text labels"
        elif y.dtype.kind == "f" and not np.array_equal(y, np.round(y)):
            bad = "fractional labels"
        elif y.dtype.kind in "iuf" and np.min(y) < 0:
            bad = "negative labels"
        if bad is None:
            continue
        values = np.unique(np.asarray(y).reshape(-1))
        shown = ", ".join(str(v) for v in values[:8]) + (", …" if len(values) > 8 else "")
        raise DataError(
            f"{name} holds {bad} ({shown}), but class labels must be the indices 0..K-1: add"
            ' preprocess = [{ op = "encode_labels" }] to [data], which maps them to 0..K-1 and keeps'
            ' the original values as class names (or set task = "regression" if they are numbers to predict).',
            path=where,
        )


def _count(x: Any) -> int:
    if x is None:
        return 0
    return len(x[0]) if isinstance(x, list) else len(x)


def _sparse(y: np.ndarray) -> bool:
    return y.ndim == 1 or (y.ndim == 2 and y.shape[-1] == 1)
