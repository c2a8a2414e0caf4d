"""Preset layers → a Keras model, with Keras as the judge of validity.

Layer types and arguments are looked up in the Keras catalogue (``tuitrain.keras_catalogue``),
never in a table of ours, so every layer Keras exports works and every error is Keras' reason
rewritten to name the preset row (``layers[2]``) it came from.  Keras is imported inside
functions: the app imports this module before TensorFlow has loaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tuitrain import keras_catalogue
from tuitrain.errors import SpecError
from tuitrain.model.confine import is_trusted, layer_refusal
from tuitrain.model.guards import bounded_call, check_layer_dtype
from tuitrain.model.summary import LayerRow, RowState, main_args, param_counts, shape_str
from tuitrain.spec import layer_inputs
from tuitrain.suggest import did_you_mean

if TYPE_CHECKING:  # pragma: no cover
    from tuitrain.spec import Preset

# The Functional-model reference to the model's input tensor.
MODEL_INPUT = "input"
# Keys of a layer row that belong to tuitrain, not to the Keras constructor.
LAYER_META_KEYS = ("type", "inputs")
# Honoured through keras.Input (see model_input_shape), not passed to the layer.
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
        raise SpecError(
            f"unknown layer type '{type_name}'.{did_you_mean(type_name, list(classes))}"
            f" Any class exported by keras.layers works ({len(classes)} of them; see `tuitrain` Layers pane).",
            path=f"{path}.type",
        )
    return cls



def keras_object_config(value: Any) -> Any:
    """Preset tables with `type` → Keras' serialized form, so `initializers.get` etc. accept them."""
    if isinstance(value, dict):
        if "type" in value:
            config = {k: keras_object_config(v) for k, v in value.items() if k != "type"}
            return {"class_name": value["type"], "config": config}
        return {k: keras_object_config(v) for k, v in value.items()}
    if isinstance(value, list):
        return [keras_object_config(v) for v in value]
    return value




def _layer_kwargs(layer: dict[str, Any]) -> dict[str, Any]:
    return {
        k: keras_object_config(v)
        for k, v in layer.items()
        if k not in LAYER_META_KEYS and k not in INPUT_SHAPE_KEYS
    }


def clean_keras_message(err: BaseException) -> str:
    text = str(err).strip() or type(err).__name__
    text = re.sub(r"\s*\n\s*", " ", text)
    text = re.sub(r"^Exception encountered when calling \w+\.call\(\)\.\s*", "", text)
    text = re.sub(r"Arguments received by .*$", "", text).strip()
    return text[:600]


def make_layer(layer: dict[str, Any], *, path: str, trusted: bool = False) -> Any:
    """Construct one Keras layer from a preset row; errors name the row and the argument."""
    cls = resolve_layer_class(layer["type"], path=path)
    why = None if trusted else layer_refusal(cls)
    if why:
        raise SpecError(f"{why}; a preset may not do this unless trusted ([fit] trusted = true, or --trust)", path=path)
    check_layer_dtype(layer, path=path)
    kwargs = _layer_kwargs(layer)
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
        value = kwargs.get(key)
        if key in kwargs and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
            raise SpecError(
                f"{cls.__name__}({key}=...) expects a positive integer, got {value!r}", path=f"{path}.{key}"
            )
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
    first = preset.layers[0] if preset.layers else {}
    if "input_shape" in first:
        return tuple(first["input_shape"]), "layers[0].input_shape"
    if "input_dim" in first:
        return (first["input_dim"],), "layers[0].input_dim"
    if "batch_input_shape" in first:
        return tuple(first["batch_input_shape"][1:]), "layers[0].batch_input_shape"
    return None, None


def model_input_shape(preset: "Preset", data_shape: tuple | None) -> tuple:
    """The shape of one sample: from the data, checked against a first layer's input_shape/input_dim."""
    declared, where = declared_input_shape(preset)
    if declared is not None and data_shape is not None and tuple(declared) != tuple(data_shape):
        raise SpecError(
            f"the first layer declares input shape {shape_str(declared)}, but each sample of the data has shape"
            f" {shape_str(tuple(data_shape))} (x_train is (N, {', '.join(map(str, data_shape))}))."
            " Fix the layer, or reshape/flatten the data in [data].preprocess.",
            path=where,
        )
    shape = declared if declared is not None else data_shape
    if shape is None:
        raise SpecError("the model's input shape is unknown: give the first layer input_shape = [...]", path="layers[0]")
    return tuple(int(d) if d is not None else None for d in shape)


