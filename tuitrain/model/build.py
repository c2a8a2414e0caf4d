"""Preset layers → a Keras model, with Keras as the judge of validity.

Layer types and arguments are looked up in the Keras catalogue (``tuitrain.catalogue.registry``),
never in a table of ours, so every layer Keras exports works and every error is Keras' reason
rewritten to name the preset row (``layers[2]``) it came from.  Keras is imported inside
functions: the app imports this module before TensorFlow has loaded.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tuitrain.catalogue import registry as keras_catalogue
from tuitrain.common.errors import SpecError
from tuitrain.model.applications import application_builder
from tuitrain.model.confine import TRUST_SWITCH, layer_refusal
from tuitrain.model.fallbacks import refuse_fallbacks
from tuitrain.model.guards import check_layer_dtype
from tuitrain.model.messages import clean_keras_message
from tuitrain.model.summary import LayerRow, RowState, main_args, shape_str
from tuitrain.preset import layer_inputs
from tuitrain.common.suggest import did_you_mean
from tuitrain.preset.values import is_typed

if TYPE_CHECKING:  # pragma: no cover
    from tuitrain.preset import Preset

# Keys of a layer row that belong to tuitrain, not to the Keras constructor.
LAYER_META_KEYS = ("type", "inputs", "adapt", "reuse", "call", "weights_file")
# The keys a `reuse` row may have: it calls an earlier row's layer again, so it has no constructor.
REUSE_KEYS = ("reuse", "name", "inputs", "call")
# Honoured through keras.Input (see declared_input_shape), not passed to the layer.
INPUT_SHAPE_KEYS = ("input_shape", "input_dim", "batch_input_shape")


@dataclass
class BuildReport:
    """What the layer editor shows: a row per preset layer, broken ones marked, and the model if any."""

    rows: list[LayerRow]
    model: Any | None
    error: str | None = None
    total_params: int = 0
    trainable_params: int = 0
    non_trainable_params: int = 0
    failure: SpecError | None = None  # the first error as raised, key path intact (for `check`)
    key: str | None = None  # what it was built from, set by the app (its model_key): the Layers pane compares it


def _keras():
    import keras

    return keras


def layer_classes() -> dict[str, type]:
    """Every layer class a preset may name (the catalogue's)."""
    return keras_catalogue.classes("layer")


def resolve_layer_class(type_name: str, *, path: str) -> type:
    classes = layer_classes()
    cls = classes.get(type_name)
    if cls is None:
        names = [*classes, *keras_catalogue.application_builders()]
        raise SpecError(
            f"unknown layer type '{type_name}'.{did_you_mean(type_name, names)}"
            f" Any class exported by keras.layers ({len(classes)} of them) or model of keras.applications works.",
            path=f"{path}.type",
        )
    return cls


def none_values(kwargs: dict[str, Any], target: Any, *, path: str, also: tuple[str, ...] = ()) -> dict[str, Any]:
    """`"None"` (TOML has no null) → None for the arguments whose Keras default or annotation allows None
    (and the `also` ones, which Keras documents as taking None)."""
    nullable = keras_catalogue.nullable_arg_names(target) | set(also)
    out = dict(kwargs)
    for key, value in kwargs.items():
        if value != "None":
            continue
        if key not in nullable:
            name = getattr(target, "__name__", str(target))
            raise SpecError(f'{name} does not take None for {key} (its default is not None)', path=f"{path}.{key}")
        out[key] = None
    return out


def _make_application(layer: dict[str, Any], builder: Any, *, path: str) -> Any:
    """A keras.applications model as a layer; `trainable = false` freezes all of it."""
    from tuitrain.model.applications import make_application

    kwargs = {k: v for k, v in layer.items() if k not in LAYER_META_KEYS and k != "trainable"}
    if isinstance(kwargs.get("input_shape"), list):
        kwargs["input_shape"] = tuple(None if d == "None" else d for d in kwargs["input_shape"])
    # Every keras.applications model documents `weights=None` as random initialisation.
    model = make_application(builder, none_values(kwargs, builder, path=path, also=("weights",)), path=path)
    if "trainable" in layer:
        model.trainable = bool(layer["trainable"])
    return model



def shape_keys(layer: dict[str, Any]) -> tuple[str, ...]:
    """The Keras 2 input-shape keys of a row (`Embedding`'s `input_dim` is its vocabulary size, not a shape)."""
    if layer.get("type") == "Embedding":
        return ("input_shape", "batch_input_shape")
    return INPUT_SHAPE_KEYS


def make_layer(layer: dict[str, Any], *, path: str, trusted: bool = False, roots: tuple[Path, ...] = ()) -> Any:
    """Construct one Keras layer from a preset row; errors name the row and the argument.

    Object tables among its arguments are built through the registry their argument names
    (a wrapper's `layer`, initializers, regularizers, constraints: see tuitrain.model.keras_objects).
    Arguments Keras reads a file from must name one inside ``roots`` (the preset's and the data's
    folders; ``tuitrain.model.confine``) unless the person trusts the preset.
    """
    from tuitrain.model.confine import confine_reads
    from tuitrain.model.keras_objects import resolve_args

    if not is_typed(layer):
        raise SpecError('expected a layer table such as { type = "LSTM", units = 64 }', path=path)
    if layer["type"] not in layer_classes() and application_builder(layer["type"]) is not None:
        return _make_application(layer, application_builder(layer["type"]), path=path)
    cls = resolve_layer_class(layer["type"], path=path)
    why = None if trusted else layer_refusal(cls)
    if why:
        raise SpecError(f"{why}; a preset may not do this unless trusted ({TRUST_SWITCH})", path=path)
    check_layer_dtype(layer, path=path)
    known, open_ended = keras_catalogue.constructor_arg_names(cls)
    if not open_ended:
        for key in [k for k in layer if k not in LAYER_META_KEYS]:
            if key not in known:
                raise SpecError(
                    f"{cls.__name__} has no argument '{key}'.{did_you_mean(key, known)}"
                    f" Valid arguments: {', '.join(known)}.",
                    path=f"{path}.{key}",
                )
    for key in ("units", "filters", "output_dim", "input_dim"):
        value = layer.get(key)
        if key in layer and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
            raise SpecError(
                f"{cls.__name__}({key}=...) expects a positive integer, got {value!r}", path=f"{path}.{key}"
            )
    skip = LAYER_META_KEYS + shape_keys(layer)
    # A wrapped layer (Bidirectional's, TimeDistributed's) is as trusted as the preset that holds it.
    nested = functools.partial(make_layer, trusted=trusted, roots=roots)
    kwargs = resolve_args({k: v for k, v in layer.items() if k not in skip}, path=path, make_layer=nested)
    kwargs = none_values(kwargs, cls, path=path)
    kwargs = confine_reads(cls, kwargs, roots=roots or (Path.cwd().resolve(),), trusted=trusted, where=path)
    with refuse_fallbacks(cls.__name__, path=path, keys=kwargs):
        try:
            return cls(**kwargs)
        except Exception as err:  # noqa: BLE001 - Keras raises anything from NotImplementedError to ImportError
            message = clean_keras_message(err)
            culprit = next((k for k in kwargs if re.search(rf"\b{re.escape(k)}\b", message)), None)
            raise SpecError(
                f"Keras cannot create {cls.__name__}: {message}",
                path=f"{path}.{culprit}" if culprit else path,
            ) from None


# ---------------------------------------------------------------------------
# Building


def declared_input_shape(preset: "Preset") -> tuple[tuple | None, str | None]:
    """The input shape a first layer declares in the Keras 2 spelling, and where."""
    first = preset.layers[0] if preset.layers else {}
    keys = shape_keys(first)
    if "input_shape" in first:
        return tuple(first["input_shape"]), "layers[0].input_shape"
    if "input_dim" in first and "input_dim" in keys:
        return (first["input_dim"],), "layers[0].input_dim"
    if "batch_input_shape" in first:
        return tuple(first["batch_input_shape"][1:]), "layers[0].batch_input_shape"
    return None, None


def keras_model_name(preset_name: str, default: str = "model") -> str:
    """The preset's name as a Keras model name: TensorFlow takes ``[A-Za-z0-9.][A-Za-z0-9_.\\/>-]*``
    as a root scope, so any other character (a quote, a space) becomes ``_``."""
    name = re.sub(r"[^A-Za-z0-9_.>-]", "_", preset_name)
    if name and not re.match(r"[A-Za-z0-9.]", name[0]):
        name = "m" + name
    return name or default


def as_sequential(functional: Any, shape: tuple, name: str) -> Any:
    """A plain stack is a keras.Sequential, as the user wrote it; reuse the built layers."""
    keras = _keras()
    return keras.Sequential([keras.Input(shape=shape), *functional.layers[1:]], name=keras_model_name(name, "sequential"))


def error_row(i: int, layer: dict, message: str, state: RowState = RowState.FAILED) -> LayerRow:
    return LayerRow(
        index=i,
        name=str(layer.get("name", f"#{i}")),
        type=str(layer.get("type", "?")),
        args=main_args(layer),
        output_shape="?",
        params=0,
        trainable=bool(layer.get("trainable", True)),
        inputs=list(layer_inputs(layer)),
        error=message,
        state=state,
    )


def shape_message(layer: dict, arg: Any, err: BaseException) -> str:
    shapes = shape_str([tuple(a.shape) for a in arg]) if isinstance(arg, list) else shape_str(tuple(arg.shape))
    reason = clean_keras_message(err)
    ndim = re.search(r"expected (?:min_)?ndim=(\d+), found ndim=(\d+)", reason)
    if ndim:
        want = int(ndim.group(1))
        return (
            f"{layer['type']} expects {want}-D input (batch included), gets {shapes}."
            f" Add a Reshape/Flatten before it, or reshape the data. (Keras: {reason})"
        )
    return f"{layer['type']} cannot take input of shape {shapes}: {reason}"
