"""The Keras catalogue reads Keras itself (class lists, signatures, registry choices); form values read back."""

from __future__ import annotations

import pytest

from tuitrain import form_values as F
from tuitrain import keras_catalogue as I
from tuitrain.undo import UndoStack


def test_layer_list_is_what_keras_exports():
    import keras

    names = I.layer_class_names()
    assert {"Dense", "Conv2D", "MaxPooling2D", "Flatten", "Dropout", "LSTM", "Add"} <= set(names)
    assert "Layer" not in names and "InputLayer" not in names
    assert all(issubclass(getattr(keras.layers, n), keras.layers.Layer) for n in names)


def test_seed_optimizers_and_callbacks_are_offered():
    assert {"Adadelta", "Adagrad", "Adam", "Adamax", "Ftrl", "Nadam", "RMSprop", "SGD"} <= set(I.optimizer_names())
    assert "Optimizer" not in I.optimizer_names()
    assert "LossScaleOptimizer" not in I.optimizer_names()  # needs an inner optimizer
    assert {"EarlyStopping", "ReduceLROnPlateau", "ModelCheckpoint", "CSVLogger"} <= set(I.callback_names())
    assert "History" not in I.callback_names()


def test_loss_and_metric_names_are_accepted_by_keras():
    import keras

    for name in I.loss_names():
        assert keras.losses.get(name) is not None
    assert "sparse_categorical_crossentropy" in I.loss_names()
    assert I.metric_names()[0] == "accuracy"


def test_dense_signature_with_registry_choices():
    params = {p.name: p for p in I.constructor_params("layer", "Dense")}
    assert params["units"].required and params["units"].annotation == "int"
    assert params["use_bias"].annotation == "bool" and params["use_bias"].default is True
    assert {"relu", "softmax", "linear"} <= set(params["activation"].choices)
    assert "he_normal" in params["kernel_initializer"].choices
    assert params["kernel_initializer"].default == "glorot_uniform"
    assert {"name", "dtype", "trainable", "input_shape"} <= set(params)


def test_every_registry_choice_is_accepted_by_keras():
    import keras

    for name in I.initializer_names():
        assert keras.initializers.get(name) is not None
    for name in I.activation_names():
        assert keras.activations.get(name) is not None


def test_conv_tuples_and_string_enums():
    conv2d = {p.name: p for p in I.constructor_params("layer", "Conv2D")}
    assert conv2d["kernel_size"].annotation == "tuple" and conv2d["kernel_size"].size == 2
    assert conv2d["strides"].default == (1, 1)
    assert conv2d["padding"].choices == ("valid", "same")
    assert set(conv2d["data_format"].choices) == {"channels_last", "channels_first"}
    conv1d = {p.name: p for p in I.constructor_params("layer", "Conv1D")}
    assert "causal" in conv1d["padding"].choices


def test_optimizer_and_callback_params_with_defaults():
    adam = {p.name: p for p in I.constructor_params("optimizer", "Adam")}
    assert adam["learning_rate"].default == 0.001 and adam["beta_1"].default == 0.9
    sgd = {p.name: p for p in I.constructor_params("optimizer", "SGD")}
    assert sgd["momentum"].annotation == "float"
    es = {p.name: p for p in I.constructor_params("callback", "EarlyStopping")}
    assert es["patience"].default == 0 and es["mode"].choices == ("auto", "min", "max")


def test_unknown_class_raises_keyerror():
    with pytest.raises(KeyError):
        I.constructor_params("layer", "NoSuchLayer")


@pytest.mark.parametrize("text", ["3, 3", "(3,3)", "[3, 3]", "(3, 3,)"])
def test_tuple_entries(text):
    p = {p.name: p for p in I.constructor_params("layer", "Conv2D")}["kernel_size"]
    assert F.parse_form_value(text, p) == [3, 3]


def test_entries_are_validated():
    params = {p.name: p for p in I.constructor_params("layer", "Conv2D")}
    with pytest.raises(ValueError, match="needs 2 integers"):
        F.parse_form_value("3, 3, 3", params["kernel_size"])
    with pytest.raises(ValueError, match="whole number"):
        F.parse_form_value("2.5", params["filters"])
    with pytest.raises(ValueError, match="one of"):
        F.parse_form_value("middle", params["padding"])
    assert F.parse_form_value("3", params["kernel_size"]) == 3
    assert F.parse_form_value("relu") == "relu"
    assert F.parse_form_value("") is None
    assert F.parse_form_value("1e-3") == 0.001


@pytest.mark.parametrize("value", [3, 0.5, True, "relu", "two words", [28, 28, 1], None])
def test_format_then_parse_round_trips(value):
    assert F.parse_form_value(F.format_value(value)) == value


def test_only_non_defaults_are_kept():
    params = I.constructor_params("layer", "Dense")
    got = F.non_default_args(params, {"units": 10, "use_bias": True, "activation": "softmax"})
    assert got == {"units": 10, "activation": "softmax"}


def test_undo_redo_and_foreign_change():
    stack = UndoStack()
    stack.record({"n": 1}, {"n": 2})
    stack.record({"n": 2}, {"n": 3})
    assert stack.undo({"n": 3}) == {"n": 2}
    assert stack.undo({"n": 2}) == {"n": 1}
    assert stack.undo({"n": 1}) is None
    assert stack.redo({"n": 1}) == {"n": 2}
    stack.record({"n": 2}, {"n": 5})  # a new edit drops the redo branch
    assert stack.redo({"n": 5}) is None
    assert stack.undo({"n": 99}) is None and len(stack) == 0  # another file was opened


def test_compile_and_fit_fields_come_from_keras_signatures():
    compile_ = {p.name: p for p in I.compile_params()}
    assert set(compile_) == {"loss_weights", "weighted_metrics", "run_eagerly", "jit_compile", "steps_per_execution"}
    assert compile_["run_eagerly"].annotation == "bool" and compile_["steps_per_execution"].default == 1
    assert compile_["jit_compile"].choices == ("auto", "true", "false")  # false is a real choice, not "off"
    fit = {p.name: p for p in I.fit_params()}
    assert fit["epochs"].default == 1 and fit["epochs"].annotation == "int"
    assert fit["shuffle"].default is True and fit["validation_split"].annotation == "float"


def test_arguments_shared_by_every_optimizer_are_read_from_the_base_class():
    common = I.common_param_names("optimizer", "Adam")
    assert {"weight_decay", "clipnorm", "use_ema"} <= set(common)
    assert "beta_1" not in common and "learning_rate" not in common
    assert {"name", "dtype", "trainable"} <= set(I.common_param_names("layer", "Dense"))


def test_input_shape_is_a_shape():
    p = {q.name: q for q in I.constructor_params("layer", "Dense")}["input_shape"]
    assert F.parse_form_value("784", p) == [784]
    assert F.parse_form_value("28, 28, 1", p) == [28, 28, 1]
    with pytest.raises(ValueError, match="positive integers"):
        F.parse_form_value("0", p)


def test_comma_lists_of_names_need_no_quotes():
    p = {q.name: q for q in I.compile_params()}["weighted_metrics"]
    assert F.parse_form_value("accuracy, mae", p) == ["accuracy", "mae"]
    assert F.parse_form_value('["accuracy"]', p) == ["accuracy"]
    with pytest.raises(ValueError):
        F.parse_form_value("3 + , x", None)
