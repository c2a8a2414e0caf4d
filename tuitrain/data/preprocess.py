"""Preprocessing ops: `[data].preprocess = [{ op = "rescale", factor = 0.0039 }, ...]`, applied in order.

Every op is one function in OPS, declared once: `op(train, **args) -> transform`. It looks at
the *training* array only (standardize/normalize take their statistics from it) and returns the
transform applied to both train and validation arrays. Its keyword arguments are the op's
arguments (checked through `inspect.signature`), and its source is pasted as is into the
script `tuitrain export` writes, so each body uses nothing but `np`.
"""

from __future__ import annotations

import inspect
import math
from typing import Any, Callable

import numpy as np

from tuitrain.common import limits
from tuitrain.common.errors import DataError
from tuitrain.common.suggest import did_you_mean

OPS: dict[str, Callable[..., Callable]] = {}


def _op(target: str = "x", targets: tuple[str, ...] = ("x", "y")):
    """Register an op; `target` is what it applies to when the preset does not say."""

    def register(fn):
        fn.default_target = target
        fn.targets = targets
        OPS[fn.__name__] = fn
        return fn

    return register


@_op()
def rescale(train, factor: float, offset: float = 0.0):
    """a * factor + offset as float32 (factor = 1/255 maps bytes to [0, 1])."""
    return lambda a: a.astype(np.float32) * np.float32(factor) + np.float32(offset)


@_op()
def standardize(train):
    """Per-feature (a - mean) / std with mean and std of the training data; constant features keep std 1."""
    mean = np.mean(train, axis=0, dtype=np.float64)
    std = np.std(train, axis=0, dtype=np.float64)
    std = np.where(std > 0, std, 1.0)
    return lambda a: ((a - mean) / std).astype(np.float32)


@_op()
def normalize(train):
    """Per-feature min-max scaling to [0, 1] with the training data's min and max."""
    low = np.min(train, axis=0).astype(np.float64)
    span = np.max(train, axis=0).astype(np.float64) - low
    span = np.where(span > 0, span, 1.0)
    return lambda a: ((a - low) / span).astype(np.float32)


@_op()
def reshape(train, shape: list):
    """Each sample to `shape` (the sample axis stays; one entry may be -1)."""
    return lambda a: a.reshape((len(a),) + tuple(shape))


@_op()
def flatten(train):
    """Each sample to one dimension: (N, 28, 28) -> (N, 784)."""
    return lambda a: a.reshape(len(a), -1)


@_op()
def expand_dims(train, axis: int = -1):
    """A new axis of size 1 in each sample; axis counts within a sample (-1: last, (28, 28) -> (28, 28, 1))."""
    where = axis + 1 if axis >= 0 else axis
    return lambda a: np.expand_dims(a, where)


@_op(target="y", targets=("y",))
def one_hot(train, num_classes: int | None = None):
    """Class indices (N,) or (N, 1) to float32 one-hot rows (N, num_classes)."""
    count = num_classes if num_classes is not None else int(np.max(train)) + 1

    def encode(a):
        index = np.asarray(a).reshape(len(a)).astype(np.int64)
        if index.size and (index.min() < 0 or index.max() >= count):
            raise ValueError(f"labels must be class indices in 0..{count - 1}, found {index.min()}..{index.max()}")
        rows = np.zeros((len(index), count), dtype=np.float32)  # N x count, never count x count
        rows[np.arange(len(index)), index] = 1.0
        return rows

    return encode


@_op(target="y", targets=("y",))
def encode_labels(train):
    """Any labels (-1/1, strings, 3/7/9) to class indices 0..K-1, in the sorted order of the training labels."""
    classes = np.unique(np.asarray(train).reshape(len(train)))

    def encode(a):
        flat = np.asarray(a).reshape(len(a))
        index = np.searchsorted(classes, flat).clip(0, len(classes) - 1)
        unknown = classes[index] != flat
        if unknown.any():
            raise ValueError(f"label {flat[unknown][0].item()!r} does not occur in the training labels {classes.tolist()[:10]}")
        return index.astype(np.int64)

    encode.classes = classes
    return encode


@_op()
def cast(train, dtype: str = "float32"):
    """To another numpy dtype (float32, int32, uint8, ...)."""
    return lambda a: a.astype(dtype)


@_op()
def clip(train, min: float | None = None, max: float | None = None):
    """Values below min / above max are set to the bound."""
    return lambda a: np.clip(a, min, max)


# ---------------------------------------------------------------------------
# Checking a step from the preset


