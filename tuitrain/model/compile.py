"""The `[compile]` and `[fit]` tables → arguments for `model.compile` and `model.fit`.

Optimizers, losses and metrics are resolved through the Keras catalogue and Keras' own
registries (``keras.losses.get`` …); unknown names and arguments get the valid ones listed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tuitrain.catalogue import registry as keras_catalogue
from tuitrain.common.errors import SpecError
from tuitrain.model.messages import clean_keras_message
from tuitrain.model.fallbacks import refuse_fallbacks
from tuitrain.common.suggest import did_you_mean
from tuitrain.preset.values import is_per_output, optimizer_value, typed

if TYPE_CHECKING:  # pragma: no cover
    from tuitrain.data import Dataset


def check_args(cls: Any, args: dict[str, Any], *, what: str, path: str) -> None:
    """Unknown arguments are named with the valid ones, read from the constructor signatures."""
    names, open_ended = keras_catalogue.constructor_arg_names(cls)
    for key in args:
        if key not in names and (not open_ended or keras_catalogue.rejects_extra_kwargs(cls)):
            raise SpecError(
                f"{what} has no argument '{key}'.{did_you_mean(key, names)} Valid arguments: {', '.join(names)}.",
                path=f"{path}.{key}",
            )



def optimizer_classes() -> dict[str, type]:
    """Every optimizer a preset may name (the catalogue's)."""
    return keras_catalogue.classes("optimizer")


def make_optimizer(value: Any, *, path: str = "compile.optimizer") -> Any:
    name, args = typed(value)
    classes = optimizer_classes()
    cls = classes.get(name) or next((c for n, c in classes.items() if n.lower() == name.lower()), None)
    if cls is None:
        if not args:
            try:
                return keras_catalogue.namespace("optimizer").get(name)  # a name Keras knows that is no exported class
            except ValueError:
                pass
        raise SpecError(
            f"unknown optimizer '{name}'.{did_you_mean(name, list(classes))} Keras optimizers: {', '.join(sorted(classes))}.",
            path=path if isinstance(value, str) else f"{path}.type",
        )
    check_args(cls, args, what=cls.__name__, path=path)
    from tuitrain.model.keras_objects import resolve_args

    args = resolve_args(args, path=path)  # a learning_rate table is a schedule
    with refuse_fallbacks(cls.__name__, path=path, keys=args):
        try:
            return cls(**args)
        except (TypeError, ValueError) as err:
            raise SpecError(f"Keras cannot create {cls.__name__}: {clean_keras_message(err)}", path=path) from None


def _resolve_named(value: Any, *, kind: str, path: str) -> Any:
    """A loss or metric (``kind``): a name Keras' registry knows, or a table with `type` and arguments."""
    name, args = typed(value)
    if not args:
        try:
            keras_catalogue.namespace(kind).get(name)
            return name  # keep the string: compile() gives names like "accuracy" special handling
        except (ValueError, TypeError):
            choices = keras_catalogue.exported_names(kind)
            raise SpecError(f"unknown {kind} '{name}'.{did_you_mean(name, choices)}", path=path) from None
    try:
        cls = keras_catalogue.resolve_class(kind, name)
    except KeyError:
        choices = [n for n in keras_catalogue.exported_names(kind) if n[:1].isupper()]
        raise SpecError(f"unknown {kind} class '{name}'.{did_you_mean(name, choices)}", path=f"{path}.type") from None
    check_args(cls, args, what=name, path=path)
    from tuitrain.model.keras_objects import checked_tables

    checked_tables(args, path=path)  # a serialized Keras dict among the arguments names a catalogue class
    with refuse_fallbacks(name, path=path, keys=args):
        try:
            return cls(**args)
        except (TypeError, ValueError) as err:
            raise SpecError(f"Keras cannot create {name}: {clean_keras_message(err)}", path=path) from None


# compile() options passed to Keras as they are written in the preset.
PLAIN_COMPILE_KEYS = ("loss_weights", "run_eagerly", "steps_per_execution", "jit_compile", "auto_scale_loss")


def compile_kwargs(compile_spec: dict[str, Any], *, path: str = "compile", outputs: list[str] | None = None) -> dict[str, Any]:
    """The arguments for `model.compile`, every name resolved and checked through Keras.

    With the model's `outputs` (names), loss/loss_weights/metrics may be tables keyed by output
    name or lists with one entry per output; their keys and lengths are checked against them.
    """
    from tuitrain.model.per_output import per_output

    outputs = outputs or ["output"]
    kwargs: dict[str, Any] = {}
    kwargs["optimizer"] = make_optimizer(optimizer_value(compile_spec), path=f"{path}.optimizer")

    def loss(value: Any, where: str) -> Any:
        return _resolve_named(value, kind="loss", path=where)

    def metrics(value: Any, where: str) -> list[Any]:
        if not isinstance(value, list):
            raise SpecError("expected a list of metric names", path=where)
        return [_metric(v, path=f"{where}[{i}]") for i, v in enumerate(value)]

    if "loss" in compile_spec:
        value = per_output(compile_spec["loss"], outputs, key="loss", path=f"{path}.loss")
        if is_per_output(value):
            kwargs["loss"] = {k: loss(v, f"{path}.loss.{k}") for k, v in value.items()}
        elif isinstance(value, list):
            kwargs["loss"] = [loss(v, f"{path}.loss[{i}]") for i, v in enumerate(value)]
            if len(outputs) == 1:
                kwargs["loss"] = kwargs["loss"][0]
        else:
            kwargs["loss"] = loss(value, f"{path}.loss")
    for key in ("metrics", "weighted_metrics"):
        if key in compile_spec:
            value = per_output(compile_spec[key], outputs, key=key, path=f"{path}.{key}")
            if isinstance(value, dict):
                kwargs[key] = {k: metrics(v, f"{path}.{key}.{k}") for k, v in value.items()}
            elif len(outputs) > 1 and value and all(isinstance(v, list) for v in value):
                kwargs[key] = [metrics(v, f"{path}.{key}[{i}]") for i, v in enumerate(value)]
            else:
                each = metrics(value, f"{path}.{key}")
                # One list for several outputs: Keras wants it per output, so each output gets the list.
                kwargs[key] = {name: list(each) for name in outputs} if len(outputs) > 1 else each
    if "loss_weights" in compile_spec:
        # One output: a single weight only scales the loss, as Keras does with it.
        kwargs["loss_weights"] = per_output(compile_spec["loss_weights"], outputs, key="loss_weights", path=f"{path}.loss_weights")
    for key in PLAIN_COMPILE_KEYS:
        if key in compile_spec and key != "loss_weights":
            kwargs[key] = compile_spec[key]
    return kwargs


def _metric(value: Any, *, path: str) -> Any:
    if isinstance(value, str) and value.lower() in ("accuracy", "acc", "crossentropy", "ce"):
        return value  # resolved by compile() against the loss and output shape
    return _resolve_named(value, kind="metric", path=path)


def compile_model(model: Any, compile_spec: dict[str, Any], *, path: str = "compile") -> Any:
    kwargs = compile_kwargs(compile_spec, path=path, outputs=list(getattr(model, "output_names", None) or ["output"]))
    try:
        model.compile(**kwargs)
    except (TypeError, ValueError) as err:
        raise SpecError(f"Keras cannot compile the model: {clean_keras_message(err)}", path=path) from None
    return model



def fit_kwargs(fit_spec: dict[str, Any], dataset: "Dataset | None" = None) -> dict[str, Any]:
    """Arguments for `model.fit` (the trainer adds data, callbacks and its own options).

    `class_weight` becomes `{class index: weight}` for the dataset's classes ("balanced" computed
    from the training labels): TOML's keys are strings, which Keras would skip without a word.
    """
    from tuitrain.preset import FIT_KEYS

    out = {k: v for k, v in fit_spec.items() if k in FIT_KEYS and k != "callbacks"}
    if "class_weight" in out:
        from tuitrain.model.class_weight import class_weight_for

        if dataset is None:
            raise SpecError("class_weight needs the data to know its classes", path="fit.class_weight")
        out["class_weight"] = class_weight_for(out["class_weight"], dataset.y_train, dataset.num_classes)
    return out
