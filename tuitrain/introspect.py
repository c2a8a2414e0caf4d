"""What Keras offers, read from Keras itself: class lists and constructor arguments for the forms.

Everything here asks Keras (exported namespaces, ``inspect.signature``, docstrings and the
registries behind ``keras.activations.get`` / ``keras.initializers.get`` ...), so a newer Keras
shows its new layers and arguments without a code change.  Keras is imported inside the
functions: importing this module costs nothing, and the app can paint before TensorFlow loads.
"""

from __future__ import annotations

import functools
import inspect
import re
from dataclasses import dataclass, field
from typing import Any

KINDS = ("layer", "optimizer", "callback", "loss")

# Names whose exported objects are helpers, not registry entries.
_HELPERS = frozenset({"get", "serialize", "deserialize"})
# Base classes Keras exports for subclassing; a model never contains them as such.
_BASES = {
    "layer": frozenset({"Layer", "Wrapper", "InputLayer"}),
    "optimizer": frozenset({"Optimizer"}),
    "callback": frozenset({"Callback", "CallbackList"}),
    "loss": frozenset({"Loss"}),
}
# Callbacks that ``fit()`` adds by itself; offering them would add a second copy.
_FIT_ADDS = frozenset({"History", "ProgbarLogger"})


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


def _namespace(kind: str):
    k = _keras()
    return {"layer": k.layers, "optimizer": k.optimizers, "callback": k.callbacks, "loss": k.losses}[kind]


