"""Preset layers and compile options → a Keras model, with Keras as the judge of validity.

Layer types, arguments, optimizers, losses, metrics and callbacks are looked
up in Keras' own namespaces and constructor signatures, never in a table of
ours, so every layer Keras exports works and every error is Keras' reason
rewritten to name the preset row (``layers[2]``) it came from.

Keras is imported inside functions: the app imports this module before
TensorFlow has loaded.
"""

from __future__ import annotations

import difflib
import inspect
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tuitrain.errors import SpecError, TuitrainError
from tuitrain.spec import layer_inputs

if TYPE_CHECKING:  # pragma: no cover
    import keras

    from tuitrain.data import Dataset
    from tuitrain.spec import Preset

# Arguments that every Layer accepts through **kwargs (see keras.layers.Layer.__init__).
BASE_LAYER_KWARGS = ("input_shape", "input_dim", "batch_size")
# The Functional-model reference to the model's input tensor.
MODEL_INPUT = "input"
# Keys of a layer row that belong to tuitrain, not to the Keras constructor.
LAYER_META_KEYS = ("type", "inputs")


@dataclass
class LayerRow:
    """One line of the layer table, the numbers `model.summary()` gives."""

    index: int
    name: str
    type: str
    args: str
    output_shape: str
    params: int
    trainable: bool
    inputs: list[str] = field(default_factory=list)
    error: str | None = None


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


