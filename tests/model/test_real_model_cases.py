"""The cases a new user met in the first hour with real models: each builds as Keras would, or is a clear
error/warning naming the preset key. None may be silently wrong."""

from __future__ import annotations

import numpy as np
import pytest

from tests.model.support import preset_at
from tuitrain.common.errors import SpecError, TuitrainError
from tuitrain.model import param_counts, prepare

RNG = np.random.default_rng(1)


STACK = """
    name = "case"
    [data]
    source = "file:d.npz"
    validation_split = 0
"""
# One Dense unit on 3 features: enough model for the checks that are about [compile].
ONE_UNIT = STACK + """
    [[layers]]
    type = "Dense"
    units = 1
"""


# A two-class softmax classifier: enough model for the checks that are about labels and [fit].
TWO_CLASSES = STACK + """
    [[layers]]
    type = "Dense"
    units = 2
    activation = "softmax"
    [compile]
    loss = "sparse_categorical_crossentropy"
"""


def regression_rows() -> dict[str, np.ndarray]:
    """8 rows of 3 features and one float target, for ``ONE_UNIT``."""
    return {"x": RNG.random((8, 3), dtype=np.float32), "y": RNG.random(8, dtype=np.float32)}


def test_embedding_input_dim_is_its_vocabulary_not_an_input_shape(tmp_path):
    preset = preset_at(tmp_path, STACK + """
        [[layers]]
        type = "Embedding"
        input_dim = 20000
        output_dim = 8
        [[layers]]
        type = "GlobalAveragePooling1D"
        [[layers]]
        type = "Dense"
        units = 1
        activation = "sigmoid"
        [compile]
        loss = "binary_crossentropy"
        """, x=RNG.integers(0, 20000, (12, 200)), y=np.arange(12) % 2)
    model = prepare(preset).model
    assert param_counts(model) == (20000 * 8 + 9, 20000 * 8 + 9, 0)
    assert tuple(model.inputs[0].shape) == (None, 200)


def test_wrappers_take_their_inner_layer_as_a_table_including_backward_layer(tmp_path):
    import keras

    preset = preset_at(tmp_path, STACK + """
        [[layers]]
        type = "Bidirectional"
        layer = { type = "LSTM", units = 4, return_sequences = true }
        backward_layer = { type = "GRU", units = 4, return_sequences = true, go_backwards = true }
        [[layers]]
        type = "TimeDistributed"
        layer = { type = "Dense", units = 3 }
        [compile]
        loss = "mse"
        """, x=RNG.random((8, 5, 2), dtype=np.float32), y=RNG.random((8, 5, 3), dtype=np.float32))
    model = prepare(preset).model
    bidi = model.layers[0]
    assert isinstance(bidi.forward_layer, keras.layers.LSTM) and isinstance(bidi.backward_layer, keras.layers.GRU)
    lstm = 4 * (4 * (2 + 4 + 1))
    gru = 3 * 4 * (2 + 4) + 3 * 4 * 2  # reset_after: two bias rows
    assert param_counts(model)[0] == lstm + gru + (8 * 3 + 3)


def test_wrapped_layer_errors_name_the_inner_key(tmp_path):
    preset = preset_at(tmp_path, STACK + """
        [[layers]]
        type = "Bidirectional"
        layer = { type = "LSTM", unitz = 4 }
        """, x=RNG.random((8, 5, 2), dtype=np.float32), y=np.arange(8) % 2)
    with pytest.raises(SpecError, match=r"layers\[0\]\.layer\.unitz: LSTM has no argument 'unitz'"):
        prepare(preset)


def test_learning_rate_schedule_table_builds_the_schedule(tmp_path):
    import keras

    preset = preset_at(tmp_path, ONE_UNIT + """
        [compile]
        optimizer = { type = "SGD", learning_rate = { type = "ExponentialDecay", initial_learning_rate = 0.1, decay_steps = 1000, decay_rate = 0.9 } }
        loss = "mse"
        """, **regression_rows())
    optimizer = prepare(preset).model.optimizer
    schedule = optimizer._learning_rate
    assert isinstance(schedule, keras.optimizers.schedules.ExponentialDecay)
    assert schedule.initial_learning_rate == 0.1 and schedule.decay_steps == 1000


def test_initializer_regularizer_constraint_tables(tmp_path):
    import keras

    preset = preset_at(tmp_path, STACK + """
        [[layers]]
        type = "Dense"
        units = 2
        kernel_initializer = { type = "RandomNormal", stddev = 0.5, seed = 3 }
        kernel_regularizer = { type = "L2", l2 = 0.01 }
        kernel_constraint = { type = "MaxNorm", max_value = 2.0 }
        [compile]
        loss = "mse"
        """, x=RNG.random((8, 3), dtype=np.float32), y=RNG.random((8, 2), dtype=np.float32))
    dense = prepare(preset).model.layers[0]
    assert isinstance(dense.kernel_initializer, keras.initializers.RandomNormal) and dense.kernel_initializer.stddev == 0.5
    assert isinstance(dense.kernel_regularizer, keras.regularizers.L2)
    assert isinstance(dense.kernel_constraint, keras.constraints.MaxNorm)


