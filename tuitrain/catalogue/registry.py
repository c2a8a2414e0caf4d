"""What Keras offers, read from Keras itself: the one catalogue of classes, names and arguments.

Both the preset validator (``tuitrain.model``) and the forms of the app ask here, so what the
app offers and what a preset may name never disagree.  Everything is read from Keras: exported
namespaces (``keras.layers``, ``keras.optimizers`` …), the registries behind
``keras.activations.get`` / ``keras.initializers.get`` … and constructor signatures
(``inspect.signature``).  A newer Keras shows its new
layers and arguments without a code change; there is no hand-written table of Keras names.

Kinds (``KINDS``): layer, optimizer, loss, metric, callback, initializer, regularizer,
constraint, schedule (learning-rate schedules).  For each kind:

- ``classes(kind)``: every concrete exported class a preset may name (``{name: class}``);
- ``class_names(kind)``: the choices a picker offers (``classes`` less what makes no sense to
  add by hand, e.g. the ``History`` callback ``fit()`` adds itself);
- ``resolve_class(kind, name)``: one class, ``KeyError`` if Keras has none of that name;
- ``constructor_arg_names(cls)``: the named arguments a constructor accepts (for validation).

The same arguments as form fields (default, kind of value, choices, description) are
``tuitrain.catalogue.params``, built on this module.

String names that registries accept (``"relu"``, ``"he_normal"``, ``"mse"``) come from
``registry_names(kind)`` and, by an argument's naming convention, ``registry_choices(arg)``.

To add a kind: one line in ``_KIND_PATHS`` (namespace and base class), and its bases in
``_BASES``.  Keras is imported inside the functions: importing this module costs nothing, and
the app paints before TensorFlow loads.
"""

from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass, field
from typing import Any

# kind → (namespace under `keras`, base class in that namespace)
_KIND_PATHS = {
    "layer": ("layers", "layers.Layer"),
    "optimizer": ("optimizers", "optimizers.Optimizer"),
    "loss": ("losses", "losses.Loss"),
    "metric": ("metrics", "metrics.Metric"),
    "callback": ("callbacks", "callbacks.Callback"),
    "initializer": ("initializers", "initializers.Initializer"),
    "regularizer": ("regularizers", "regularizers.Regularizer"),
    "constraint": ("constraints", "constraints.Constraint"),
    "schedule": ("optimizers.schedules", "optimizers.schedules.LearningRateSchedule"),
}
KINDS = tuple(_KIND_PATHS)

# Names whose exported objects are helpers, not registry entries.
_HELPERS = frozenset({"get", "serialize", "deserialize"})
# Base classes Keras exports for subclassing; a model never contains them as such.
_BASES = {
    "layer": frozenset({"Layer", "Wrapper", "InputLayer"}),
    "optimizer": frozenset({"Optimizer"}),
    "loss": frozenset({"Loss", "LossFunctionWrapper"}),
    "metric": frozenset({"Metric", "MeanMetricWrapper", "Reduce"}),
    "callback": frozenset({"Callback", "CallbackList"}),
    "initializer": frozenset({"Initializer"}),
    "regularizer": frozenset({"Regularizer"}),
    "constraint": frozenset({"Constraint"}),
    "schedule": frozenset({"LearningRateSchedule"}),
}
# Callbacks that ``fit()`` adds by itself; a picker offering them would add a second copy.
_FIT_ADDS = frozenset({"History", "ProgbarLogger"})
# Arguments that every Layer accepts through **kwargs (see keras.layers.Layer.__init__).
BASE_LAYER_KWARGS = ("input_shape", "input_dim", "batch_size")


@dataclass(frozen=True)
class ClassInfo:
    """A class in a picker: its exported name, the real class name when it is an alias, a note."""

    name: str
    alias_of: str | None = None
    summary: str = ""
    needs_sublayer: bool = False
    extra: dict = field(default_factory=dict)


def _keras():
    import keras  # noqa: PLC0415 - lazy on purpose: TensorFlow is slow to import

    return keras


def _attr_path(path: str) -> Any:
    obj = _keras()
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def _check_kind(kind: str) -> None:
    if kind not in _KIND_PATHS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")


def namespace(kind: str) -> Any:
    """The Keras module that exports the classes and names of ``kind`` (``keras.layers`` …)."""
    _check_kind(kind)
    return _attr_path(_KIND_PATHS[kind][0])


def namespace_path(kind: str) -> str:
    """Where ``kind`` lives under ``keras`` as code writes it (``"optimizers.schedules"``)."""
    _check_kind(kind)
    return _KIND_PATHS[kind][0]


def base_class(kind: str) -> type:
    """The class every class of ``kind`` derives from (``keras.layers.Layer`` …)."""
    _check_kind(kind)
    return _attr_path(_KIND_PATHS[kind][1])


def exported_names(kind: str) -> list[str]:
    """Every public name the namespace of ``kind`` exports (classes and functions), for messages."""
    return [n for n in dir(namespace(kind)) if not n.startswith("_")]