def op_args(fn: Callable) -> dict[str, inspect.Parameter]:
    """The arguments a step may give (everything but `train`)."""
    params = inspect.signature(fn).parameters
    return {name: p for name, p in params.items() if name != "train"}


# Keys of a step that are not the op's arguments: which op, on x or y, and which array of several.
STEP_KEYS = ("op", "target", "key")


def resolve_step(step: Any, index: int) -> tuple[Callable, dict[str, Any], str]:
    """A preset step → (op function, its arguments, target), or DataError at `data.preprocess[i]...`."""
    where = f"data.preprocess[{index}]"
    if isinstance(step, str):
        step = {"op": step}
    if not isinstance(step, dict):
        raise DataError(f'expected a table like {{ op = "standardize" }}, got {step!r}.', path=where)
    name = step.get("op")
    if name is None:
        raise DataError(f"a step needs an op; one of {', '.join(OPS)}.", path=f"{where}.op")
    if name not in OPS:
        raise DataError(
            f"unknown op {name!r}.{did_you_mean(str(name), OPS)} Ops: {', '.join(OPS)}.", path=f"{where}.op"
        )
    fn = OPS[name]
    params = op_args(fn)
    target = step.get("target", fn.default_target)
    if target not in fn.targets:
        allowed = " or ".join(repr(t) for t in fn.targets)
        raise DataError(f"{name} applies to {allowed}, not {target!r}.", path=f"{where}.target")
    if "key" in step and not isinstance(step["key"], str):
        raise DataError(f"expected the name of one array of x_key/y_key, got {step['key']!r}.", path=f"{where}.key")
    args = {key: value for key, value in step.items() if key not in STEP_KEYS}
    for key, value in args.items():
        if key not in params:
            valid = ", ".join(list(params) + ["target", "key"])
            raise DataError(f"{name} takes no argument {key!r}.{did_you_mean(key, params)} Arguments: {valid}.", path=f"{where}.{key}")
        _check_type(value, params[key].annotation, f"{where}.{key}")
    for key, param in params.items():
        if param.default is inspect.Parameter.empty and key not in args:
            raise DataError(f"{name} needs the argument {key!r} ({_doc(fn)}).", path=f"{where}.{key}")
    if name == "cast":
        try:
            dtype = np.dtype(args.get("dtype", "float32"))
        except TypeError:
            raise DataError(f"unknown dtype {args['dtype']!r} (e.g. float32, int32, uint8).", path=f"{where}.dtype") from None
        if dtype.kind not in "biuf":  # objects, strings, bytes, complex, dates: nothing a model takes
            raise DataError(f"cannot cast to {args['dtype']!r} ({dtype.kind!r} kind): a model takes booleans, integers or"
                            " floats (e.g. float32, int32, uint8).", path=f"{where}.dtype")
    return fn, args, target


def _doc(fn: Callable) -> str:
    return (fn.__doc__ or "").strip().rstrip(".")


_TYPES = {
    "float": (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v), "a finite number"),
    "int": (lambda v: isinstance(v, int) and not isinstance(v, bool), "an integer"),
    "str": (lambda v: isinstance(v, str), "a string"),
    "list": (lambda v: isinstance(v, (list, tuple)) and all(isinstance(i, int) and not isinstance(i, bool) for i in v), "a list of integers"),
    "None": (lambda v: v is None, "none"),
}


def _check_type(value: Any, annotation: Any, path: str) -> None:
    """Check against the op's annotation (`float`, `int | None`, ...): the annotation is the declaration."""
    if annotation is inspect.Parameter.empty:
        return
    words = [w.strip() for w in str(annotation).split("|")]
    if any(_TYPES[w][0](value) for w in words if w in _TYPES):
        return
    expected = " or ".join(_TYPES[w][1] for w in words if w in _TYPES and w != "None")
    raise DataError(f"expected {expected}, got {value!r}.", path=path)


def apply_step(fn: Callable, args: dict[str, Any], train, val, index: int):
    """Fit on train, transform train and val; numpy's complaint becomes a DataError at the step."""
    if fn is one_hot:  # the one op whose output can dwarf its input: sized before it allocates
        limits.check_one_hot(train, val, args.get("num_classes"), path=f"data.preprocess[{index}]")
    try:
        transform = fn(train, **args)
        return transform(train), (None if val is None else transform(val))
    except (ValueError, TypeError, IndexError) as err:
        raise DataError(
            f"{fn.__name__} failed on an array of shape {tuple(train.shape)} ({train.dtype}): {err}",
            path=f"data.preprocess[{index}]",
        ) from None