def test_unknown_schedule_names_the_key_and_close_names(tmp_path):
    preset = preset_at(tmp_path, ONE_UNIT + """
        [compile]
        optimizer = { type = "Adam", learning_rate = { type = "ExponentalDecay", initial_learning_rate = 0.1, decay_steps = 10, decay_rate = 0.9 } }
        loss = "mse"
        """, **regression_rows())
    with pytest.raises(SpecError, match=r"compile\.optimizer\.learning_rate\.type: .*ExponentialDecay"):
        prepare(preset)


TWO_HEADS = """
    name = "heads"
    outputs = ["priority", "department"]
    [[inputs]]
    name = "title"
    [[inputs]]
    name = "tags"
    [data]
    source = "file:d.npz"
    x_key = ["title", "tags"]
    y_key = ["priority", "department"]
    validation_split = 0
    [[layers]]
    type = "Dense"
    units = 8
    inputs = "title"
    name = "t"
    [[layers]]
    type = "Concatenate"
    inputs = ["t", "tags"]
    name = "features"
    [[layers]]
    type = "Dense"
    units = 1
    activation = "sigmoid"
    name = "priority"
    inputs = "features"
    [[layers]]
    type = "Dense"
    units = 4
    activation = "softmax"
    name = "department"
    inputs = "features"
    [compile]
    loss = { priority = "binary_crossentropy", department = "sparse_categorical_crossentropy" }
    loss_weights = { priority = 1.0, department = 0.2 }
    metrics = { department = ["accuracy"] }
"""
HEAD_DATA = dict(title=RNG.random((20, 6), dtype=np.float32), tags=RNG.random((20, 3), dtype=np.float32),
                 priority=RNG.integers(0, 2, 20).astype(np.float32), department=RNG.integers(0, 4, 20))


def test_two_heads_both_built_and_trained_with_per_output_losses(tmp_path):
    preset = preset_at(tmp_path, TWO_HEADS, **HEAD_DATA)
    checked = prepare(preset)
    model = checked.model
    assert model.output_names == ["priority", "department"]
    assert param_counts(model)[0] == (6 * 8 + 8) + (11 * 1 + 1) + (11 * 4 + 4)
    history = model.fit(checked.dataset.x_train, checked.dataset.y_train, epochs=1, verbose=0)
    assert {"priority_loss", "department_loss", "department_accuracy"} <= set(history.history)


def test_a_head_left_out_of_outputs_is_an_error_not_a_dropped_branch(tmp_path):
    text = TWO_HEADS.replace('outputs = ["priority", "department"]', "")
    preset = preset_at(tmp_path, text, **HEAD_DATA)
    with pytest.raises(SpecError, match=r"layers\[2\]: this layer \('priority'\) reaches no output.*outputs = \['priority', 'department'\]"):
        prepare(preset)


def test_loss_table_keys_must_be_outputs_and_lists_must_match_their_count(tmp_path):
    preset = preset_at(tmp_path, TWO_HEADS.replace("loss_weights = { priority = 1.0, department = 0.2 }",
                                                   "loss_weights = { priority = 1.0, departmnt = 0.2 }"), **HEAD_DATA)
    with pytest.raises(SpecError, match=r"compile\.loss_weights\.departmnt: 'departmnt' is not an output.*Did you mean 'department'\?"):
        prepare(preset)
    preset = preset_at(tmp_path, TWO_HEADS.replace("loss_weights = { priority = 1.0, department = 0.2 }",
                                                   "loss_weights = [1.0, 0.2, 0.5]"), **HEAD_DATA)
    with pytest.raises(SpecError, match=r"compile\.loss_weights: 3 values for 2 outputs"):
        prepare(preset)


def test_loss_weights_with_one_output_is_an_error(tmp_path):
    preset = preset_at(tmp_path, ONE_UNIT + """
        [compile]
        loss = "mse"
        loss_weights = [1.0, 0.2]
        """, **regression_rows())
    with pytest.raises(SpecError, match=r"compile\.loss_weights: 2 values for 1 output"):
        prepare(preset)


def test_the_number_of_data_arrays_must_match_inputs_and_outputs(tmp_path):
    text = TWO_HEADS.replace('x_key = ["title", "tags"]', 'x_key = ["title"]')
    preset = preset_at(tmp_path, text, **HEAD_DATA)
    with pytest.raises(TuitrainError, match=r"data\.x_key: 1 array for 2 inputs"):
        prepare(preset)