def build_model_partial(preset: "Preset", input_shape: tuple | None) -> BuildReport:
    """Build as far as possible; every preset layer gets a row, broken ones carry the reason."""
    keras = _keras()
    rows: list[LayerRow] = []
    try:
        shape = model_input_shape(preset, input_shape)
    except SpecError as err:
        for i, layer in enumerate(preset.layers):
            if i == 0:
                rows.append(_error_row(i, layer, str(err)))
            else:
                rows.append(_error_row(i, layer, "not built: the input shape is wrong", RowState.NOT_BUILT))
        return BuildReport(rows=rows, model=None, error=str(err), failure=err)

    inputs = keras.Input(shape=shape, name="input")
    tensors: dict[str, Any] = {MODEL_INPUT: inputs}
    previous = inputs
    first_error: str | None = None
    failure: SpecError | None = None
    functional = preset.is_functional
    for i, layer in enumerate(preset.layers):
        path = f"layers[{i}]"
        if first_error is not None and not functional:
            rows.append(_error_row(i, layer, "not built: an earlier layer failed", RowState.NOT_BUILT))
            continue
        refs = layer_inputs(layer) if "inputs" in layer else None
        try:
            if refs is not None:
                missing = [r for r in refs if r not in tensors]
                if missing:
                    raise SpecError(f"input '{missing[0]}' is not available (its layer failed or comes later)", path=f"{path}.inputs")
                args = [tensors[r] for r in refs]
                arg = args[0] if len(args) == 1 else args
            else:
                if previous is None:
                    raise SpecError("not built: the layer before it failed", path=path)
                arg = previous
            keras_layer = make_layer(layer, path=path, trusted=is_trusted(preset))
            try:
                out = bounded_call(keras_layer, arg, path=path)  # weights sized before they exist
            except SpecError:
                raise
            except Exception as err:  # Keras raises many types for shape problems.
                raise SpecError(_shape_message(layer, arg, err), path=path) from None
            if isinstance(out, (list, tuple)):
                raise SpecError(f"{layer['type']} returns several tensors; tuitrain layers must return one", path=path)
            previous = out
            tensors[keras_layer.name] = out
            if "name" in layer:
                tensors[layer["name"]] = out
            rows.append(
                LayerRow(
                    index=i,
                    name=keras_layer.name,
                    type=layer["type"],
                    args=main_args(layer),
                    output_shape=shape_str(tuple(out.shape)),
                    params=keras_layer.count_params(),
                    trainable=bool(keras_layer.trainable),
                    inputs=list(refs or []),
                )
            )
        except SpecError as err:
            message = str(err)
            first_error = first_error or message
            failure = failure or err
            previous = None
            rows.append(_error_row(i, layer, message))
    if first_error is not None:
        return BuildReport(rows=rows, model=None, error=first_error, failure=failure)
    if not preset.layers:
        return BuildReport(rows=[], model=None, error="the model has no layers yet")
    try:
        model = keras.Model(inputs=inputs, outputs=previous, name=preset.name.replace(" ", "_") or "model")
        if not functional:
            model = _as_sequential(model, shape, preset.name)
    except Exception as err:
        message = f"Keras cannot assemble the model: {clean_keras_message(err)}"
        return BuildReport(rows=rows, model=None, error=message)
    total, trainable, non_trainable = param_counts(model)
    return BuildReport(rows, model, None, total, trainable, non_trainable)


def _as_sequential(functional: Any, shape: tuple, name: str) -> Any:
    """A plain stack is a keras.Sequential, as the user wrote it; reuse the built layers."""
    keras = _keras()
    seq = keras.Sequential([keras.Input(shape=shape), *functional.layers[1:]], name=name.replace(" ", "_") or "sequential")
    return seq


def _error_row(i: int, layer: dict, message: str, state: RowState = RowState.FAILED) -> LayerRow:
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


def _shape_message(layer: dict, arg: Any, err: BaseException) -> str:
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


def build_model(preset: "Preset", input_shape: tuple | None) -> Any:
    """The model, or SpecError naming the first broken layer."""
    report = build_model_partial(preset, input_shape)
    if report.failure is not None:
        raise report.failure
    if report.model is None:
        bad = next((r for r in report.rows if r.error), None)
        raise SpecError(bad.error if bad else (report.error or "the model could not be built"))
    return report.model

