"""Preset layers and compile options → a Keras model, with Keras as the judge of validity.

Split by job: ``build`` (layers → model, the layer table's rows), ``compile`` (optimizer,
loss, metrics, ``fit`` arguments), ``callbacks``, ``warnings`` (combinations that build but
do not fit), ``summary`` (rows, parameter counts, Keras' summary text) and ``prepare`` (the
whole check: data → model → compile → callbacks).  What Keras offers is looked up in
``tuitrain.catalogue.registry``.  Keras is imported inside functions: the app imports this
package before TensorFlow has loaded.
"""

from tuitrain.model.build import (
    INPUT_SHAPE_KEYS,
    LAYER_META_KEYS,
    BuildReport,
    declared_input_shape,
    layer_classes,
    make_layer,
    resolve_layer_class,
    shape_keys,
)
from tuitrain.model.graph import build_model, build_model_partial
from tuitrain.model.messages import clean_keras_message
from tuitrain.model.callbacks import callback_classes, resolve_callbacks
from tuitrain.model.compile import (
    PLAIN_COMPILE_KEYS,
    compile_kwargs,
    compile_model,
    fit_kwargs,
    make_optimizer,
    optimizer_classes,
)
from tuitrain.model.prepare import CheckedPreset, prepare
from tuitrain.model.summary import (
    LayerRow,
    RowState,
    layer_rows,
    main_args,
    param_counts,
    params_str,
    row_type,
    shape_str,
    summary_text,
)
from tuitrain.model.warnings import Warn, check_warnings

__all__ = [
    "INPUT_SHAPE_KEYS",
    "LAYER_META_KEYS",
    "PLAIN_COMPILE_KEYS",
    "BuildReport",
    "CheckedPreset",
    "LayerRow",
    "RowState",
    "Warn",
    "build_model",
    "build_model_partial",
    "callback_classes",
    "check_warnings",
    "clean_keras_message",
    "compile_kwargs",
    "compile_model",
    "declared_input_shape",
    "fit_kwargs",
    "layer_classes",
    "layer_rows",
    "main_args",
    "params_str",
    "row_type",
    "make_layer",
    "make_optimizer",
    "optimizer_classes",
    "param_counts",
    "prepare",
    "resolve_callbacks",
    "resolve_layer_class",
    "shape_keys",
    "shape_str",
    "summary_text",
]