def _required_params(cls) -> list[str]:
    try:
        sig = inspect.signature(cls.__init__)
    except (TypeError, ValueError):
        return []
    return [
        p.name
        for p in list(sig.parameters.values())[1:]
        if p.default is inspect.Parameter.empty and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    ]


@functools.cache
def _classes(kind: str) -> tuple[tuple[str, type], ...]:
    ns, base = namespace(kind), base_class(kind)
    out = []
    for name in dir(ns):
        if name.startswith("_") or not name[:1].isupper() or name in _BASES[kind]:
            continue
        obj = getattr(ns, name)
        if not (inspect.isclass(obj) and issubclass(obj, base)):
            continue
        # An optimizer that wraps another one (LossScaleOptimizer(inner_optimizer)) is not
        # something a preset names: it names one optimizer.
        if kind == "optimizer" and _required_params(obj):
            continue
        out.append((name, obj))
    return tuple(out)


def classes(kind: str) -> dict[str, type]:
    """Every concrete class of ``kind`` Keras exports, by exported name (aliases included)."""
    return dict(_classes(kind))


def class_names(kind: str) -> tuple[str, ...]:
    """The classes of ``kind`` a picker offers, sorted; bases and ``fit()``'s own callbacks left out."""
    names = [n for n, _ in _classes(kind) if not (kind == "callback" and n in _FIT_ADDS)]
    return tuple(sorted(names, key=str.lower))


def layer_class_names() -> list[str]:
    """Every layer class ``keras.layers`` exports (aliases such as ``AvgPool2D`` included)."""
    return list(class_names("layer"))


def optimizer_names() -> list[str]:
    return list(class_names("optimizer"))


def callback_names() -> list[str]:
    return list(class_names("callback"))


def schedule_names() -> list[str]:
    """Learning-rate schedules (``keras.optimizers.schedules``) a ``learning_rate`` table may name."""
    return list(class_names("schedule"))


def resolve_class(kind: str, name: str) -> type:
    """The Keras class called ``name`` in the namespace of ``kind``; ``KeyError`` if none."""
    obj = getattr(namespace(kind), name, None)
    if not inspect.isclass(obj):
        raise KeyError(name)
    return obj


def class_info(kind: str, name: str) -> "ClassInfo":
    if kind == "layer" and name in application_builders() and not hasattr(namespace(kind), name):
        doc = (inspect.getdoc(application_builders()[name]) or "").strip().split("\n", 1)[0]
        return ClassInfo(name=name, summary=f"keras.applications backbone: {doc}", extra={"application": True})
    cls = resolve_class(kind, name)
    summary = (inspect.getdoc(cls) or "").strip().split("\n", 1)[0]
    needs_sub = kind == "layer" and "layer" in _required_params(cls)
    alias = cls.__name__ if cls.__name__ != name else None
    return ClassInfo(name=name, alias_of=alias, summary=summary, needs_sublayer=needs_sub)


def constructor_arg_names(cls: type) -> tuple[list[str], bool]:
    """Named constructor arguments along the MRO while each level forwards ``**kwargs``; and
    whether the signature stays open (some level takes ``**kwargs`` it does not name)."""
    names: list[str] = []
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        try:
            params = inspect.signature(init).parameters.values()
        except (TypeError, ValueError):
            return names, True
        forwards = False
        for p in params:
            if p.name == "self":
                continue
            if p.kind is p.VAR_KEYWORD:
                forwards = True
            elif p.kind is not p.VAR_POSITIONAL and p.name not in names:
                names.append(p.name)
        if not forwards:
            return names, False
        if klass.__name__ == "Layer":
            return names + [k for k in BASE_LAYER_KWARGS if k not in names], False
    return names, True


def rejects_extra_kwargs(cls: type) -> bool:
    """Optimizers take ``**kwargs`` only to reject them; other open signatures may really use them."""
    return issubclass(cls, base_class("optimizer"))


# ---------------------------------------------------------------- registry names

_REGISTRY_MODULES = {
    "loss": "losses",
    "metric": "metrics",
    "activation": "activations",
    "initializer": "initializers",
    "regularizer": "regularizers",
    "constraint": "constraints",
}


@functools.cache
def _function_names(module_name: str) -> tuple[str, ...]:
    """Lower-case exported names of a Keras registry module that its own ``get`` accepts."""
    mod = getattr(_keras(), module_name)
    out = []
    for name in dir(mod):
        if name.startswith("_") or name in _HELPERS or not name[0].islower():
            continue
        obj = getattr(mod, name)
        if not callable(obj) or inspect.ismodule(obj):
            continue
        try:
            if mod.get(name) is None:
                continue
        except Exception:  # noqa: BLE001 - an entry its own registry refuses is not a choice
            continue
        out.append(name)
    return tuple(sorted(out))


