"""Form fields read from Keras signatures: kinds of value, defaults, registry and docstring choices."""

from __future__ import annotations

import pytest

from tuitrain.catalogue import params as P


def test_dense_signature_with_registry_choices():
    params = {p.name: p for p in P.constructor_params("layer", "Dense")}
    assert params["units"].required and params["units"].annotation == "int"
    assert params["use_bias"].annotation == "bool" and params["use_bias"].default is True
    assert {"relu", "softmax", "linear"} <= set(params["activation"].choices)
    assert "he_normal" in params["kernel_initializer"].choices
    assert params["kernel_initializer"].default == "glorot_uniform"
    assert {"name", "dtype", "trainable", "input_shape"} <= set(params)


def test_conv_tuples_and_string_enums():
    conv2d = {p.name: p for p in P.constructor_params("layer", "Conv2D")}
    assert conv2d["kernel_size"].annotation == "tuple" and conv2d["kernel_size"].size == 2
    assert conv2d["strides"].default == (1, 1)
    assert conv2d["padding"].choices == ("valid", "same")
    assert set(conv2d["data_format"].choices) == {"channels_last", "channels_first"}
    conv1d = {p.name: p for p in P.constructor_params("layer", "Conv1D")}
    assert "causal" in conv1d["padding"].choices


def test_optimizer_and_callback_params_with_defaults():
    adam = {p.name: p for p in P.constructor_params("optimizer", "Adam")}
    assert adam["learning_rate"].default == 0.001 and adam["beta_1"].default == 0.9
    sgd = {p.name: p for p in P.constructor_params("optimizer", "SGD")}
    assert sgd["momentum"].annotation == "float"
    es = {p.name: p for p in P.constructor_params("callback", "EarlyStopping")}
    assert es["patience"].default == 0 and es["mode"].choices == ("auto", "min", "max")


def test_unknown_class_raises_keyerror():
    with pytest.raises(KeyError):
        P.constructor_params("layer", "NoSuchLayer")


def test_compile_and_fit_fields_come_from_keras_signatures():
    compile_ = {p.name: p for p in P.compile_params()}
    assert set(compile_) == {"loss_weights", "weighted_metrics", "run_eagerly", "jit_compile", "steps_per_execution"}
    assert compile_["run_eagerly"].annotation == "bool" and compile_["steps_per_execution"].default == 1
    assert compile_["jit_compile"].choices == ("auto", "true", "false")  # false is a real choice, not "off"
    fit = {p.name: p for p in P.fit_params()}
    assert fit["epochs"].default == 1 and fit["epochs"].annotation == "int"
    assert fit["shuffle"].default is True and fit["validation_split"].annotation == "float"


def test_arguments_shared_by_every_optimizer_are_read_from_the_base_class():
    common = P.common_param_names("optimizer", "Adam")
    assert {"weight_decay", "clipnorm", "use_ema"} <= set(common)
    assert "beta_1" not in common and "learning_rate" not in common
    assert {"name", "dtype", "trainable"} <= set(P.common_param_names("layer", "Dense"))
