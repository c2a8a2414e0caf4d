"""Keras objects written as tables: `{ type = "ClassName", arg = value, ... }` wherever Keras takes an object.

Which Keras registry builds a table follows from the argument it is given to, by Keras' own naming
(`kernel_initializer` → keras.initializers, `bias_regularizer` → keras.regularizers,
`kernel_constraint` → keras.constraints, an optimizer's `learning_rate` → keras.optimizers.schedules,
a wrapper's `layer`/`backward_layer` → keras.layers). Classes and their arguments are looked up in
the Keras catalogue (tuitrain.catalogue.registry); nested tables are built first, so a schedule inside an optimizer or an initializer
inside a wrapped layer works, and every error names the preset key (`layers[1].layer.units`).
"""

from __future__ import annotations

from typing import Any, Callable

from tuitrain.common.errors import SpecError
from tuitrain.common.suggest import did_you_mean

# Argument name (exact, or a suffix starting with "_") → the catalogue kind whose classes build it.
_EXACT = {
    "learning_rate": "schedule",
    "layer": "layer",
    "backward_layer": "layer",
    "initializer": "initializer",
    "regularizer": "regularizer",
    "constraint": "constraint",
}
_SUFFIX = {"_initializer": "initializer", "_regularizer": "regularizer", "_constraint": "constraint"}
# Kinds whose registry also takes a short name ("he_normal", "l2", "non_neg").
_NAMED_KINDS = ("initializer", "regularizer", "constraint")


def registry_for(arg: str) -> str | None:
    """The catalogue kind (`schedule`, `initializer`, …, `layer`) that builds objects for argument `arg`, or None."""
    if arg in _EXACT:
        return _EXACT[arg]
    return next((kind for suffix, kind in _SUFFIX.items() if arg.endswith(suffix)), None)


def is_object_table(value: Any) -> bool:
    return isinstance(value, dict) and "type" in value


def build_object(kind: str, value: dict[str, Any], *, path: str, make_layer: Callable[..., Any] | None = None) -> Any:
    """One table → one Keras object of catalogue `kind`; nested tables are resolved by their own argument names."""
    from tuitrain.catalogue import registry as keras_catalogue
    from tuitrain.model.messages import clean_keras_message

    if kind == "layer":
        if make_layer is None:  # pragma: no cover - callers that build layers pass their builder
            raise SpecError("a layer table cannot be built here", path=path)
        return make_layer(value, path=path)
    classes = keras_catalogue.classes(kind)
    name = value["type"]
    if not isinstance(name, str):
        raise SpecError(f"expected the name of a keras.{keras_catalogue.namespace(kind).__name__.split('.')[-1]} class, got {name!r}", path=f"{path}.type")
    cls = classes.get(name) or next((c for n, c in classes.items() if n.lower() == name.lower()), None)
    if cls is None:
        raise SpecError(
            f"unknown {kind} '{name}'.{did_you_mean(name, list(classes))} Keras offers: {', '.join(sorted(classes))}.",
            path=f"{path}.type",
        )
    args = {k: v for k, v in value.items() if k != "type"}
    known, open_ended = keras_catalogue.constructor_arg_names(cls)
    for key in args:
        if key not in known and not open_ended:
            raise SpecError(
                f"{cls.__name__} has no argument '{key}'.{did_you_mean(key, known)} Valid arguments: {', '.join(known)}.",
                path=f"{path}.{key}",
            )
    args = resolve_args(args, path=path, make_layer=make_layer)
    nullable = keras_catalogue.nullable_arg_names(cls)
    for key in [k for k, v in args.items() if v == "None"]:  # TOML has no null
        if key not in nullable:
            raise SpecError(f"{cls.__name__} does not take None for {key} (its default is not None)", path=f"{path}.{key}")
        args[key] = None
    try:
        return cls(**args)
    except (TypeError, ValueError, KeyError, AttributeError) as err:
        raise SpecError(f"Keras cannot create {cls.__name__}: {clean_keras_message(err)}", path=path) from None


def resolve_args(kwargs: dict[str, Any], *, path: str, make_layer: Callable[..., Any] | None = None) -> dict[str, Any]:
    """Constructor arguments with every `{ type = ... }` table whose registry is known built into an object.

    A short name for an initializer/regularizer/constraint is checked against Keras' own registry.
    A table for an argument of no known registry is passed as Keras' serialized form
    (`{"class_name": ..., "config": ...}`), which Keras' own `get()` functions accept.
    A wrapper's `layer` must be a table: a bare string names no layer arguments.
    """
    out: dict[str, Any] = {}
    for key, value in kwargs.items():
        kind = registry_for(key)
        where = f"{path}.{key}"
        if kind is not None and is_object_table(value):
            out[key] = build_object(kind, value, path=where, make_layer=make_layer)
        elif isinstance(value, str) and kind in _NAMED_KINDS and value != "None":  # "None": see none_values
            out[key] = _checked_name(kind, value, path=where)
        elif kind == "layer" and make_layer is not None:
            raise SpecError(f'expected a layer table such as {{ type = "LSTM", units = 64 }}, got {value!r}', path=where)
        else:
            out[key] = serialized(value)
    return out


def _checked_name(kind: str, name: str, *, path: str) -> str:
    """A short name (`"he_normal"`) that Keras' registry of `kind` resolves, else a SpecError at its key."""
    from tuitrain.catalogue import registry as keras_catalogue

    known = keras_catalogue.registry_names(kind)
    if name not in known:
        try:
            keras_catalogue.namespace(kind).get(name)
        except (ValueError, TypeError):
            raise SpecError(f"unknown {kind} '{name}'.{did_you_mean(name, known)} Keras knows: {', '.join(known)}.", path=path) from None
    return name


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