def test_unadapted_normalization_is_an_error_and_adapt_learns_the_data(tmp_path):
    x = (RNG.random((30, 3)) * [1, 100, 3305]).astype(np.float32)
    text = STACK + """
        [[layers]]
        type = "Normalization"
        [[layers]]
        type = "Dense"
        units = 1
        [compile]
        loss = "mse"
        """
    preset = preset_at(tmp_path, text, x=x, y=RNG.random(30, dtype=np.float32))
    with pytest.raises(SpecError, match=r"layers\[0\]: Normalization learns from the data.*adapt = true.*mean.*variance"):
        prepare(preset)
    preset = preset_at(tmp_path, text.replace('type = "Normalization"', 'type = "Normalization"\nadapt = true'))
    layer = prepare(preset).model.layers[0]
    assert np.allclose(np.asarray(layer.mean).reshape(-1), x.mean(axis=0), rtol=1e-4)
    fixed = preset_at(tmp_path, text.replace('type = "Normalization"', 'type = "Normalization"\nmean = 0.5\nvariance = 2.0'))
    assert prepare(fixed).model is not None


def test_string_input_without_a_layer_that_takes_strings_is_an_error(tmp_path):
    (tmp_path / "r.csv").write_text("text,label\ngood film,1\nbad film,0\nfine,1\nawful,0\n")
    preset = preset_at(tmp_path, """
        name = "text"
        [data]
        source = "file:r.csv"
        validation_split = 0
        [[layers]]
        type = "Dense"
        units = 1
        [compile]
        loss = "mse"
        """)
    with pytest.raises(SpecError, match=r"layers\[0\]: the input .*holds text.*TextVectorization"):
        prepare(preset)


def test_class_weight_keys_become_class_indices_and_change_the_loss(tmp_path):
    from tuitrain.model import fit_kwargs

    text = TWO_CLASSES + """
        [fit]
        class_weight = { 0 = 1.0, 1 = 5.0 }
        """
    preset = preset_at(tmp_path, text, x=RNG.random((20, 3), dtype=np.float32), y=np.arange(20) % 2)
    checked = prepare(preset)
    kwargs = fit_kwargs(preset.fit, checked.dataset)
    assert kwargs["class_weight"] == {0: 1.0, 1: 5.0}
    model, ds = checked.model, checked.dataset
    plain = model.evaluate(ds.x_train, ds.y_train, verbose=0)
    weights = np.where(ds.y_train == 1, 5.0, 1.0)
    weighted = model.evaluate(ds.x_train, ds.y_train, sample_weight=weights, verbose=0)
    assert plain != pytest.approx(weighted)


def test_class_weight_balanced_and_weights_matching_no_class(tmp_path):
    from tuitrain.model import fit_kwargs

    text = TWO_CLASSES + """
        [fit]
        class_weight = "balanced"
        """
    y = np.array([0] * 15 + [1] * 5)
    preset = preset_at(tmp_path, text, x=RNG.random((20, 3), dtype=np.float32), y=y)
    checked = prepare(preset)
    assert fit_kwargs(preset.fit, checked.dataset)["class_weight"] == pytest.approx({0: 20 / 30, 1: 20 / 10})
    preset = preset_at(tmp_path, text.replace('class_weight = "balanced"', "class_weight = { 0 = 1.0, 7 = 5.0 }"))
    with pytest.raises(SpecError, match=r"fit\.class_weight\.7: .*no class 7.*0\.\.1"):
        prepare(preset)


def test_minus_one_plus_one_labels_in_check_are_a_message_not_a_traceback(tmp_path, capsys):
    from tuitrain.__main__ import main

    preset_at(tmp_path, TWO_CLASSES, x=RNG.random((10, 3), dtype=np.float32), y=np.where(np.arange(10) % 2, 1, -1))
    code = main(["check", str(tmp_path / "p.toml")])
    err = capsys.readouterr().err
    assert code != 0 and "Traceback" not in err
    assert 'encode_labels' in err and "p.toml" in err


def test_headerless_csv_in_check_is_an_error_naming_header(tmp_path, capsys):
    from tuitrain.__main__ import main

    (tmp_path / "t.csv").write_text("0.5,1.5,0\n1.5,0.5,1\n0.2,0.1,1\n")
    preset_at(tmp_path, """
        name = "csv"
        [data]
        source = "file:t.csv"
        [[layers]]
        type = "Dense"
        units = 2
        """)
    code = main(["check", str(tmp_path / "p.toml")])
    err = capsys.readouterr().err
    assert code != 0 and "header = false" in err and "p.toml:3: data.header:" in err  # line 3: [data]
