"""Model building, compile options, callbacks and mismatch warnings — all resolved through Keras."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from tuitrain import model as M
from tuitrain import preset as spec
from tuitrain.common.errors import SpecError


def _preset(name="mnist_mlp", **changes):
    preset = spec.load_preset(spec.find_preset(name)).copy()
    for key, value in changes.items():
        setattr(preset, key, value)
    return preset


def _build(layers, shape):
    return M.build_model_partial(_preset(layers=layers), shape)


def test_tutorial_mlp_has_25450_parameters_and_the_summary_rows():
    report = M.build_model_partial(_preset("mnist_mlp"), (784,))
    assert report.error is None
    assert (report.total_params, report.trainable_params, report.non_trainable_params) == (25450, 25450, 0)
    assert [(r.type, r.output_shape, r.params) for r in report.rows] == [
        ("Dense", "(None, 32)", 25120),
        ("Activation", "(None, 32)", 0),
        ("Dense", "(None, 10)", 330),
        ("Activation", "(None, 10)", 0),
    ]
    assert isinstance(report.model, keras.Sequential)
    assert report.model.count_params() == 25450
    assert "25,450" in M.summary_text(report.model)


def test_declared_input_shape_that_disagrees_with_the_data_is_an_error():
    with pytest.raises(SpecError) as info:
        M.build_model(_preset("mnist_mlp"), (28, 28))
    assert info.value.path == "layers[0].input_shape"
    assert "(784,)" in str(info.value) and "(28, 28)" in str(info.value)


def test_input_dim_spelling_is_honoured():
    layers = [{"type": "Dense", "units": 4, "input_dim": 3}]
    report = _build(layers, (3,))
    assert report.total_params == 16
    with pytest.raises(SpecError) as info:
        M.build_model(_preset(layers=layers), (5,))
    assert info.value.path == "layers[0].input_dim"


def test_conv2d_on_flat_input_says_which_layer_and_which_shapes():
    report = _build([{"type": "Conv2D", "filters": 4, "kernel_size": 3}, {"type": "Dense", "units": 3}], (784,))
    assert report.model is None
    first, second = report.rows
    assert first.error.startswith("layers[0]: Conv2D expects 4-D input (batch included), gets (None, 784)")
    assert "earlier layer" in second.error


def test_dense_after_conv2d_without_flatten_is_a_valid_model():
    report = _build([{"type": "Conv2D", "filters": 4, "kernel_size": 3}, {"type": "Dense", "units": 3}], (8, 8, 1))
    assert report.error is None
    assert [r.output_shape for r in report.rows] == ["(None, 6, 6, 4)", "(None, 6, 6, 3)"]
    assert report.total_params == (3 * 3 * 1 * 4 + 4) + (4 * 3 + 3)


@pytest.mark.parametrize(
    "layer, path, fragments",
    [
        ({"type": "Dens", "units": 3}, "layers[0].type", ["unknown layer type 'Dens'", "Dense"]),
        ({"type": "Dense", "unit": 3}, "layers[0].unit", ["no argument 'unit'", "units", "Valid arguments", "kernel_initializer"]),
        ({"type": "Dense", "units": -1}, "layers[0].units", ["positive integer", "-1"]),
        ({"type": "Dense", "units": 0}, "layers[0].units", ["positive integer"]),
        ({"type": "Dense", "units": 3, "activation": "relux"}, "layers[0].activation", ["relux"]),
    ],
)
def test_bad_layers_are_named_with_their_row_and_argument(layer, path, fragments):
    report = _build([layer], (4,))
    error = report.rows[0].error
    assert error.startswith(path + ":"), error
    for fragment in fragments:
        assert fragment in error


def test_any_keras_layer_and_serialized_objects_work_without_a_table_of_our_own():
    report = _build(
        [
            {"type": "GaussianNoise", "stddev": 0.1},
            {"type": "Dense", "units": 3, "kernel_regularizer": {"type": "L2", "l2": 0.01},
             "kernel_initializer": {"type": "RandomNormal", "stddev": 0.02, "seed": 1}},
            {"type": "LayerNormalization"},
        ],
        (4,),
    )
    assert report.error is None
    dense = report.model.layers[1]
    assert isinstance(dense.kernel_regularizer, keras.regularizers.L2)
    assert dense.kernel_regularizer.l2 == pytest.approx(0.01)
    assert report.total_params == 15 + 6
    assert set(M.layer_classes()) >= {"Dense", "Conv2D", "LSTM", "MultiHeadAttention", "GaussianNoise"}


def test_functional_two_branch_preset_builds_a_functional_model():
    preset = _preset("two_branch")
    report = M.build_model_partial(preset, (2,))
    assert report.error is None
    assert not isinstance(report.model, keras.Sequential)
    assert report.total_params == 698
    merge = next(r for r in report.rows if r.type == "Concatenate")
    assert len(merge.inputs) == 2


@pytest.mark.parametrize("name", ["Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "Ftrl", "Lion", "Nadam", "RMSprop", "SGD"])
def test_every_seed_optimizer_takes_its_hyper_parameters(name):
    optimizer = M.make_optimizer({"type": name, "learning_rate": 0.125})
    assert type(optimizer).__name__ == name
    assert float(optimizer.learning_rate) == pytest.approx(0.125)


def test_bare_optimizer_name_and_sgd_momentum():
    assert type(M.make_optimizer("rmsprop")).__name__ == "RMSprop"
    sgd = M.make_optimizer({"type": "SGD", "momentum": 0.9, "nesterov": True})
    assert sgd.momentum == pytest.approx(0.9) and sgd.nesterov


@pytest.mark.parametrize(
    "value, path, fragment",
    [
        ("Adamm", "compile.optimizer", "Did you mean 'Adam'"),
        ({"type": "SGD", "momentun": 0.9}, "compile.optimizer.momentun", "momentum"),
    ],
)
def test_bad_optimizers(value, path, fragment):
    with pytest.raises(SpecError) as info:
        M.make_optimizer(value)
    assert info.value.path == path and fragment in str(info.value)


def test_compile_passes_every_option_to_keras():
    built = M.build_model(_preset("mnist_mlp"), (784,))
    M.compile_model(
        built,
        {
            "optimizer": {"type": "Adam", "learning_rate": 0.001},
            "loss": "categorical_crossentropy",
            "metrics": ["accuracy", {"type": "TopKCategoricalAccuracy", "k": 3}],
            "weighted_metrics": ["mae"],
            "loss_weights": [1.0],
            "run_eagerly": True,
            "steps_per_execution": 4,
            "jit_compile": False,
        },
    )
    assert built.run_eagerly is True
    assert built.steps_per_execution == 4
    assert built.jit_compile is False
    x = np.zeros((8, 784), "float32")
    y = np.eye(10, dtype="float32")[np.arange(8) % 10]
    logs = built.evaluate(x, y, verbose=0, return_dict=True)
    assert {"loss", "accuracy", "top_k_categorical_accuracy"} <= set(logs)


def test_unknown_loss_and_metric_are_named():
    with pytest.raises(SpecError) as info:
        M.compile_kwargs({"loss": "sparse_categorical_crosentropy"})
    assert info.value.path == "compile.loss" and "sparse_categorical_crossentropy" in str(info.value)
    with pytest.raises(SpecError) as info:
        M.compile_kwargs({"loss": "mse", "metrics": ["accuracy", "precison"]})
    assert info.value.path == "compile.metrics[1]"


def test_callbacks_resolve_through_keras():
    callbacks = M.resolve_callbacks({"callbacks": [{"type": "EarlyStopping", "patience": 3}, {"type": "ReduceLROnPlateau", "factor": 0.5}]})
    assert [type(c).__name__ for c in callbacks] == ["EarlyStopping", "ReduceLROnPlateau"]
    assert callbacks[0].patience == 3
    with pytest.raises(SpecError) as info:
        M.resolve_callbacks({"callbacks": [{"type": "EarlyStoping"}]})
    assert info.value.path == "fit.callbacks[0]" and "EarlyStopping" in str(info.value)


class _FakeData:
    def __init__(self, y, num_classes, task="classification"):
        self.y_train, self.num_classes, self.task = y, num_classes, task


def _warn_paths(preset, data):
    return {w.path: w.message for w in M.check_warnings(preset, data)}


def test_warning_sparse_labels_with_categorical_loss():
    preset = _preset("mnist_mlp")  # categorical_crossentropy
    warnings = _warn_paths(preset, _FakeData(np.arange(20) % 10, 10))
    assert "compile.loss" in warnings and "one_hot" in warnings["compile.loss"]


def test_warning_one_hot_labels_with_sparse_loss():
    preset = _preset("mnist_mlp")
    preset.compile = {**preset.compile, "loss": "sparse_categorical_crossentropy"}
    warnings = _warn_paths(preset, _FakeData(np.eye(10)[np.arange(20) % 10], 10))
    assert "compile.loss" in warnings


def test_warning_softmax_output_with_from_logits_loss():
    preset = _preset("spiral_mlp")
    preset.compile = {**preset.compile, "loss": {"type": "SparseCategoricalCrossentropy", "from_logits": True}}
    warnings = _warn_paths(preset, _FakeData(np.arange(20) % 2, 2))
    assert any("from_logits" in m and "softmax" in m for m in warnings.values())


def test_warning_output_units_against_classes_and_binary_loss_on_many_classes():
    preset = _preset("spiral_mlp")
    warnings = _warn_paths(preset, _FakeData(np.arange(30) % 3, 3))  # 2 output units, 3 classes
    assert any("3 classes" in m or "3" in m for p, m in warnings.items() if p.startswith("layers"))
    preset.compile = {**preset.compile, "loss": "binary_crossentropy"}
    warnings = _warn_paths(preset, _FakeData(np.arange(30) % 3, 3))
    assert "compile.loss" in warnings and "binary" in warnings["compile.loss"].lower()


def test_a_fitting_preset_has_no_warnings():
    preset = _preset("spiral_mlp")
    assert M.check_warnings(preset, _FakeData(np.arange(20) % 2, 2)) == []


def test_warning_output_shape_that_no_label_matches():
    preset = _preset(layers=[{"type": "Conv2D", "filters": 4, "kernel_size": 3}, {"type": "Dense", "units": 10, "activation": "softmax"}])
    preset.compile = {"optimizer": "adam", "loss": "sparse_categorical_crossentropy"}
    report = M.build_model_partial(preset, (8, 8, 1))
    assert report.error is None  # a valid model...
    warnings = _warn_paths(preset, _FakeData(np.arange(20) % 10, 10)) | {
        w.path: w.message for w in M.check_warnings(preset, _FakeData(np.arange(20) % 10, 10), report.model)
    }
    assert "(None, 6, 6, 10)" in warnings["layers[1]"] and "Flatten" in warnings["layers[1]"]  # ...that cannot fit
    flat = _preset(layers=[{"type": "Flatten"}, {"type": "Dense", "units": 10, "activation": "softmax"}])
    flat.compile = preset.compile
    flat_model = M.build_model(flat, (8, 8, 1))
    assert M.check_warnings(flat, _FakeData(np.arange(20) % 10, 10), flat_model) == []


def test_unknown_optimizer_table_is_an_error_not_none():
    with pytest.raises(SpecError) as info:
        M.make_optimizer({"type": "Nope", "learning_rate": 0.1})
    assert info.value.path == "compile.optimizer.type" and "unknown optimizer 'Nope'" in str(info.value)


def test_rows_say_which_layer_failed_and_which_were_never_built():
    report = _build([{"type": "Dense", "units": 4}, {"type": "Dens", "units": 4}, {"type": "Dense", "units": 2}], (3,))
    assert [r.state for r in report.rows] == [M.RowState.BUILT, M.RowState.FAILED, M.RowState.NOT_BUILT]
    assert "Dens" in report.rows[1].error and report.rows[0].error is None
    bad_shape = _build([{"type": "Dense", "units": 4, "input_shape": [5]}, {"type": "Dense", "units": 2}], (3,))
    assert [r.state for r in bad_shape.rows] == [M.RowState.FAILED, M.RowState.NOT_BUILT]


def test_multi_label_data_warns_about_softmax_and_categorical_loss_not_class_counts():
    from tuitrain.data import Dataset

    y = np.zeros((6, 27), dtype=np.float32)
    y[:, 0], y[::2, 5] = 1.0, 1.0  # several labels per sample for half the rows
    dataset = Dataset(np.zeros((6, 4), np.float32), y, None, None, num_classes=27, task="classification", class_names=None, source="test")
    layers = [{"type": "Dense", "units": 27, "activation": "softmax"}]
    preset = _preset(layers=layers, compile={"loss": "categorical_crossentropy"})
    messages = [w.message for w in M.check_warnings(preset, dataset)]
    assert any("multi-label" in m and "binary_crossentropy" in m for m in messages)
    assert any("softmax" in m and "sigmoid" in m for m in messages)
    assert not any("classes" in m for m in messages)
    fitting = _preset(layers=[{"type": "Dense", "units": 27, "activation": "sigmoid"}], compile={"loss": "binary_crossentropy"})
    assert M.check_warnings(fitting, dataset) == []
    narrow = _preset(layers=[{"type": "Dense", "units": 20, "activation": "sigmoid"}], compile={"loss": "binary_crossentropy"})
    assert [w.message for w in M.check_warnings(narrow, dataset)] == ["the output layer has 20 units, but the data has 27 labels per sample."]


def test_none_is_accepted_where_keras_defaults_to_none_and_refused_elsewhere():
    layers = [{"type": "Dense", "units": 2, "kernel_initializer": {"type": "GlorotUniform", "seed": "None"}, "bias_regularizer": "None"}]
    assert _build(layers, (3,)).total_params == 8
    with pytest.raises(SpecError) as info:
        M.build_model(_preset(layers=[{"type": "Dense", "units": 2, "use_bias": "None"}]), (3,))
    assert info.value.path == "layers[0].use_bias" and "does not take None" in info.value.message
    with pytest.raises(SpecError) as info:
        M.build_model(_preset(layers=[{"type": "Dense", "units": 2, "kernel_initializer": {"type": "RandomNormal", "stddev": "None"}}]), (3,))
    assert info.value.path == "layers[0].kernel_initializer.stddev"
