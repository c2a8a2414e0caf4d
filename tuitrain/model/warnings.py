"""Warnings: combinations that build but probably do not do what the user wants.

Not errors (the model still builds); the CLI prints them and the Compile pane shows them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tuitrain.model.summary import shape_str

if TYPE_CHECKING:  # pragma: no cover
    from tuitrain.data import Dataset
    from tuitrain.preset import Preset


@dataclass
class Warn:
    """A combination that builds but probably does not do what the user wants."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"



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
    if dataset is not None:
        warns += data_warnings(preset, dataset)
    if dataset is None or isinstance(dataset.y_train, list):
        return warns  # several outputs: each loss is checked against its output's name instead
    y = dataset.y_train
    num_classes = dataset.num_classes
    classification = dataset.task == "classification"
    multi_label = is_multi_label(y)
    one_hot = y is not None and y.ndim == 2 and y.shape[-1] > 1 and not multi_label
    sparse = y is not None and (y.ndim == 1 or (y.ndim == 2 and y.shape[-1] == 1))
    if multi_label:
        warns += _multi_label_warnings(y, loss_name, activation)
    if loss_name in _CATEGORICAL and sparse and classification:
        warns.append(Warn("compile.loss", f"{loss_name} expects one-hot labels, but y_train holds class indices {tuple(y.shape)}: use sparse_categorical_crossentropy, or add {{ op = \"one_hot\" }} to data.preprocess."))
    if loss_name in _SPARSE and one_hot:  # not multi_label: one_hot excludes it
        warns.append(Warn("compile.loss", f"{loss_name} expects class indices, but y_train is one-hot {tuple(y.shape)}: use categorical_crossentropy, or drop the one_hot preprocessing."))
    if loss_name in _BINARY and num_classes is not None and num_classes > 2 and not multi_label:
        warns.append(Warn("compile.loss", f"{loss_name} is a binary loss, but the data has {num_classes} classes: use (sparse_)categorical_crossentropy."))
    if classification and num_classes and units is not None and out_index >= 0:
        binary_ok = num_classes == 2 and units == 1 and (loss_name in _BINARY or loss_name is None)
        if units != num_classes and not binary_ok:
            warns.append(Warn(f"layers[{_last_units_index(preset)}].units", f"the output layer has {units} units, but the data has {num_classes} {'labels per sample' if multi_label else 'classes'}."))
    output_rank = _output_rank(model)
    if y is not None and output_rank is not None and output_rank > max(y.ndim, 2) and out_index >= 0:
        shape = shape_str(tuple(model.outputs[0].shape))
        warns.append(Warn(f"layers[{out_index}]", f"the model's output has shape {shape}, but y_train is {tuple(y.shape)}: add a Flatten (or GlobalAveragePooling) layer before the output layers, or training will fail on the loss."))
    return warns


def is_multi_label(y: Any) -> bool:
    """Several 0/1 labels per sample (a row may have none or many ones): multi-label, not one-hot classes."""
    import numpy as np

    if y is None or getattr(y, "ndim", 0) != 2 or y.shape[-1] < 2 or not np.issubdtype(y.dtype, np.number):
        return False
    if not np.isin(y, (0, 1)).all():
        return False
    return bool((y.sum(axis=-1) != 1).any())


def _multi_label_warnings(y: Any, loss_name: str | None, activation: str | None) -> list[Warn]:
    """Multi-label wants one sigmoid per label and a binary loss: softmax or a categorical loss make the labels compete."""
    labels = y.shape[-1]
    warns = []
    if loss_name in _CATEGORICAL or loss_name in _SPARSE:
        warns.append(Warn("compile.loss", f"y_train is multi-label ({labels} 0/1 labels per sample, several at once), but {loss_name}"
                                          " scores one class per sample: use binary_crossentropy with sigmoid outputs."))
    if activation == "softmax":
        warns.append(Warn("compile.loss", f"y_train is multi-label ({labels} 0/1 labels per sample), but the output applies softmax,"
                                          " which makes the labels compete: use activation = \"sigmoid\"."))
    return warns


def data_warnings(preset: "Preset", dataset: "Dataset") -> list[Warn]:
    """Data that loads but would train on nothing, or on NaN: what the source skipped, NaN sample
    weights (every loss they touch becomes NaN), features that are NaN in every sample, and
    ``class_weight = "balanced"`` over a single class (nothing to balance)."""
    import numpy as np

    warns = [Warn("data.source", note) for note in getattr(dataset, "notes", ())]
    if not hasattr(dataset, "tensors"):  # a stand-in with labels only (tests of the label warnings)
        return warns
    weights = dataset.sample_weight
    if weights is not None and weights.dtype.kind == "f" and np.isnan(weights).any():
        warns.append(Warn("data.sample_weight_key", f"{int(np.isnan(weights).sum()):,} of {len(weights):,} sample weights"
                                                    " are NaN: every batch holding one gets a NaN loss"))
    for name, array in dataset.tensors().items():
        if not name.startswith("x_train") or array.dtype.kind != "f" or array.ndim < 2 or not len(array):
            continue
        columns = np.isnan(array.reshape(len(array), -1)).all(axis=0)
        if columns.any():
            shown = ", ".join(str(i) for i in np.flatnonzero(columns)[:5])
            warns.append(Warn("data.source", f"{name}: {int(columns.sum()):,} feature(s) are NaN in every sample"
                                             f" (index {shown}{', …' if columns.sum() > 5 else ''}): the model"
                                             " cannot learn from them and standardize/normalize turn them into NaN"))
    if preset.fit.get("class_weight") == "balanced" and dataset.num_classes == 1:
        warns.append(Warn("fit.class_weight", "\"balanced\" over a single class: every sample gets the same weight,"
                                              " so there is nothing to balance (and nothing to learn to tell apart)"))
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


