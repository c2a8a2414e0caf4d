"""Keras objects written as tables: `{ type = "ClassName", arg = value, ... }` wherever Keras takes an object.

Which Keras registry builds a table follows from the argument it is given to, by Keras' own naming
(`kernel_initializer` → keras.initializers, `bias_regularizer` → keras.regularizers,
`kernel_constraint` → keras.constraints, an optimizer's `learning_rate` → keras.optimizers.schedules,
a wrapper's `layer`/`backward_layer` → keras.layers). Classes and their arguments are looked up in
Keras itself; nested tables are built first, so a schedule inside an optimizer or an initializer
inside a wrapped layer works, and every error names the preset key (`layers[1].layer.units`).
"""

from __future__ import annotations

import inspect
from typing import Any, Callable

from tuitrain.errors import SpecError

# Argument name (exact, or a suffix starting with "_") → the keras module whose classes build it.
_EXACT = {
    "learning_rate": "optimizers.schedules",
    "layer": "layers",
    "backward_layer": "layers",
    "initializer": "initializers",
    "regularizer": "regularizers",
    "constraint": "constraints",
}
_SUFFIX = {"_initializer": "initializers", "_regularizer": "regularizers", "_constraint": "constraints"}


def registry_for(arg: str) -> str | None:
    """The keras module (dotted, under `keras.`) that builds objects for argument `arg`, or None."""
    if arg in _EXACT:
        return _EXACT[arg]
    return next((module for suffix, module in _SUFFIX.items() if arg.endswith(suffix)), None)


def _module(dotted: str) -> Any:
    import keras

    module = keras
    for part in dotted.split("."):
        module = getattr(module, part)
    return module


def registry_classes(dotted: str) -> dict[str, type]:
    """Public classes a registry exports (the base classes themselves excluded)."""
    module = _module(dotted)
    out = {}
    for name in dir(module):
        obj = getattr(module, name)
        if name[:1].isupper() and inspect.isclass(obj):
            out[name] = obj
    for base in ("Layer", "Initializer", "Regularizer", "Constraint", "LearningRateSchedule", "Wrapper", "InputSpec"):
        out.pop(base, None)
    return out


def is_object_table(value: Any) -> bool:
    return isinstance(value, dict) and "type" in value


def build_object(
    dotted: str,
    value: dict[str, Any],
    *,
    path: str,
    make_layer: Callable[..., Any] | None = None,
) -> Any:
    """One table → one Keras object of `keras.<dotted>`; nested tables are resolved by their own argument names."""
    from tuitrain.model import _clean_keras_message, _did_you_mean, constructor_arg_names

    if dotted == "layers":
        if make_layer is None:  # pragma: no cover - callers that build layers pass their builder
            raise SpecError("a layer table cannot be built here", path=path)
        return make_layer(value, path=path)
    classes = registry_classes(dotted)
    name = value["type"]
    if not isinstance(name, str):
        raise SpecError(f"expected a class name of keras.{dotted}, got {name!r}", path=f"{path}.type")
    cls = classes.get(name) or next((c for n, c in classes.items() if n.lower() == name.lower()), None)
    if cls is None:
        raise SpecError(
            f"keras.{dotted} has no class '{name}'.{_did_you_mean(name, list(classes))}"
            f" Classes: {', '.join(sorted(classes))}.",
            path=f"{path}.type",
        )
    args = {k: v for k, v in value.items() if k != "type"}
    known, open_ended = constructor_arg_names(cls)
    for key in args:
        if key not in known and not open_ended:
            raise SpecError(
                f"{cls.__name__} has no argument '{key}'.{_did_you_mean(key, known)} Valid arguments: {', '.join(known)}.",
                path=f"{path}.{key}",
            )
    args = resolve_args(args, path=path, make_layer=make_layer)
    try:
        return cls(**args)
    except (TypeError, ValueError, KeyError, AttributeError) as err:
        raise SpecError(f"Keras cannot create {cls.__name__}: {_clean_keras_message(err)}", path=path) from None


def resolve_args(
    kwargs: dict[str, Any], *, path: str, make_layer: Callable[..., Any] | None = None
) -> dict[str, Any]:
    """Constructor arguments with every `{ type = ... }` table whose registry is known built into an object.

    A table for an argument of no known registry is left as Keras' serialized form
    (`{"class_name": ..., "config": ...}`), which Keras' own `get()` functions accept.
    A wrapper's `layer` must be a table: a bare string names no layer arguments.
    """
    out: dict[str, Any] = {}
    for key, value in kwargs.items():
        dotted = registry_for(key)
        where = f"{path}.{key}"
        if dotted is not None and is_object_table(value):
            out[key] = build_object(dotted, value, path=where, make_layer=make_layer)
        elif dotted == "layers" and make_layer is not None:
            raise SpecError(
                f'expected a layer table such as {{ type = "LSTM", units = 64 }}, got {value!r}', path=where
            )
        else:
            out[key] = serialized(value)
    return out


def serialized(value: Any) -> Any:
    """Preset tables with `type` → Keras' serialized form, so `initializers.get` etc. accept them."""
    if isinstance(value, dict):
        if "type" in value:
            config = {k: serialized(v) for k, v in value.items() if k != "type"}
            return {"class_name": value["type"], "config": config}
        return {k: serialized(v) for k, v in value.items()}
    if isinstance(value, list):
        return [serialized(v) for v in value]
    return value
