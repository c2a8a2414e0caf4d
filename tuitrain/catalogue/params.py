"""Keras constructor and method arguments as form fields (``Param``), read from Keras itself.

Every editor of the app (the layer and callback dialogs, the Compile pane, the [data] form) shows
a Keras signature as a form; this module turns one into ``Param`` fields: the default, the kind
of value (from the default and the docstring, since Keras carries almost no type hints), the
choices (a registry's names, a class's ``_SUPPORTED_*`` values, the strings a docstring lists)
and the description.  It is apart from ``tuitrain.catalogue.registry`` because that module answers
*what Keras has* (classes, registry names, accepted argument names) for the validator too, while
this one answers *how a form shows it*; the catalogue never needs it, so the import runs one way.

- ``constructor_params(kind, name)``: a class's arguments, base ``Layer`` kwargs expanded;
- ``common_param_names(kind, name)``: those every class of the kind shares (a form folds them);
- ``compile_params()`` / ``fit_params()``: the plain ``Model.compile`` / ``Model.fit`` fields.

Keras is imported inside the functions, as in the catalogue: importing this module costs nothing.
"""

from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass
from typing import Any

from tuitrain.catalogue.registry import application_builders, base_class, namespace, registry_choices, resolve_class
from tuitrain.catalogue.docs import annotation_of, arg_docs, doc_choices


@dataclass(frozen=True)
class Param:
    """One constructor argument as a form shows it.

    ``annotation`` is what the value should look like: ``bool``, ``int``, ``float``, ``str``,
    ``tuple`` (an int or a list of ``size`` ints), ``shape`` (a list of ints; one int is a
    1-D shape), ``list`` or ``any`` (a TOML literal).  Keras
    constructors carry almost no type hints, so it is derived from the default and the docstring.
    """

    name: str
    default: Any = None
    has_default: bool = True
    annotation: str = "any"
    choices: tuple[str, ...] = ()
    doc: str = ""
    size: int | None = None  # expected length when annotation == "tuple"

    @property
    def required(self) -> bool:
        return not self.has_default


def _choices_for(cls, name: str, default: Any, doc: str) -> tuple[str, ...]:
    reg = registry_choices(name)
    if reg:
        return tuple(reg)
    # Some classes declare what they validate, e.g. RandomRotation._SUPPORTED_FILL_MODE.
    for attr in (f"_SUPPORTED_{name.upper()}", f"_VALID_{name.upper()}"):
        values = getattr(cls, attr, None)
        if isinstance(values, (tuple, list, set, frozenset)) and all(isinstance(v, str) for v in values):
            return tuple(sorted(values)) if isinstance(values, (set, frozenset)) else tuple(values)
    # String enums such as `padding`, `data_format`, `mode`: the choices the docstring lists
    # (Keras validates them itself, e.g. utils.argument_validation.standardize_padding).
    if default is None or isinstance(default, str):
        found = doc_choices(doc)
        if found and (default is None or default in found):
            return found
    return ()


def _param(cls, name: str, default: Any, has_default: bool, doc: str) -> Param:
    if isinstance(default, list):
        default = tuple(default)
    annotation, size = annotation_of(default, doc)
    choices = _choices_for(cls, name, default, doc)
    if choices and annotation in ("any", "str"):
        annotation = "str"
    return Param(name, default, has_default, annotation, choices, doc, size)


# Base-class keyword arguments that ``**kwargs`` forwards and that a preset may set.  They are
# read from the base class signatures below; this only says which ones a form offers.
_BASE_KWARGS = {
    "layer": ("name", "dtype", "trainable"),
    "loss": (),
    "optimizer": (),
    "callback": (),
}


def _base_params(kind: str, cls, present: set[str]) -> list[Param]:
    if kind != "layer":
        return []
    base = base_class("layer")
    sig = inspect.signature(base.__init__)
    docs = arg_docs(base)
    out = []
    for name in _BASE_KWARGS["layer"]:
        if name in present:
            continue
        p = sig.parameters.get(name)
        default = p.default if p is not None and p.default is not inspect.Parameter.empty else None
        out.append(_param(cls, name, default, True, docs.get(name, "")))
    if "input_shape" not in present:
        # The Keras 2 spelling many tutorials use on the first layer; tuitrain honours it.
        out.append(
            Param("input_shape", None, True, "shape", (), "Shape of one sample, without the batch axis "
                  "(first layer only), e.g. [784] or [28, 28, 1].")
        )
    return out


def _application_params(name: str) -> tuple[Param, ...]:
    """A ``keras.applications`` backbone's arguments (its builder's signature), then ``trainable``."""
    builder = application_builders()[name]
    docs = arg_docs(builder)
    params = []
    for p in inspect.signature(builder).parameters.values():
        if p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
            continue
        has_default = p.default is not inspect.Parameter.empty
        params.append(_param(builder, p.name, p.default if has_default else None, has_default, docs.get(p.name, "")))
    params.append(Param("trainable", True, True, "bool", (), "false freezes the whole backbone (fine-tune it "
                        "later with a [[phases]] unfreeze)."))
    return tuple(params)


@functools.cache
def _constructor_params(kind: str, name: str) -> tuple[Param, ...]:
    if kind == "layer" and not hasattr(namespace(kind), name) and name in application_builders():
        return _application_params(name)
    cls = resolve_class(kind, name)
    sig = inspect.signature(cls.__init__)
    docs = arg_docs(cls)
    params: list[Param] = []
    for p in list(sig.parameters.values())[1:]:
        if p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
            continue
        has_default = p.default is not inspect.Parameter.empty
        default = p.default if has_default else None
        params.append(_param(cls, p.name, default, has_default, docs.get(p.name, "")))
    params.extend(_base_params(kind, cls, {p.name for p in params}))
    return tuple(params)


