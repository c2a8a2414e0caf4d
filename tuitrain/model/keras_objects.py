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
from tuitrain.model.fallbacks import refuse_fallbacks
from tuitrain.preset.values import is_typed, typed

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



def refuse_unknown_args(owner: str, keys, known: list[str], open_ended: bool, *, path: str) -> None:
    """A located error for the first key ``owner`` does not take (unless its signature stays open)."""
    for key in keys:
        if key not in known and not open_ended:
            raise SpecError(
                f"{owner} has no argument '{key}'.{did_you_mean(key, known)} Valid arguments: {', '.join(known)}.",
                path=f"{path}.{key}",
            )

def registry_for(arg: str) -> str | None:
    """The catalogue kind (`schedule`, `initializer`, …, `layer`) that builds objects for argument `arg`, or None."""
    if arg in _EXACT:
        return _EXACT[arg]
    return next((kind for suffix, kind in _SUFFIX.items() if arg.endswith(suffix)), None)


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
    _, args = typed(value)
    refuse_unknown_args(cls.__name__, args, *keras_catalogue.constructor_arg_names(cls), path=path)
    args = resolve_args(args, path=path, make_layer=make_layer)
    nullable = keras_catalogue.nullable_arg_names(cls)
    for key in [k for k, v in args.items() if v == "None"]:  # TOML has no null
        if key not in nullable:
            raise SpecError(f"{cls.__name__} does not take None for {key} (its default is not None)", path=f"{path}.{key}")
        args[key] = None
    with refuse_fallbacks(cls.__name__, path=path, keys=args):
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
        if kind is not None and is_typed(value):
            out[key] = build_object(kind, value, path=where, make_layer=make_layer)
        elif isinstance(value, str) and kind in _NAMED_KINDS and value != "None":  # "None": see none_values
            out[key] = _checked_name(kind, value, path=where)
        elif kind == "layer" and make_layer is not None:
            raise SpecError(f'expected a layer table such as {{ type = "LSTM", units = 64 }}, got {value!r}', path=where)
        else:
            out[key] = serialized(checked_tables(value, path=where), with_module=True)
    return out


# Keras' own serialized form (`{ module = "keras.layers", class_name = "ReLU", config = {...} }`).
SERIALIZED_KEYS = ("module", "class_name", "config", "registered_name")


def checked_tables(value: Any, *, path: str) -> Any:
    """Object tables for an argument of no known registry (``activation``…), checked like ``{type = …}`` ones.

    Keras' serialized dicts become ``{type = …}`` tables; ``module`` may only name Keras' public
    namespaces; every class must be one the catalogue offers and none that runs functions or loads
    files (``Lambda``). Without this Keras' ``deserialize`` would import any module it is told.
    """
    if isinstance(value, list):
        return [checked_tables(v, path=f"{path}[{i}]") for i, v in enumerate(value)]
    if not isinstance(value, dict):
        return value
    if any(k in value for k in SERIALIZED_KEYS) and not is_typed(value):
        value = _from_serialized(value, path=path)
    if not is_typed(value):
        return {k: checked_tables(v, path=f"{path}.{k}") for k, v in value.items()}
    _catalogue_class(value["type"], path=f"{path}.type")
    return {k: (v if k == "type" else checked_tables(v, path=f"{path}.{k}")) for k, v in value.items()}


def _from_serialized(value: dict[str, Any], *, path: str) -> dict[str, Any]:
    from tuitrain.catalogue import registry as keras_catalogue

    extra = [k for k in value if k not in SERIALIZED_KEYS]
    if extra:
        raise SpecError(f"unknown key '{extra[0]}' in a serialized Keras object; valid keys: {', '.join(SERIALIZED_KEYS)}",
                        path=f"{path}.{extra[0]}")
    name, module, config = value.get("class_name"), value.get("module"), value.get("config", {})
    if not isinstance(name, str) or not name:
        raise SpecError(f"expected class_name = \"…\" (a Keras class), got {name!r}", path=f"{path}.class_name")
    public = ["keras", "keras.activations"] + [f"keras.{keras_catalogue.namespace_path(k)}" for k in keras_catalogue.KINDS]
    if module is not None and module not in public:
        raise SpecError(f"module {module!r} is not one of Keras' public namespaces ({', '.join(public)});"
                        " a preset may only name Keras' own classes", path=f"{path}.module")
    registered = value.get("registered_name")
    if registered is not None and registered != name:
        raise SpecError(f"registered_name {registered!r} names a custom object; a preset may only name Keras' own"
                        f" classes (as class_name = {name!r})", path=f"{path}.registered_name")
    if not isinstance(config, dict):
        raise SpecError(f"expected a table of the class's arguments, got {config!r}", path=f"{path}.config")
    return {"type": name, **config}


def _catalogue_class(name: Any, *, path: str) -> type:
    """The class a table names, found among the catalogue's kinds; refused when it runs code or reads files."""
    from tuitrain.catalogue import registry as keras_catalogue
    from tuitrain.model.confine import layer_refusal

    found = None
    if isinstance(name, str):
        found = next((keras_catalogue.classes(k).get(name) for k in keras_catalogue.KINDS
                      if name in keras_catalogue.classes(k)), None)
    if found is None:
        known = sorted({n for k in keras_catalogue.KINDS for n in keras_catalogue.classes(k)})
        raise SpecError(f"{name!r} is not a class Keras exports (keras.layers, keras.initializers, …).{did_you_mean(str(name), known)}",
                        path=path)
    why = layer_refusal(found)
    if why:
        raise SpecError(f"{why}; a preset may not use it here", path=path)
    return found


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


def serialized(value: Any, *, with_module: bool = False) -> Any:
    """Preset tables with `type` → Keras' serialized form, so `initializers.get` etc. accept them.

    ``with_module``: name the Keras namespace the catalogue found the class in (``keras.layers``
    for ``ReLU`` as an activation), so Keras looks nowhere else.
    """
    if is_typed(value):
        name, args = value["type"], typed(value)[1]
        out = {"class_name": name, "config": {k: serialized(v, with_module=with_module) for k, v in args.items()}}
        module = _keras_module(name) if with_module else None
        return {"module": module, **out} if module else out
    if isinstance(value, dict):
        return {k: serialized(v, with_module=with_module) for k, v in value.items()}
    if isinstance(value, list):
        return [serialized(v, with_module=with_module) for v in value]
    return value


def _keras_module(name: Any) -> str | None:
    from tuitrain.catalogue import registry as keras_catalogue

    kind = next((k for k in keras_catalogue.KINDS if isinstance(name, str) and name in keras_catalogue.classes(k)), None)
    return f"keras.{keras_catalogue.namespace_path(kind)}" if kind else None