@dataclass
class Warn:
    """A combination that builds but probably does not do what the user wants."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


# ---------------------------------------------------------------------------
# Looking things up in Keras


def _keras():
    import keras

    return keras


def _exported_classes(module: Any, base: type) -> dict[str, type]:
    out = {}
    for name in dir(module):
        obj = getattr(module, name)
        if name[:1].isupper() and inspect.isclass(obj) and issubclass(obj, base):
            out[name] = obj
    return out


def layer_classes() -> dict[str, type]:
    keras = _keras()
    return _exported_classes(keras.layers, keras.layers.Layer)


def _close(word: str, choices: list[str], n: int = 3) -> list[str]:
    lowered = {c.lower(): c for c in choices}
    hits = difflib.get_close_matches(word.lower(), list(lowered), n=n, cutoff=0.55)
    return [lowered[h] for h in hits]


def _did_you_mean(word: str, choices: list[str]) -> str:
    close = _close(word, choices)
    return f" Did you mean {' or '.join(close)}?" if close else ""


def resolve_layer_class(type_name: str, *, path: str) -> type:
    classes = layer_classes()
    cls = classes.get(type_name)
    if cls is None:
        raise SpecError(
            f"unknown layer type '{type_name}'.{_did_you_mean(type_name, list(classes))}"
            f" Any class exported by keras.layers works ({len(classes)} of them; see `tuitrain` Layers pane).",
            path=f"{path}.type",
        )
    return cls


def constructor_arg_names(cls: type) -> tuple[list[str], bool]:
    """Named constructor arguments along the MRO while each level forwards **kwargs; and whether any is open."""
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


def _keras_object_config(value: Any) -> Any:
    """Preset tables with `type` → Keras' serialized form, so `initializers.get` etc. accept them."""
    if isinstance(value, dict):
        if "type" in value:
            config = {k: _keras_object_config(v) for k, v in value.items() if k != "type"}
            return {"class_name": value["type"], "config": config}
        return {k: _keras_object_config(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_keras_object_config(v) for v in value]
    return value


# Honoured through keras.Input (see model_input_shape), not passed to the layer.
INPUT_SHAPE_KEYS = ("input_shape", "input_dim", "batch_input_shape")


def _layer_kwargs(layer: dict[str, Any]) -> dict[str, Any]:
    return {
        k: _keras_object_config(v)
        for k, v in layer.items()
        if k not in LAYER_META_KEYS and k not in INPUT_SHAPE_KEYS
    }


def _clean_keras_message(err: BaseException) -> str:
    text = str(err).strip() or type(err).__name__
    text = re.sub(r"\s*\n\s*", " ", text)
    text = re.sub(r"^Exception encountered when calling \w+\.call\(\)\.\s*", "", text)
    text = re.sub(r"Arguments received by .*$", "", text).strip()
    return text[:600]


def make_layer(layer: dict[str, Any], *, path: str) -> Any:
    """Construct one Keras layer from a preset row; errors name the row and the argument."""
    cls = resolve_layer_class(layer["type"], path=path)
    kwargs = _layer_kwargs(layer)
    known, open_ended = constructor_arg_names(cls)
    if not open_ended:
        for key in [k for k in layer if k not in LAYER_META_KEYS]:
            if key not in known:
                raise SpecError(
                    f"{cls.__name__} has no argument '{key}'.{_did_you_mean(key, known)}"
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
    except (TypeError, ValueError, KeyError, AttributeError) as err:
        message = _clean_keras_message(err)
        culprit = next((k for k in kwargs if re.search(rf"\b{re.escape(k)}\b", message)), None)
        raise SpecError(
            f"Keras cannot create {cls.__name__}: {message}",
            path=f"{path}.{culprit}" if culprit else path,
        ) from None


def _shape_str(shape: Any) -> str:
    if isinstance(shape, list):
        return ", ".join(_shape_str(s) for s in shape)
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + (",)" if len(shape) == 1 else ")")


def main_args(layer: dict[str, Any]) -> str:
    """A layer row's arguments in one short line, as the layer table shows them."""
    parts = []
    for key, value in layer.items():
        if key in ("type", "name", "inputs"):
            continue
        if isinstance(value, dict):
            value = value.get("type", value)
        if isinstance(value, list):
            value = "(" + ", ".join(str(v) for v in value) + ")"
        parts.append(f"{key}={value}")
    return ", ".join(parts)


# ---------------------------------------------------------------------------
# Building


def _declared_input_shape(preset: "Preset") -> tuple[tuple | None, str | None]:
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
    declared, where = _declared_input_shape(preset)
    if declared is not None and data_shape is not None and tuple(declared) != tuple(data_shape):
        raise SpecError(
            f"the first layer declares input shape {_shape_str(declared)}, but each sample of the data has shape"
            f" {_shape_str(tuple(data_shape))} (x_train is (N, {', '.join(map(str, data_shape))}))."
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
            rows.append(_error_row(i, layer, str(err) if i == 0 else "not built: the input shape is wrong"))
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
            rows.append(_error_row(i, layer, "not built: an earlier layer failed"))
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
            keras_layer = make_layer(layer, path=path)
            try:
                out = keras_layer(arg)
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
                    output_shape=_shape_str(tuple(out.shape)),
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
        message = f"Keras cannot assemble the model: {_clean_keras_message(err)}"
        return BuildReport(rows=rows, model=None, error=message)
    total, trainable, non_trainable = param_counts(model)
    return BuildReport(rows, model, None, total, trainable, non_trainable)


def _as_sequential(functional: Any, shape: tuple, name: str) -> Any:
    """A plain stack is a keras.Sequential, as the user wrote it; reuse the built layers."""
    keras = _keras()
    seq = keras.Sequential([keras.Input(shape=shape), *functional.layers[1:]], name=name.replace(" ", "_") or "sequential")
    return seq


def _error_row(i: int, layer: dict, message: str) -> LayerRow:
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
    )


def _shape_message(layer: dict, arg: Any, err: BaseException) -> str:
    shapes = _shape_str([tuple(a.shape) for a in arg]) if isinstance(arg, list) else _shape_str(tuple(arg.shape))
    reason = _clean_keras_message(err)
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


def param_counts(model: Any) -> tuple[int, int, int]:
    """(total, trainable, non-trainable), as `model.summary()` reports them."""
    import math

    trainable = sum(math.prod(w.shape) for w in model.trainable_weights)
    non_trainable = sum(math.prod(w.shape) for w in model.non_trainable_weights)
    return trainable + non_trainable, trainable, non_trainable


def layer_rows(model: Any) -> list[LayerRow]:
    """Rows of an already-built model (e.g. one loaded from a run directory)."""
    rows = []
    for i, layer in enumerate(model.layers):
        try:
            shape = _shape_str(tuple(layer.output.shape))
        except (AttributeError, ValueError):
            shape = "?"
        rows.append(LayerRow(i, layer.name, type(layer).__name__, "", shape, layer.count_params(), bool(layer.trainable)))
    return rows


def summary_text(model: Any, line_length: int = 90) -> str:
    """Keras' own `model.summary()` as plain text, ``line_length`` wide whatever the terminal is."""
    import os

    lines: list[str] = []
    # Keras prints through a rich Console that sizes itself from $COLUMNS.
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(line_length + 4)
    try:
        model.summary(line_length=line_length, print_fn=lambda text, line_break=False: lines.append(text))
    finally:
        if saved is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = saved
    text = "\n".join(lines)
    # Keras renders with rich; strip any colour codes so the text reads everywhere.
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


# ---------------------------------------------------------------------------
# Compile options and callbacks


def _split_typed(value: Any) -> tuple[str, dict[str, Any]]:
    if isinstance(value, str):
        return value, {}
    return value["type"], {k: v for k, v in value.items() if k != "type"}


def _check_args(cls: Any, args: dict[str, Any], *, what: str, path: str) -> None:
    """Unknown arguments are named with the valid ones, read from the constructor signatures."""
    names, open_ended = constructor_arg_names(cls)
    for key in args:
        if key not in names and (not open_ended or _rejects_extra_kwargs(cls)):
            raise SpecError(
                f"{what} has no argument '{key}'.{_did_you_mean(key, names)} Valid arguments: {', '.join(names)}.",
                path=f"{path}.{key}",
            )


def _rejects_extra_kwargs(cls: type) -> bool:
    """Optimizers take **kwargs only to reject them; other open signatures may really use them."""
    keras = _keras()
    return issubclass(cls, keras.optimizers.Optimizer)


def optimizer_classes() -> dict[str, type]:
    keras = _keras()
    classes = _exported_classes(keras.optimizers, keras.optimizers.Optimizer)
    for abstract in ("Optimizer", "LossScaleOptimizer", "MultiOptimizer", "OptimizerMap"):
        classes.pop(abstract, None)
    return classes


def make_optimizer(value: Any, *, path: str = "compile.optimizer") -> Any:
    keras = _keras()
    name, args = _split_typed(value)
    classes = optimizer_classes()
    cls = classes.get(name) or next((c for n, c in classes.items() if n.lower() == name.lower()), None)
    if cls is None:
        if not args:
            try:
                return keras.optimizers.get(name)  # a name Keras knows that is no exported class
            except ValueError:
                pass
        raise SpecError(
            f"unknown optimizer '{name}'.{_did_you_mean(name, list(classes))} Keras optimizers: {', '.join(sorted(classes))}.",
            path=path if isinstance(value, str) else f"{path}.type",
        )
    _check_args(cls, args, what=cls.__name__, path=path)
    try:
        return cls(**args)
    except (TypeError, ValueError) as err:
        raise SpecError(f"Keras cannot create {cls.__name__}: {_clean_keras_message(err)}", path=path) from None


def _resolve_named(getter: Any, value: Any, *, kind: str, module: Any, path: str) -> Any:
    """A loss or metric: a name Keras knows, or a table with `type` and arguments."""
    name, args = _split_typed(value)
    if not args:
        try:
            getter(name)
            return name  # keep the string: compile() gives names like "accuracy" special handling
        except (ValueError, TypeError):
            choices = [n for n in dir(module) if not n.startswith("_")]
            raise SpecError(f"unknown {kind} '{name}'.{_did_you_mean(name, choices)}", path=path) from None
    cls = getattr(module, name, None)
    if not inspect.isclass(cls):
        choices = [n for n in dir(module) if n[:1].isupper()]
        raise SpecError(f"unknown {kind} class '{name}'.{_did_you_mean(name, choices)}", path=f"{path}.type")
    _check_args(cls, args, what=name, path=path)
    try:
        return cls(**args)
    except (TypeError, ValueError) as err:
        raise SpecError(f"Keras cannot create {name}: {_clean_keras_message(err)}", path=path) from None


# compile() options passed to Keras as they are written in the preset.
PLAIN_COMPILE_KEYS = ("loss_weights", "run_eagerly", "steps_per_execution", "jit_compile", "auto_scale_loss")


def compile_kwargs(compile_spec: dict[str, Any], *, path: str = "compile") -> dict[str, Any]:
    """The arguments for `model.compile`, every name resolved and checked through Keras."""
    keras = _keras()
    kwargs: dict[str, Any] = {}
    kwargs["optimizer"] = make_optimizer(compile_spec.get("optimizer", "rmsprop"), path=f"{path}.optimizer")
    if "loss" in compile_spec:
        loss = compile_spec["loss"]
        if isinstance(loss, list):
            kwargs["loss"] = [
                _resolve_named(keras.losses.get, v, kind="loss", module=keras.losses, path=f"{path}.loss[{i}]")
                for i, v in enumerate(loss)
            ]
        else:
            kwargs["loss"] = _resolve_named(keras.losses.get, loss, kind="loss", module=keras.losses, path=f"{path}.loss")
    for key in ("metrics", "weighted_metrics"):
        if key in compile_spec:
            kwargs[key] = [
                _metric(v, path=f"{path}.{key}[{i}]") for i, v in enumerate(compile_spec[key])
            ]
    for key in PLAIN_COMPILE_KEYS:
        if key in compile_spec:
            kwargs[key] = compile_spec[key]
    return kwargs


def _metric(value: Any, *, path: str) -> Any:
    keras = _keras()
    if isinstance(value, str) and value.lower() in ("accuracy", "acc", "crossentropy", "ce"):
        return value  # resolved by compile() against the loss and output shape
    return _resolve_named(keras.metrics.get, value, kind="metric", module=keras.metrics, path=path)


def compile_model(model: Any, compile_spec: dict[str, Any], *, path: str = "compile") -> Any:
    kwargs = compile_kwargs(compile_spec, path=path)
    try:
        model.compile(**kwargs)
    except (TypeError, ValueError) as err:
        raise SpecError(f"Keras cannot compile the model: {_clean_keras_message(err)}", path=path) from None
    return model


def callback_classes() -> dict[str, type]:
    keras = _keras()
    classes = _exported_classes(keras.callbacks, keras.callbacks.Callback)
    for base in ("Callback", "CallbackList"):
        classes.pop(base, None)
    return classes


def resolve_callbacks(fit_spec: dict[str, Any], *, path: str = "fit.callbacks") -> list[Any]:
    """`[fit].callbacks` tables → Keras callback objects (any class keras.callbacks exports)."""
    out = []
    classes = callback_classes()
    for i, value in enumerate(fit_spec.get("callbacks", [])):
        name, args = _split_typed(value)
        here = f"{path}[{i}]"
        cls = classes.get(name)
        if cls is None:
            raise SpecError(
                f"unknown callback '{name}'.{_did_you_mean(name, list(classes))} Keras callbacks: {', '.join(sorted(classes))}.",
                path=here,
            )
        _check_args(cls, args, what=name, path=here)
        try:
            out.append(cls(**args))
        except (TypeError, ValueError) as err:
            raise SpecError(f"Keras cannot create {name}: {_clean_keras_message(err)}", path=here) from None
    return out


def fit_kwargs(fit_spec: dict[str, Any]) -> dict[str, Any]:
    """Arguments for `model.fit` (the trainer adds data, callbacks and its own options)."""
    from tuitrain.spec import FIT_KEYS

    return {k: v for k, v in fit_spec.items() if k in FIT_KEYS and k != "callbacks"}


# ---------------------------------------------------------------------------
# Warnings: combinations that build but do not fit


_CATEGORICAL = {"categorical_crossentropy", "categoricalcrossentropy", "categorical_focal_crossentropy"}
_SPARSE = {"sparse_categorical_crossentropy", "sparsecategoricalcrossentropy"}
_BINARY = {"binary_crossentropy", "binarycrossentropy", "binary_focal_crossentropy", "hinge", "squared_hinge"}


def _loss_info(loss: Any) -> tuple[str | None, bool]:
    if isinstance(loss, str):
        return loss.lower(), False
    if isinstance(loss, dict):
        name = re.sub(r"(?<!^)(?=[A-Z])", "_", str(loss.get("type", ""))).lower()
        return name, bool(loss.get("from_logits", False))
    return None, False


def _output_activation(preset: "Preset") -> tuple[str | None, int | None]:
    """Activation and width of the model's output, looking through trailing Activation layers."""
    activation = None
    units = None
    for layer in reversed(preset.layers):
        kind = layer.get("type")
        if kind == "Activation" and activation is None:
            activation = str(layer.get("activation", "linear"))
            continue
        if kind == "Softmax" and activation is None:
            activation = "softmax"
            continue
        if kind in ("Dropout", "Reshape", "Flatten"):
            continue
        if "units" in layer:
            units = layer["units"]
            if activation is None:
                act = layer.get("activation", "linear")
                activation = act.get("type") if isinstance(act, dict) else str(act)
        break
    return activation, units


def check_warnings(preset: "Preset", dataset: "Dataset | None" = None, model: Any = None) -> list[Warn]:
    """Mismatch warnings for the CLI and the Compile pane (not errors: the model still builds).

    With the built ``model`` it also compares the output's shape with the labels': a Dense after a
    Conv2D without Flatten is a valid model whose (None, 6, 6, 10) output no label matches.
    """
    warns: list[Warn] = []
    loss_name, from_logits = _loss_info(preset.compile.get("loss"))
    activation, units = _output_activation(preset)
    out_index = len(preset.layers) - 1
    if loss_name is not None and activation:
        probabilistic = activation in ("softmax", "sigmoid")
        crossentropy = "crossentropy" in loss_name
        if from_logits and probabilistic:
            warns.append(Warn("compile.loss", f"from_logits=true, but the output already applies {activation}: the loss applies it twice. Remove the output activation or set from_logits=false."))
        elif crossentropy and not from_logits and activation in ("linear", "None", "none"):
            warns.append(Warn("compile.loss", "the output layer has no softmax/sigmoid, so it produces logits: set from_logits=true in the loss (loss = { type = \"...\", from_logits = true })."))
    if dataset is None:
        return warns
    y = dataset.y_train
    num_classes = dataset.num_classes
    classification = dataset.task == "classification"
    one_hot = y is not None and y.ndim == 2 and y.shape[-1] > 1
    sparse = y is not None and (y.ndim == 1 or (y.ndim == 2 and y.shape[-1] == 1))
    if loss_name in _CATEGORICAL and sparse and classification:
        warns.append(Warn("compile.loss", f"{loss_name} expects one-hot labels, but y_train holds class indices {tuple(y.shape)}: use sparse_categorical_crossentropy, or add {{ op = \"one_hot\" }} to data.preprocess."))
    if loss_name in _SPARSE and one_hot:
        warns.append(Warn("compile.loss", f"{loss_name} expects class indices, but y_train is one-hot {tuple(y.shape)}: use categorical_crossentropy, or drop the one_hot preprocessing."))
    if loss_name in _BINARY and num_classes is not None and num_classes > 2:
        warns.append(Warn("compile.loss", f"{loss_name} is a binary loss, but the data has {num_classes} classes: use (sparse_)categorical_crossentropy."))
    if classification and num_classes and units is not None and out_index >= 0:
        binary_ok = num_classes == 2 and units == 1 and (loss_name in _BINARY or loss_name is None)
        if units != num_classes and not binary_ok:
            warns.append(Warn(f"layers[{_last_units_index(preset)}].units", f"the output layer has {units} units, but the data has {num_classes} classes."))
    output_rank = _output_rank(model)
    if y is not None and output_rank is not None and output_rank > max(y.ndim, 2) and out_index >= 0:
        shape = _shape_str(tuple(model.outputs[0].shape))
        warns.append(Warn(f"layers[{out_index}]", f"the model's output has shape {shape}, but y_train is {tuple(y.shape)}: add a Flatten (or GlobalAveragePooling) layer before the output layers, or training will fail on the loss."))
    return warns


def _output_rank(model: Any) -> int | None:
    outputs = getattr(model, "outputs", None) if model is not None else None
    if not outputs or len(outputs) != 1:
        return None
    return len(outputs[0].shape)


def _last_units_index(preset: "Preset") -> int:
    for i in range(len(preset.layers) - 1, -1, -1):
        if "units" in preset.layers[i]:
            return i
    return len(preset.layers) - 1


# ---------------------------------------------------------------------------
# The whole check, shared by `tuitrain check`, the app and the trainer


@dataclass
class CheckedPreset:
    preset: "Preset"
    dataset: "Dataset"
    model: Any
    warnings: list[Warn]


def prepare(preset: "Preset") -> CheckedPreset:
    """Data → model → compile → callbacks, each error naming the preset's file and key path."""
    from tuitrain.data import load_dataset

    file = str(preset.path) if preset.path else None
    try:
        _keras().utils.set_random_seed(preset.seed)
        dataset = load_dataset(preset.data, seed=preset.seed, base_dir=preset.base_dir)
        model = build_model(preset, dataset.input_shape)
        compile_model(model, preset.compile)
        resolve_callbacks(preset.fit)
    except SpecError as err:
        raise _with_line(err, preset, file) from None
    except TuitrainError as err:
        if hasattr(err, "located"):
            raise _with_line(err, preset, file) from None
        raise
    return CheckedPreset(preset, dataset, model, check_warnings(preset, dataset, model))


def _with_line(err: Any, preset: "Preset", file: str | None) -> Any:
    from tuitrain.spec import line_of

    line = line_of(preset.source_text, err.path) if (preset.source_text and err.path) else None
    return err.located(file=file, line=line)