@functools.cache
def call_params(name: str) -> tuple[Param, ...]:
    """The keyword arguments of layer ``name``'s ``call()`` a row's ``call = { ... }`` may set
    (``training``, ``mask``, ``initial_state`` …): its signature without what the row's inputs give
    (the first argument and any other required positional one).  A ``keras.applications`` backbone
    is a functional model: its call takes ``training`` and ``mask``."""
    if not hasattr(namespace("layer"), name) and name in application_builders():
        import keras  # lazy on purpose: TensorFlow is slow to import

        inputs = keras.Input((1,))
        cls = type(keras.Model(inputs, keras.layers.Identity()(inputs)))  # keras' Functional model class
    else:
        cls = resolve_class("layer", name)
    try:
        sig = inspect.signature(cls.call)
    except (TypeError, ValueError):  # pragma: no cover - every Keras layer has a call()
        return ()
    params = []
    for i, p in enumerate(list(sig.parameters.values())[1:]):  # after self
        required = p.default is inspect.Parameter.empty
        if i == 0 or p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL) or required:
            continue
        default = p.default
        params.append(Param(p.name, default, True, "any", (), "an argument of call(): a number, true/false, "
                            "\"None\", or the name of a layer or input (a tensor), or a list of names"))
    return tuple(params)


def constructor_params(kind: str, name: str) -> list[Param]:
    """The arguments ``kind`` class ``name`` accepts, in signature order, base kwargs last.

    ``**kwargs`` of layers is expanded to the base ``Layer`` arguments a preset may set
    (``name``, ``dtype``, ``trainable``) plus ``input_shape``.  Raises ``KeyError`` for an
    unknown class.
    """
    # resolve_class refuses an unknown kind (ValueError) before the cache keeps anything
    return list(_constructor_params(kind, name))


# compile()/fit() arguments the Compile pane shows as plain fields (the optimizer, loss and
# metrics have pickers of their own; x, y, callbacks... come from elsewhere in the preset).
COMPILE_FORM_ARGS = ("loss_weights", "weighted_metrics", "run_eagerly", "jit_compile", "steps_per_execution")
FIT_FORM_ARGS = ("epochs", "batch_size", "validation_split", "shuffle")


def _model_method_params(method: str, names: tuple[str, ...]) -> list[Param]:
    import keras  # lazy on purpose: TensorFlow is slow to import

    model_cls = keras.Model
    sig = inspect.signature(getattr(model_cls, method))
    docs = arg_docs(model_cls) | _method_docs(model_cls, method)
    out = []
    for name in names:
        p = sig.parameters[name]
        default = None if p.default is inspect.Parameter.empty else p.default
        doc = docs.get(name, "")
        if name == "jit_compile":
            # Three states, as Keras has them: "auto" (Keras decides; the key stays out of the preset),
            # true (XLA) and false (never XLA). A switch could not say false.
            out.append(Param(name, "auto", True, "str", ("auto", "true", "false"),
                             doc or "Compile the train step with XLA: auto lets Keras decide."))
            continue
        if name == "weighted_metrics":
            out.append(Param(name, None, True, "list", (), doc or "Metrics weighted by sample_weight, e.g. accuracy, mae."))
            continue
        param = _param(model_cls, name, default, True, doc)
        if default is None and name in ("batch_size",):
            param = Param(name, None, True, "int", (), doc or "Samples per gradient update (Keras' default: 32).")
        if default is None and name in ("loss_weights",):
            param = Param(name, None, True, "any", (), doc or "A list or table weighting each output's loss.")
        out.append(param)
    return out


@functools.cache
def _method_docs(cls, method: str) -> dict[str, str]:
    return arg_docs(getattr(cls, method))


def compile_params() -> list[Param]:
    """Plain ``model.compile`` options, read from Keras' ``Model.compile`` signature."""
    return _model_method_params("compile", COMPILE_FORM_ARGS)


def fit_params() -> list[Param]:
    """The ``model.fit`` options the Compile pane edits (``validation_split`` lives in [data])."""
    return _model_method_params("fit", FIT_FORM_ARGS)


@functools.cache
def _base_arg_names(kind: str) -> frozenset[str]:
    names: set[str] = set()
    # keras.optimizers.Optimizer's own __init__ is (*args, **kwargs): the named arguments sit on
    # the backend-independent base class further up the MRO.
    for klass in base_class(kind).__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        try:
            params = list(inspect.signature(init).parameters.values())[1:]
        except (TypeError, ValueError):
            continue
        named = {p.name for p in params if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}
        if named:
            names = named
            break
    return frozenset(names | set(_BASE_KWARGS.get(kind, ())))


def common_param_names(kind: str, name: str) -> list[str]:
    """Arguments ``name`` shares with every class of its kind (read from the base class signature).

    For optimizers these are ``weight_decay``, ``clipnorm``, ``use_ema``... (``keras.optimizers.Optimizer``);
    for layers ``name``, ``dtype``, ``trainable``.  Forms show them folded, after the class's own.
    """
    own = constructor_params(kind, name)
    base = _base_arg_names(kind)
    return [p.name for p in own if p.name in base and p.name not in ("learning_rate",)]