def registry_names(kind: str) -> list[str]:
    """Lower-case names the Keras registry of ``kind`` accepts as strings (``"relu"``, ``"mse"``).

    ``kind`` is one of loss, metric, activation, initializer, regularizer, constraint.
    """
    return list(_function_names(_REGISTRY_MODULES[kind]))


def loss_names() -> list[str]:
    """Loss names ``compile(loss=...)`` accepts as strings (``keras.losses.get``)."""
    return list(_function_names("losses"))


def metric_names() -> list[str]:
    """Metric names ``compile(metrics=[...])`` accepts: ``accuracy`` plus the exported functions."""
    names = list(_function_names("metrics"))
    # "accuracy" is resolved by compile() itself to the right accuracy for the loss.
    return ["accuracy", *[n for n in names if n != "accuracy"]]


def activation_names() -> list[str]:
    return list(_function_names("activations"))


def initializer_names() -> list[str]:
    return list(_function_names("initializers"))


def regularizer_names() -> list[str]:
    return list(_function_names("regularizers"))


def constraint_names() -> list[str]:
    return list(_function_names("constraints"))


# ---------------------------------------------------------------- choices by argument name


def registry_choices(arg_name: str) -> list[str]:
    """Names a Keras registry accepts for an argument, by the argument's naming convention.

    ``activation`` / ``*_activation`` -> ``keras.activations``; ``*_initializer`` ->
    ``keras.initializers``; ``*_regularizer`` -> ``keras.regularizers``; ``*_constraint`` ->
    ``keras.constraints``.  Other arguments have no registry: [].
    """
    if arg_name == "activation" or arg_name.endswith("_activation"):
        return activation_names()
    if arg_name.endswith("initializer"):
        return initializer_names()
    if arg_name.endswith("regularizer"):
        return regularizer_names()
    if arg_name.endswith("constraint"):
        return constraint_names()
    return []


def _squash(name: str) -> str:
    return name.replace("_", "").lower()


def loss_class_name(loss: str) -> str | None:
    """The ``keras.losses`` class behind a loss name (``sparse_categorical_crossentropy`` →
    ``SparseCategoricalCrossentropy``), whose constructor has the options (``from_logits``...)."""
    return next((c for c in class_names("loss") if _squash(c) == _squash(loss)), None)


def loss_function_name(class_name: str) -> str | None:
    """The name ``compile(loss=...)`` accepts for a loss class, the reverse of ``loss_class_name``."""
    return next((n for n in loss_names() if _squash(n) == _squash(class_name)), None)


# ---------------------------------------------------------------- keras.applications


@functools.cache
def _applications() -> tuple[tuple[str, Any], ...]:
    apps = _keras().applications
    return tuple((n, getattr(apps, n)) for n in dir(apps) if n[:1].isupper() and inspect.isfunction(getattr(apps, n)))


def layer_type_names() -> list[str]:
    """What a layer row's ``type`` may name: every ``keras.layers`` class and every
    ``keras.applications`` backbone (``MobileNetV2``, ``EfficientNetB0`` …), sorted."""
    return sorted({*class_names("layer"), *application_builders()}, key=str.lower)


def application_builders() -> dict[str, Any]:
    """The model constructors ``keras.applications`` exports (``EfficientNetB0`` …), by name: a preset
    row may name any of them as its ``type``."""
    return dict(_applications())


def _signature_levels(obj: Any) -> list[list[inspect.Parameter]]:
    """The named parameters of a function, or of a class's ``__init__`` along the MRO while each level
    forwards ``**kwargs`` (the levels ``constructor_arg_names`` reads)."""
    if not inspect.isclass(obj):
        try:
            return [list(inspect.signature(obj).parameters.values())]
        except (TypeError, ValueError):
            return []
    levels = []
    for klass in obj.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        try:
            params = list(inspect.signature(init).parameters.values())
        except (TypeError, ValueError):
            break
        levels.append(params)
        if not any(p.kind is p.VAR_KEYWORD for p in params) or klass.__name__ == "Layer":
            break
    return levels


def callable_arg_names(fn: Any) -> tuple[list[str], bool]:
    """Named arguments of a function (``keras.applications.EfficientNetB0``), and whether it takes ``**kwargs``."""
    params = _signature_levels(fn)[0] if _signature_levels(fn) else []
    names = [p.name for p in params if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]
    return names, any(p.kind is p.VAR_KEYWORD for p in params)


def takes_none(param: inspect.Parameter) -> bool:
    """Whether Keras allows None for this parameter: its default is None or its annotation says Optional."""
    if param.default is None:
        return True
    note = param.annotation
    if note is inspect.Parameter.empty:
        return False
    text = note if isinstance(note, str) else repr(note)
    return "None" in text or "Optional" in text


def nullable_arg_names(obj: Any) -> set[str]:
    """Constructor (or function) arguments of ``obj`` that may be None, read from its signatures."""
    return {p.name for level in _signature_levels(obj) for p in level if takes_none(p)}