def _base_class(kind: str):
    k = _keras()
    return {
        "layer": k.layers.Layer,
        "optimizer": k.optimizers.Optimizer,
        "callback": k.callbacks.Callback,
        "loss": k.losses.Loss,
    }[kind]


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
def class_names(kind: str) -> tuple[str, ...]:
    """Exported classes of one kind, sorted; bases (``Layer``, ``Optimizer``...) left out.

    Optimizers that wrap another optimizer (a required argument, e.g. ``LossScaleOptimizer``)
    are left out too: a preset names one optimizer.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    ns, base = _namespace(kind), _base_class(kind)
    names = []
    for name in dir(ns):
        if name.startswith("_") or name in _BASES[kind]:
            continue
        obj = getattr(ns, name)
        if not (inspect.isclass(obj) and issubclass(obj, base)):
            continue
        if kind == "callback" and name in _FIT_ADDS:
            continue
        if kind == "optimizer" and _required_params(obj):
            continue
        names.append(name)
    return tuple(sorted(names, key=str.lower))


def layer_class_names() -> list[str]:
    """Every layer class ``keras.layers`` exports (aliases such as ``AvgPool2D`` included)."""
    return list(class_names("layer"))


def optimizer_names() -> list[str]:
    return list(class_names("optimizer"))


def callback_names() -> list[str]:
    return list(class_names("callback"))


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


def resolve_class(kind: str, name: str):
    """The Keras class called ``name`` in the namespace of ``kind``; ``KeyError`` if none."""
    obj = getattr(_namespace(kind), name, None)
    if not inspect.isclass(obj):
        raise KeyError(name)
    return obj


def class_info(kind: str, name: str) -> ClassInfo:
    cls = resolve_class(kind, name)
    summary = (inspect.getdoc(cls) or "").strip().split("\n", 1)[0]
    needs_sub = kind == "layer" and "layer" in _required_params(cls)
    alias = cls.__name__ if cls.__name__ != name else None
    return ClassInfo(name=name, alias_of=alias, summary=summary, needs_sublayer=needs_sub)


# ---------------------------------------------------------------- docstrings

_ARG_LINE = re.compile(r"^(\s*)(\*{0,2}\w+):\s?(.*)$")


@functools.cache
def _arg_docs(cls) -> dict[str, str]:
    """``{arg: description}`` from the ``Args:`` section of a Keras class docstring."""
    doc = inspect.getdoc(cls) or ""
    lines = doc.splitlines()
    out: dict[str, str] = {}
    try:
        start = next(i for i, ln in enumerate(lines) if ln.strip() in ("Args:", "Arguments:"))
    except StopIteration:
        return out
    indent = None
    current = None
    for ln in lines[start + 1 :]:
        if not ln.strip():
            continue
        m = _ARG_LINE.match(ln)
        lead = len(ln) - len(ln.lstrip())
        if indent is None:
            indent = lead
        if lead < indent:
            break  # next section ("Input shape:", "Example:")
        if m and lead == indent:
            current = m.group(2).lstrip("*")
            out[current] = m.group(3).strip()
        elif current is not None and lead > indent:
            out[current] += " " + ln.strip()
        else:
            break
    return out


_QUOTED = re.compile(r"[\"']([A-Za-z0-9_\-]+)[\"']")
_ENUM_HINT = re.compile(r"\b(one of|either|supported values|possible values|can be)\b", re.I)
_TUPLE_HINT = re.compile(r"tuple/list of (\d+) integer", re.I)


def _doc_choices(text: str) -> tuple[str, ...]:
    """String choices a docstring lists for an argument (``either "valid" or "same"``)."""
    m = _ENUM_HINT.search(text)
    if not m and not text.lower().startswith("string"):
        return ()
    # The sentence that names the choices ends at the first ". " after the hint.
    tail = text[m.start():] if m else text
    end = re.search(r"\.\s+[A-Z`]|\.$", tail)
    sentence = tail[: end.start() + 1] if end else tail
    seen: list[str] = []
    for word in _QUOTED.findall(sentence):
        if word not in seen:
            seen.append(word)
    return tuple(seen) if len(seen) >= 2 else ()


# ---------------------------------------------------------------- choices


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
        found = _doc_choices(doc)
        if found and (default is None or default in found):
            return found
    return ()


def _annotation(default: Any, doc: str) -> tuple[str, int | None]:
    if isinstance(default, bool):
        return "bool", None
    if isinstance(default, int):
        m = _TUPLE_HINT.search(doc)
        return ("tuple", int(m.group(1))) if m else ("int", None)
    if isinstance(default, float):
        return "float", None
    if isinstance(default, str):
        return "str", None
    if isinstance(default, (tuple, list)):
        if all(isinstance(v, int) and not isinstance(v, bool) for v in default) and default:
            return "tuple", len(default)
        return "list", None
    m = _TUPLE_HINT.search(doc)
    if m:
        return "tuple", int(m.group(1))
    # Required arguments have no default to learn from; Keras docstrings start with the type.
    head = doc.lower()
    if head.startswith(("int,", "int ", "integer", "positive integer", "positive int")):
        return "int", None
    if head.startswith(("float", "positive float")):
        return "float", None
    if head.startswith(("bool", "boolean")):
        return "bool", None
    return "any", None


def _param(cls, name: str, default: Any, has_default: bool, doc: str) -> Param:
    if isinstance(default, list):
        default = tuple(default)
    annotation, size = _annotation(default, doc)
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
    base = _base_class("layer")
    sig = inspect.signature(base.__init__)
    docs = _arg_docs(base)
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


@functools.cache
def _constructor_params(kind: str, name: str) -> tuple[Param, ...]:
    cls = resolve_class(kind, name)
    sig = inspect.signature(cls.__init__)
    docs = _arg_docs(cls)
    params: list[Param] = []
    for p in list(sig.parameters.values())[1:]:
        if p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
            continue
        has_default = p.default is not inspect.Parameter.empty
        default = p.default if has_default else None
        params.append(_param(cls, p.name, default, has_default, docs.get(p.name, "")))
    params.extend(_base_params(kind, cls, {p.name for p in params}))
    return tuple(params)


def constructor_params(kind: str, name: str) -> list[Param]:
    """The arguments ``kind`` class ``name`` accepts, in signature order, base kwargs last.

    ``**kwargs`` of layers is expanded to the base ``Layer`` arguments a preset may set
    (``name``, ``dtype``, ``trainable``) plus ``input_shape``.  Raises ``KeyError`` for an
    unknown class.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    return list(_constructor_params(kind, name))


