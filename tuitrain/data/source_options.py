"""What every data source shares: options read from function signatures, checked with messages
naming `data.<key>`; the "unknown data set" error; arguments for generated code."""

from __future__ import annotations

import inspect
import math
from typing import Any, Callable, Iterable

from tuitrain.common.errors import DataError
from tuitrain.common.suggest import did_you_mean

# Keys every source understands; they are handled by load_dataset, not by the source.
COMMON_OPTIONS = ("source", "validation_split", "preprocess")

_EMPTY = inspect.Parameter.empty


def signature_options(fn: Callable, *, skip: Iterable[str] = ()) -> dict[str, Any]:
    """Keyword arguments of `fn` with their defaults (`inspect.Parameter.empty` when required)."""
    skipped = set(skip)
    out: dict[str, Any] = {}
    for param in inspect.signature(fn).parameters.values():
        if param.name in skipped or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        out[param.name] = param.default
    return out


def check_option_names(given: dict[str, Any], allowed: dict[str, Any], *, source: str, prefix: str = "data") -> None:
    """Unknown keys → DataError at `data.<key>` listing every option this source takes."""
    for key in given:
        if key not in allowed:
            valid = ", ".join(list(allowed) + list(COMMON_OPTIONS[1:]))
            raise DataError(
                f"unknown option {key!r} for source {source!r}.{did_you_mean(key, allowed)}"
                f" Options for this source: {valid}.",
                path=f"{prefix}.{key}",
            )
    for key, default in allowed.items():
        if default is _EMPTY and key not in given:
            raise DataError(f"source {source!r} needs the option {key!r}.", path=f"{prefix}.{key}")


def check_option_types(given: dict[str, Any], defaults: dict[str, Any], *, prefix: str = "data") -> None:
    """A value must have the type of its default (ints accepted for floats; None defaults accept anything)."""
    for key, value in given.items():
        default = defaults.get(key, _EMPTY)
        if default is _EMPTY or default is None or value is None:
            continue
        if isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, int):
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif isinstance(default, float):  # NaN or infinity would make every sample NaN, silently
            ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        elif isinstance(default, (tuple, list)):
            ok = isinstance(value, (tuple, list))
        else:
            ok = isinstance(value, type(default))
        if not ok:
            raise DataError(
                f"expected {_type_word(default)} (like {default!r}), got {value!r}.", path=f"{prefix}.{key}"
            )


def _type_word(default: Any) -> str:
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, int):
        return "an integer"
    if isinstance(default, float):
        return "a finite number"
    if isinstance(default, (tuple, list)):
        return "a list"
    if isinstance(default, str):
        return "a string"
    return type(default).__name__


def unknown_name(kind: str, name: str, known: list[str]) -> DataError:
    return DataError(
        f"unknown {kind} data set {name!r}.{did_you_mean(name, known)} Known: {', '.join(known)}.",
        path="data.source",
    )


def call_args(options: dict[str, Any]) -> str:
    """`a=1, b='x'` for generated code (values are TOML scalars/lists, so repr is valid Python)."""
    from tuitrain.common.pycode import py

    return ", ".join(f"{key}={py(value)}" for key, value in options.items())