def non_default_args(params: list[Param], values: dict[str, Any]) -> dict[str, Any]:
    """Only the values that differ from the signature defaults (what a preset should hold)."""
    by_name = {p.name: p for p in params}
    out = {}
    for key, value in values.items():
        p = by_name.get(key)
        if p is not None and p.has_default and _same(value, p.default):
            continue
        out[key] = value
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return list(a) == list(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return a == b


# ---------------------------------------------------------------- form values


def parse_value(text: str, param: Param | None = None) -> Any:
    """A form entry as a Python value: a TOML literal, bare words as strings.

    ``""`` means "not set" (``None``).  Tuples are accepted as ``[3, 3]``, ``(3, 3)`` or ``3, 3``
    and checked against ``param`` (an int or ``size`` ints).  Raises ``ValueError`` with a
    sentence a user can act on.
    """
    import tomllib

    raw = text.strip()
    if raw == "" or raw.lower() in ("none", "null"):
        return None
    candidates = [raw]
    if raw.startswith("(") and raw.endswith(")"):
        candidates.append("[" + raw[1:-1].rstrip().rstrip(",") + "]")
    if "," in raw and not raw.startswith(("[", "{", '"', "'")):
        candidates.append("[" + raw.rstrip(",") + "]")
    value: Any = None
    for cand in candidates:
        try:
            value = tomllib.loads(f"x = {cand}")["x"]
            break
        except tomllib.TOMLDecodeError:
            continue
    else:
        if re.fullmatch(r"[A-Za-z_][\w.\-]*", raw):
            value = raw  # a bare word: a name such as relu or he_normal
        elif "," in raw and not raw.startswith(("[", "{")):
            # "accuracy, mae": a list whose items are literals or bare words
            value = [parse_value(part) for part in raw.strip("()").rstrip(",").split(",")]
        else:
            raise ValueError(f"{raw!r} is not a value: write a number, true/false, a word, or a list like [3, 3]")
    if param is not None:
        value = _check(value, param)
    return value


def _check(value: Any, p: Param) -> Any:
    ann = p.annotation
    if value is None:
        return None
    if ann == "bool" and not isinstance(value, bool):
        raise ValueError(f"{p.name} must be true or false")
    if ann == "int" and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValueError(f"{p.name} must be a whole number, not {format_value(value)}")
    if ann == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{p.name} must be a number, not {format_value(value)}")
    if ann == "tuple":
        ints = value if isinstance(value, list) else [value]
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in ints):
            raise ValueError(f"{p.name} must be an integer or a list of integers, not {format_value(value)}")
        if isinstance(value, list) and p.size is not None and len(value) != p.size:
            raise ValueError(f"{p.name} needs {p.size} integers (or one for all), got {len(value)}")
    if ann == "shape":
        dims = value if isinstance(value, list) else [value]
        if not dims or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in dims):
            raise ValueError(f"{p.name} must be positive integers such as 784 or 28, 28, 1, not {format_value(value)}")
        return dims
    if p.choices and isinstance(value, str) and value not in p.choices and not registry_choices(p.name):
        raise ValueError(f"{p.name} must be one of {', '.join(p.choices)}")
    return value


def format_value(value: Any) -> str:
    """The text a form field shows for a value; ``parse_value`` reads it back to the same value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, str):
        return value if re.fullmatch(r"[A-Za-z_][\w.\-]*", value) and value.lower() not in (
            "true", "false", "none", "null", "inf", "nan") else _literal(value)
    return _literal(value)


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_literal(v)}" for k, v in value.items()) + " }"
    return repr(value)


# ---------------------------------------------------------------- compile() and fit() options

# compile()/fit() arguments the Compile pane shows as plain fields (the optimizer, loss and
# metrics have pickers of their own; x, y, callbacks... come from elsewhere in the preset).
COMPILE_FORM_ARGS = ("loss_weights", "weighted_metrics", "run_eagerly", "jit_compile", "steps_per_execution")
FIT_FORM_ARGS = ("epochs", "batch_size", "validation_split", "shuffle")


def _model_method_params(method: str, names: tuple[str, ...]) -> list[Param]:
    model_cls = _keras().Model
    sig = inspect.signature(getattr(model_cls, method))
    docs = _arg_docs(model_cls) | _method_docs(model_cls, method)
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
    return _arg_docs(getattr(cls, method))


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
    for klass in _base_class(kind).__mro__:
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


def _squash(name: str) -> str:
    return name.replace("_", "").lower()


def loss_class_name(loss: str) -> str | None:
    """The ``keras.losses`` class behind a loss name (``sparse_categorical_crossentropy`` →
    ``SparseCategoricalCrossentropy``), whose constructor has the options (``from_logits``...)."""
    return next((c for c in class_names("loss") if _squash(c) == _squash(loss)), None)


def loss_function_name(class_name: str) -> str | None:
    """The name ``compile(loss=...)`` accepts for a loss class, the reverse of ``loss_class_name``."""
    return next((n for n in loss_names() if _squash(n) == _squash(class_name)), None)
