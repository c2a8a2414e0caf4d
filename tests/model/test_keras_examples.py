"""Fidelity against Keras itself: real models from the Keras examples, built the example's way and the
preset's way, must have the same parameter counts (total, trainable, non-trainable) and output shapes;
the script `tuitrain export` writes for the preset must build the same counts.

Each case cites the keras-io file its model comes from (github.com/keras-team/keras-io). Data arrays are
tiny stand-ins with the example's per-sample shapes and dtypes: the counts do not depend on the values.
"""

from __future__ import annotations

import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

from tests.model.support import preset_at
from tuitrain.export.script import export_script
from tuitrain.model import param_counts, prepare

RNG = np.random.default_rng(0)
RUFF = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
N = 16


def shapes(model):
    return [tuple(t.shape) for t in model.outputs]


def check_against_keras(tmp_path, keras_model, preset_text, **arrays):
    """Build the preset on `arrays` (saved as d.npz next to it) and compare it with `keras_model`."""
    preset = preset_at(tmp_path, preset_text, "preset.toml", **arrays)
    checked = prepare(preset)
    assert param_counts(checked.model) == param_counts(keras_model)
    assert shapes(checked.model) == shapes(keras_model)
    script = tmp_path / "exported.py"
    script.write_text(export_script(preset, script_dir=tmp_path))
    lint = subprocess.run([RUFF, "check", "--isolated", "--select", "F,E9", str(script)], capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout  # no undefined or unused names in what the export writes
    namespace = runpy.run_path(str(script), run_name="exported")
    exported = namespace["build_model"]()
    assert param_counts(exported) == param_counts(keras_model)
    assert shapes(exported) == shapes(keras_model)
    return checked


def test_mnist_convnet(tmp_path):
    # examples/vision/mnist_convnet.py
    import keras
    from keras import layers

    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])
    checked = check_against_keras(tmp_path, model, """
        name = "mnist_convnet"
        [data]
        source = "file:d.npz"
        validation_split = 0
        [[layers]]
        type = "Conv2D"
        filters = 32
        kernel_size = [3, 3]
        activation = "relu"
        [[layers]]
        type = "MaxPooling2D"
        pool_size = [2, 2]
        [[layers]]
        type = "Conv2D"
        filters = 64
        kernel_size = [3, 3]
        activation = "relu"
        [[layers]]
        type = "MaxPooling2D"
        pool_size = [2, 2]
        [[layers]]
        type = "Flatten"
        [[layers]]
        type = "Dropout"
        rate = 0.5
        [[layers]]
        type = "Dense"
        units = 10
        activation = "softmax"
        [compile]
        optimizer = "adam"
        loss = "sparse_categorical_crossentropy"
        """, x=RNG.random((N, 28, 28, 1), dtype=np.float32), y=np.arange(N) % 10)
    assert param_counts(checked.model)[0] == 34826


def test_bidirectional_lstm_imdb(tmp_path):
    # examples/nlp/bidirectional_lstm_imdb.py
    import keras
    from keras import layers

    inputs = keras.Input(shape=(None,), dtype="int32")
    x = layers.Embedding(20000, 128)(inputs)
    x = layers.Bidirectional(layers.LSTM(64, return_sequences=True))(x)
    x = layers.Bidirectional(layers.LSTM(64))(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    check_against_keras(tmp_path, model, """
        name = "bidirectional_lstm_imdb"
        [[inputs]]
        shape = ["None"]
        dtype = "int32"
        [data]
        source = "file:d.npz"
        validation_split = 0
        [[layers]]
        type = "Embedding"
        input_dim = 20000
        output_dim = 128
        [[layers]]
        type = "Bidirectional"
        layer = { type = "LSTM", units = 64, return_sequences = true }
        [[layers]]
        type = "Bidirectional"
        layer = { type = "LSTM", units = 64 }
        [[layers]]
        type = "Dense"
        units = 1
        activation = "sigmoid"
        [compile]
        optimizer = "adam"
        loss = "binary_crossentropy"
        metrics = ["accuracy"]
        """, x=RNG.integers(0, 20000, (N, 200)).astype(np.int32), y=np.arange(N) % 2)


def test_text_classification_from_scratch(tmp_path):
    # examples/nlp/text_classification_from_scratch.py (the 1-D convnet on word indices)
    import keras
    from keras import layers

    inputs = keras.Input(shape=(None,), dtype="int64")
    x = layers.Embedding(20000, 128)(inputs)
    x = layers.Dropout(0.5)(x)
    x = layers.Conv1D(128, 7, padding="valid", activation="relu", strides=3)(x)
    x = layers.Conv1D(128, 7, padding="valid", activation="relu", strides=3)(x)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.Dense(128, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    predictions = layers.Dense(1, activation="sigmoid", name="predictions")(x)
    model = keras.Model(inputs, predictions)
    check_against_keras(tmp_path, model, """
        name = "text_classification_from_scratch"
        [[inputs]]
        shape = ["None"]
        dtype = "int64"
        [data]
        source = "file:d.npz"
        validation_split = 0
        [[layers]]
        type = "Embedding"
        input_dim = 20000
        output_dim = 128
        [[layers]]
        type = "Dropout"
        rate = 0.5
        [[layers]]
        type = "Conv1D"
        filters = 128
        kernel_size = 7
        padding = "valid"
        activation = "relu"
        strides = 3
        [[layers]]
        type = "Conv1D"
        filters = 128
        kernel_size = 7
        padding = "valid"
        activation = "relu"
        strides = 3
        [[layers]]
        type = "GlobalMaxPooling1D"
        [[layers]]
        type = "Dense"
        units = 128
        activation = "relu"
        [[layers]]
        type = "Dropout"
        rate = 0.5
        [[layers]]
        type = "Dense"
        units = 1
        activation = "sigmoid"
        name = "predictions"
        [compile]
        optimizer = "adam"
        loss = "binary_crossentropy"
        """, x=RNG.integers(0, 20000, (N, 500)), y=np.arange(N) % 2)


def test_addition_rnn_with_the_keras_2_input_shape_spelling(tmp_path):
    # examples/nlp/addition_rnn.py: LSTM(128, input_shape=(MAXLEN, len(chars))) as in the example
    import keras
    from keras import layers

    model = keras.Sequential([
        keras.Input((7, 12)),
        layers.LSTM(128),
        layers.RepeatVector(4),
        layers.LSTM(128, return_sequences=True),
        layers.Dense(12, activation="softmax"),
    ])
    check_against_keras(tmp_path, model, """
        name = "addition_rnn"
        [data]
        source = "file:d.npz"
        validation_split = 0
        [[layers]]
        type = "LSTM"
        units = 128
        input_shape = [7, 12]
        [[layers]]
        type = "RepeatVector"
        n = 4
        [[layers]]
        type = "LSTM"
        units = 128
        return_sequences = true
        [[layers]]
        type = "Dense"
        units = 12
        activation = "softmax"
        [compile]
        optimizer = "adam"
        loss = "categorical_crossentropy"
        """, x=(RNG.random((N, 7, 12)) > 0.5).astype(np.float32), y=np.eye(12, dtype=np.float32)[RNG.integers(0, 12, (N, 4))])


def test_timeseries_classification_fcn(tmp_path):
    # examples/timeseries/timeseries_classification_from_scratch.py (make_model)
    import keras

    input_layer = keras.layers.Input((500, 1))
    x = input_layer
    for _ in range(3):
        x = keras.layers.Conv1D(filters=64, kernel_size=3, padding="same")(x)
        x = keras.layers.BatchNormalization()(x)
        x = keras.layers.ReLU()(x)
    gap = keras.layers.GlobalAveragePooling1D()(x)
    output_layer = keras.layers.Dense(2, activation="softmax")(gap)
    model = keras.models.Model(inputs=input_layer, outputs=output_layer)
    block = """
        [[layers]]
        type = "Conv1D"
        filters = 64
        kernel_size = 3
        padding = "same"
        [[layers]]
        type = "BatchNormalization"
        [[layers]]
        type = "ReLU"
    """
    checked = check_against_keras(tmp_path, model, """
        name = "timeseries_fcn"
        [data]
        source = "file:d.npz"
        validation_split = 0
        preprocess = [{ op = "encode_labels" }]   # the example maps its -1/1 labels to 0/1 by hand
        """ + block * 3 + """
        [[layers]]
        type = "GlobalAveragePooling1D"
        [[layers]]
        type = "Dense"
        units = 2
        activation = "softmax"
        [compile]
        optimizer = "adam"
        loss = "sparse_categorical_crossentropy"
        """, x=RNG.random((N, 500, 1), dtype=np.float32), y=np.where(np.arange(N) % 2, 1, -1))
    assert param_counts(checked.model)[2] == 3 * 128  # the BatchNormalization moving statistics


def test_convolutional_autoencoder_on_its_own_images(tmp_path):
    # examples/vision/autoencoder.py: x is also the target (y_key = the same array)
    from keras import layers
    from keras.models import Model

    inp = layers.Input(shape=(28, 28, 1))
    x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(inp)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(x)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(x)
    x = layers.UpSampling2D((2, 2))(x)
    x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(x)
    x = layers.UpSampling2D((2, 2))(x)
    x = layers.Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x)
    model = Model(inp, x)
    conv = """
        [[layers]]
        type = "Conv2D"
        filters = 32
        kernel_size = [3, 3]
        activation = "relu"
        padding = "same"
    """
    pool = """
        [[layers]]
        type = "MaxPooling2D"
        pool_size = [2, 2]
        padding = "same"
    """
    up = """
        [[layers]]
        type = "UpSampling2D"
        size = [2, 2]
    """
    checked = check_against_keras(tmp_path, model, """
        name = "autoencoder"
        [data]
        source = "file:d.npz"
        x_key = "images"
        y_key = "images"
        validation_split = 0
        preprocess = [{ op = "rescale", factor = 0.00392156862745098 }, { op = "rescale", factor = 0.00392156862745098, target = "y" }]
        """ + conv + pool + conv + pool + conv + up + conv + up + """
        [[layers]]
        type = "Conv2D"
        filters = 1
        kernel_size = [3, 3]
        activation = "sigmoid"
        padding = "same"
        [compile]
        optimizer = "adam"
        loss = "binary_crossentropy"
        """, images=RNG.integers(0, 256, (N, 28, 28, 1)).astype(np.uint8))
    assert checked.dataset.task == "regression" and checked.dataset.num_classes is None


def test_timeseries_anomaly_detection_autoencoder(tmp_path):
    # examples/timeseries/timeseries_anomaly_detection.py
    import keras
    from keras import layers

    model = keras.Sequential([
        layers.Input(shape=(288, 1)),
        layers.Conv1D(filters=32, kernel_size=7, padding="same", strides=2, activation="relu"),
        layers.Dropout(rate=0.2),
        layers.Conv1D(filters=16, kernel_size=7, padding="same", strides=2, activation="relu"),
        layers.Conv1DTranspose(filters=16, kernel_size=7, padding="same", strides=2, activation="relu"),
        layers.Dropout(rate=0.2),
        layers.Conv1DTranspose(filters=32, kernel_size=7, padding="same", strides=2, activation="relu"),
        layers.Conv1DTranspose(filters=1, kernel_size=7, padding="same"),
    ])
    check_against_keras(tmp_path, model, """
        name = "anomaly_autoencoder"
        [data]
        source = "file:d.npz"
        y_key = "x"
        validation_split = 0
        [[layers]]
        type = "Conv1D"
        filters = 32
        kernel_size = 7
        padding = "same"
        strides = 2
        activation = "relu"
        [[layers]]
        type = "Dropout"
        rate = 0.2
        [[layers]]
        type = "Conv1D"
        filters = 16
        kernel_size = 7
        padding = "same"
        strides = 2
        activation = "relu"
        [[layers]]
        type = "Conv1DTranspose"
        filters = 16
        kernel_size = 7
        padding = "same"
        strides = 2
        activation = "relu"
        [[layers]]
        type = "Dropout"
        rate = 0.2
        [[layers]]
        type = "Conv1DTranspose"
        filters = 32
        kernel_size = 7
        padding = "same"
        strides = 2
        activation = "relu"
        [[layers]]
        type = "Conv1DTranspose"
        filters = 1
        kernel_size = 7
        padding = "same"
        [compile]
        optimizer = { type = "Adam", learning_rate = 0.001 }
        loss = "mse"
        """, x=RNG.random((N, 288, 1), dtype=np.float32))


def test_functional_api_ticket_model_three_inputs_two_outputs(tmp_path):
    # guides/functional_api.py ("Models with multiple inputs and outputs")
    import keras
    from keras import layers

    title_input = keras.Input(shape=(None,), name="title")
    body_input = keras.Input(shape=(None,), name="body")
    tags_input = keras.Input(shape=(12,), name="tags")
    title_features = layers.LSTM(128)(layers.Embedding(10000, 64)(title_input))
    body_features = layers.LSTM(32)(layers.Embedding(10000, 64)(body_input))
    x = layers.concatenate([title_features, body_features, tags_input])
    priority_pred = layers.Dense(1, name="priority")(x)
    department_pred = layers.Dense(4, name="department")(x)
    model = keras.Model(inputs=[title_input, body_input, tags_input], outputs=[priority_pred, department_pred])
    checked = check_against_keras(tmp_path, model, """
        name = "tickets"
        outputs = ["priority", "department"]
        [[inputs]]
        name = "title"
        shape = ["None"]
        [[inputs]]
        name = "body"
        shape = ["None"]
        [[inputs]]
        name = "tags"
        shape = [12]
        [data]
        source = "file:d.npz"
        x_key = ["title", "body", "tags"]
        y_key = ["priority", "department"]
        validation_split = 0
        [[layers]]
        type = "Embedding"
        input_dim = 10000
        output_dim = 64
        inputs = "title"
        name = "title_embedding"
        [[layers]]
        type = "LSTM"
        units = 128
        name = "title_features"
        [[layers]]
        type = "Embedding"
        input_dim = 10000
        output_dim = 64
        inputs = "body"
        [[layers]]
        type = "LSTM"
        units = 32
        name = "body_features"
        [[layers]]
        type = "Concatenate"
        inputs = ["title_features", "body_features", "tags"]
        name = "features"
        [[layers]]
        type = "Dense"
        units = 1
        name = "priority"
        inputs = "features"
        [[layers]]
        type = "Dense"
        units = 4
        name = "department"
        inputs = "features"
        [compile]
        optimizer = { type = "RMSprop", learning_rate = 1e-3 }
        loss = { priority = { type = "BinaryCrossentropy", from_logits = true }, department = { type = "CategoricalCrossentropy", from_logits = true } }
        loss_weights = { priority = 1.0, department = 0.2 }
        """, title=RNG.integers(0, 10000, (N, 10)), body=RNG.integers(0, 10000, (N, 100)),
        tags=RNG.integers(0, 2, (N, 12)).astype(np.float32), priority=RNG.random((N, 1)),
        department=RNG.integers(0, 2, (N, 4)).astype(np.float32))
    assert [t.name for t in checked.model.inputs] == ["title", "body", "tags"]
    assert checked.model.output_names == ["priority", "department"]


def test_functional_api_toy_resnet(tmp_path):
    # guides/functional_api.py ("A toy ResNet model"): residual Add merges
    import keras
    from keras import layers

    inputs = keras.Input(shape=(32, 32, 3), name="img")
    x = layers.Conv2D(32, 3, activation="relu")(inputs)
    x = layers.Conv2D(64, 3, activation="relu")(x)
    block_1_output = layers.MaxPooling2D(3)(x)
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(block_1_output)
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
    block_2_output = layers.add([x, block_1_output])
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(block_2_output)
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
    block_3_output = layers.add([x, block_2_output])
    x = layers.Conv2D(64, 3, activation="relu")(block_3_output)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(256, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(10)(x)
    model = keras.Model(inputs, outputs, name="toy_resnet")
    check_against_keras(tmp_path, model, """
        name = "toy_resnet"
        [[inputs]]
        name = "img"
        [data]
        source = "file:d.npz"
        validation_split = 0
        [[layers]]
        type = "Conv2D"
        filters = 32
        kernel_size = 3
        activation = "relu"
        inputs = "img"
        [[layers]]
        type = "Conv2D"
        filters = 64
        kernel_size = 3
        activation = "relu"
        [[layers]]
        type = "MaxPooling2D"
        pool_size = 3
        name = "block_1_output"
        [[layers]]
        type = "Conv2D"
        filters = 64
        kernel_size = 3
        activation = "relu"
        padding = "same"
        [[layers]]
        type = "Conv2D"
        filters = 64
        kernel_size = 3
        activation = "relu"
        padding = "same"
        name = "b2"
        [[layers]]
        type = "Add"
        inputs = ["b2", "block_1_output"]
        name = "block_2_output"
        [[layers]]
        type = "Conv2D"
        filters = 64
        kernel_size = 3
        activation = "relu"
        padding = "same"
        [[layers]]
        type = "Conv2D"
        filters = 64
        kernel_size = 3
        activation = "relu"
        padding = "same"
        name = "b3"
        [[layers]]
        type = "Add"
        inputs = ["b3", "block_2_output"]
        [[layers]]
        type = "Conv2D"
        filters = 64
        kernel_size = 3
        activation = "relu"
        [[layers]]
        type = "GlobalAveragePooling2D"
        [[layers]]
        type = "Dense"
        units = 256
        activation = "relu"
        [[layers]]
        type = "Dropout"
        rate = 0.5
        [[layers]]
        type = "Dense"
        units = 10
        [compile]
        optimizer = { type = "RMSprop", learning_rate = 1e-3 }
        loss = { type = "CategoricalCrossentropy", from_logits = true }
        """, x=RNG.random((N, 32, 32, 3), dtype=np.float32), y=np.eye(10, dtype=np.float32)[np.arange(N) % 10])


def test_preprocessing_guide_adapted_normalization(tmp_path):
    # guides/preprocessing_layers.py ("Normalizing numerical features"), on flattened 32x32x3 images
    import keras
    from keras import layers

    x_train = RNG.integers(0, 256, (N, 3072)).astype(np.float32)
    normalizer = layers.Normalization()
    normalizer.adapt(x_train)
    inputs = keras.Input(shape=(3072,))
    outputs = layers.Dense(10, activation="softmax")(normalizer(inputs))
    model = keras.Model(inputs, outputs)
    checked = check_against_keras(tmp_path, model, """
        name = "normalized_pixels"
        [data]
        source = "file:d.npz"
        validation_split = 0
        [[layers]]
        type = "Normalization"
        adapt = true
        [[layers]]
        type = "Dense"
        units = 10
        activation = "softmax"
        [compile]
        optimizer = "adam"
        loss = "sparse_categorical_crossentropy"
        """, x=x_train, y=np.arange(N) % 10)
    norm = checked.model.layers[0]
    assert np.allclose(np.asarray(norm.mean).reshape(-1), x_train.mean(axis=0), rtol=1e-4)
    assert param_counts(checked.model)[2] == 3072 * 2 + 1


def test_preprocessing_guide_text_vectorization_embedding_gru_end_to_end(tmp_path):
    # guides/preprocessing_layers.py ("Encoding text as a sequence of token indices"), as one model on raw strings
    import keras
    from keras import layers

    texts = np.array([["The Brain is wider than the Sky"], ["For put them side by side"],
                      ["The one the other will contain"], ["With ease and You beside"]] * 4)
    vectorizer = layers.TextVectorization(output_mode="int")
    vectorizer.adapt(texts)
    inputs = keras.Input(shape=(1,), dtype="string")
    x = vectorizer(inputs)
    x = layers.Embedding(input_dim=vectorizer.vocabulary_size(), output_dim=16)(x)
    x = layers.GRU(8)(x)
    outputs = layers.Dense(1)(x)
    model = keras.Model(inputs, outputs)
    (tmp_path / "poems.csv").write_text("text,label\n" + "\n".join(f'"{t[0]}",{i % 2}' for i, t in enumerate(texts)) + "\n")
    checked = check_against_keras(tmp_path, model, f"""
        name = "poems"
        [data]
        source = "file:poems.csv"
        validation_split = 0
        task = "regression"
        [[layers]]
        type = "TextVectorization"
        output_mode = "int"
        adapt = true
        [[layers]]
        type = "Embedding"
        input_dim = {vectorizer.vocabulary_size()}
        output_dim = 16
        [[layers]]
        type = "GRU"
        units = 8
        [[layers]]
        type = "Dense"
        units = 1
        [compile]
        optimizer = "rmsprop"
        loss = "mse"
        """)
    adapted = next(layer for layer in checked.model.layers if isinstance(layer, layers.TextVectorization))
    assert adapted.get_vocabulary() == vectorizer.get_vocabulary()


def test_time_distributed_conv2d_from_the_keras_api_docs(tmp_path):
    # keras/src/layers/rnn/time_distributed.py docstring: TimeDistributed(Conv2D(64, (3, 3))) on (10, 128, 128, 3)
    import keras
    from keras import layers

    inputs = keras.Input(shape=(10, 32, 32, 3))
    x = layers.TimeDistributed(layers.Conv2D(64, (3, 3)))(inputs)
    outputs = layers.TimeDistributed(layers.GlobalAveragePooling2D())(x)
    model = keras.Model(inputs, outputs)
    check_against_keras(tmp_path, model, """
        name = "time_distributed"
        [data]
        source = "file:d.npz"
        validation_split = 0
        [[layers]]
        type = "TimeDistributed"
        layer = { type = "Conv2D", filters = 64, kernel_size = [3, 3] }
        [[layers]]
        type = "TimeDistributed"
        layer = { type = "GlobalAveragePooling2D" }
        [compile]
        loss = "mse"
        """, x=RNG.random((4, 10, 32, 32, 3), dtype=np.float32), y=RNG.random((4, 10, 64), dtype=np.float32))


# ---------------------------------------------------------------- models people train today (issue #21)


def test_siamese_contrastive_shared_tower(tmp_path):
    # examples/vision/siamese_contrastive.py: one embedding tower called on both images (shared weights).
    # The example merges with Lambda(euclidean_distance), which has no weights; Dot(axes=1) stands in for it.
    import keras
    from keras import layers

    tower = [layers.BatchNormalization(), layers.Conv2D(4, (5, 5), activation="tanh"), layers.AveragePooling2D((2, 2)),
             layers.Conv2D(16, (5, 5), activation="tanh"), layers.AveragePooling2D((2, 2)), layers.Flatten(),
             layers.BatchNormalization(), layers.Dense(10, activation="tanh")]
    input_1, input_2 = keras.Input((28, 28, 1)), keras.Input((28, 28, 1))
    tower_1, tower_2 = input_1, input_2
    for layer in tower:
        tower_1, tower_2 = layer(tower_1), layer(tower_2)
    merged = layers.Dot(axes=1)([tower_1, tower_2])
    normal_layer = layers.BatchNormalization()(merged)
    output_layer = layers.Dense(1, activation="sigmoid")(normal_layer)
    model = keras.Model([input_1, input_2], output_layer)
    rows = [("bn1", 'type = "BatchNormalization"'), ("c1", 'type = "Conv2D"\nfilters = 4\nkernel_size = [5, 5]\nactivation = "tanh"'),
            ("p1", 'type = "AveragePooling2D"\npool_size = [2, 2]'),
            ("c2", 'type = "Conv2D"\nfilters = 16\nkernel_size = [5, 5]\nactivation = "tanh"'),
            ("p2", 'type = "AveragePooling2D"\npool_size = [2, 2]'), ("f", 'type = "Flatten"'),
            ("bn2", 'type = "BatchNormalization"'), ("emb", 'type = "Dense"\nunits = 10\nactivation = "tanh"')]
    left = "\n".join(f'[[layers]]\nname = "{n}"\n{body}' + ('\ninputs = ["left"]' if j == 0 else "") for j, (n, body) in enumerate(rows))
    right = "\n".join(f'[[layers]]\nname = "r_{n}"\nreuse = "{n}"' + ('\ninputs = ["right"]' if j == 0 else "") for j, (n, _) in enumerate(rows))
    checked = check_against_keras(tmp_path, model, f"""
name = "siamese"
[[inputs]]
name = "left"
[[inputs]]
name = "right"
[data]
source = "file:d.npz"
x_key = ["left", "right"]
validation_split = 0
{left}
{right}
[[layers]]
type = "Dot"
axes = 1
inputs = ["emb", "r_emb"]
[[layers]]
type = "BatchNormalization"
[[layers]]
type = "Dense"
units = 1
activation = "sigmoid"
[compile]
loss = "binary_crossentropy"
""", left=RNG.random((N, 28, 28, 1), dtype=np.float32), right=RNG.random((N, 28, 28, 1), dtype=np.float32), y=np.arange(N) % 2)
    from tuitrain.model import build_model_partial

    shared = [r for r in build_model_partial(checked.preset, dataset=checked.dataset).rows if r.shares]
    assert [(r.name, r.shares, r.params) for r in shared][-1] == ("r_emb", "emb", 0)
    assert len(shared) == 8


def test_lstm_seq2seq_encoder_states_as_initial_state(tmp_path):
    # examples/nlp/lstm_seq2seq.py: the encoder's states (return_state) start the decoder (initial_state).
    import keras

    encoder_inputs = keras.Input(shape=(None, 71))
    encoder_outputs, state_h, state_c = keras.layers.LSTM(256, return_state=True)(encoder_inputs)
    decoder_inputs = keras.Input(shape=(None, 93))
    decoder_lstm = keras.layers.LSTM(256, return_sequences=True, return_state=True)
    decoder_outputs, _, _ = decoder_lstm(decoder_inputs, initial_state=[state_h, state_c])
    decoder_outputs = keras.layers.Dense(93, activation="softmax")(decoder_outputs)
    model = keras.Model([encoder_inputs, decoder_inputs], decoder_outputs)
    check_against_keras(tmp_path, model, """
        name = "lstm_seq2seq"
        [[inputs]]
        name = "encoder_input"
        shape = ["None", 71]
        [[inputs]]
        name = "decoder_input"
        shape = ["None", 93]
        [data]
        source = "file:d.npz"
        x_key = ["encoder_input", "decoder_input"]
        validation_split = 0
        [[layers]]
        name = "encoder"
        type = "LSTM"
        units = 256
        return_state = true
        inputs = ["encoder_input"]
        [[layers]]
        name = "decoder"
        type = "LSTM"
        units = 256
        return_sequences = true
        return_state = true
        inputs = ["decoder_input"]
        call = { initial_state = ["encoder[1]", "encoder[2]"] }
        [[layers]]
        type = "Dense"
        units = 93
        activation = "softmax"
        inputs = ["decoder[0]"]
        [compile]
        loss = "categorical_crossentropy"
        """, encoder_input=RNG.random((N, 6, 71), dtype=np.float32), decoder_input=RNG.random((N, 5, 93), dtype=np.float32),
        y=np.eye(93, dtype=np.float32)[RNG.integers(0, 93, (N, 5))])


def test_gru_with_an_explicit_mask(tmp_path):
    # guides/understanding_masking_and_padding.py: "outputs = layers.LSTM(32)(x, mask=mask)" — a mask passed by hand.
    import keras
    from keras import layers

    tokens = keras.Input(shape=(None,), dtype="int32")
    mask = keras.Input(shape=(None,), dtype="bool")
    x = layers.Embedding(input_dim=5000, output_dim=16)(tokens)
    x = layers.GRU(32)(x, mask=mask)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model([tokens, mask], outputs)
    checked = check_against_keras(tmp_path, model, """
        name = "gru_mask"
        [[inputs]]
        name = "tokens"
        shape = ["None"]
        dtype = "int32"
        [[inputs]]
        name = "mask"
        shape = ["None"]
        dtype = "bool"
        [data]
        source = "file:d.npz"
        x_key = ["tokens", "mask"]
        validation_split = 0
        [[layers]]
        type = "Embedding"
        input_dim = 5000
        output_dim = 16
        inputs = ["tokens"]
        [[layers]]
        type = "GRU"
        units = 32
        call = { mask = "mask" }
        [[layers]]
        type = "Dense"
        units = 1
        activation = "sigmoid"
        [compile]
        loss = "binary_crossentropy"
        """, tokens=RNG.integers(1, 5000, (N, 12)).astype(np.int32), mask=np.arange(12)[None, :] < RNG.integers(3, 12, (N, 1)),
        y=np.arange(N) % 2)
    # The mask is used: masking the tail changes the GRU's result, as in Keras.
    x = checked.dataset.x_train
    full = checked.model.predict([x[0], np.ones_like(x[1])], verbose=0)
    masked = checked.model.predict(x, verbose=0)
    assert not np.allclose(full, masked)


TRANSFORMER_PRESET = """
    name = "text_classification_with_transformer"
    [[inputs]]
    name = "tokens"
    shape = [200]
    [[inputs]]
    name = "positions"
    shape = [200]
    [data]
    source = "file:d.npz"
    x_key = ["tokens", "positions"]
    validation_split = 0
    [[layers]]
    name = "token_emb"
    type = "Embedding"
    input_dim = 20000
    output_dim = 32
    inputs = ["tokens"]
    [[layers]]
    name = "pos_emb"
    type = "Embedding"
    input_dim = 200
    output_dim = 32
    inputs = ["positions"]
    [[layers]]
    name = "embedded"
    type = "Add"
    inputs = ["token_emb", "pos_emb"]
    [[layers]]
    name = "att"
    type = "MultiHeadAttention"
    num_heads = 2
    key_dim = 32
    inputs = ["embedded", "embedded"]
    [[layers]]
    name = "att_drop"
    type = "Dropout"
    rate = 0.1
    [[layers]]
    name = "res1"
    type = "Add"
    inputs = ["embedded", "att_drop"]
    [[layers]]
    name = "out1"
    type = "LayerNormalization"
    epsilon = 1e-6
    [[layers]]
    type = "Dense"
    units = 32
    activation = "relu"
    [[layers]]
    type = "Dense"
    units = 32
    [[layers]]
    name = "ffn_drop"
    type = "Dropout"
    rate = 0.1
    [[layers]]
    name = "res2"
    type = "Add"
    inputs = ["out1", "ffn_drop"]
    [[layers]]
    type = "LayerNormalization"
    epsilon = 1e-6
    [[layers]]
    type = "GlobalAveragePooling1D"
    [[layers]]
    type = "Dropout"
    rate = 0.1
    [[layers]]
    type = "Dense"
    units = 20
    activation = "relu"
    [[layers]]
    type = "Dropout"
    rate = 0.1
    [[layers]]
    type = "Dense"
    units = 2
    activation = "softmax"
    [compile]
    loss = "sparse_categorical_crossentropy"
    """


def test_text_classification_with_transformer_block(tmp_path):
    # examples/nlp/text_classification_with_transformer.py: token + position embeddings, one attention
    # block with MultiHeadAttention(x, x), residuals and LayerNormalization, pooling, Dense. The example's
    # positions come from ops.arange inside a custom layer; here they are a second input holding 0..199.
    import keras
    from keras import layers

    maxlen, vocab_size, embed_dim, num_heads, ff_dim = 200, 20000, 32, 2, 32
    tokens, positions = keras.Input(shape=(maxlen,)), keras.Input(shape=(maxlen,))
    x = layers.Add()([layers.Embedding(vocab_size, embed_dim)(tokens), layers.Embedding(maxlen, embed_dim)(positions)])
    attn_output = layers.Dropout(0.1)(layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)(x, x))
    out1 = layers.LayerNormalization(epsilon=1e-6)(x + attn_output)
    ffn_output = keras.Sequential([layers.Dense(ff_dim, activation="relu"), layers.Dense(embed_dim)])(out1)
    x = layers.LayerNormalization(epsilon=1e-6)(out1 + layers.Dropout(0.1)(ffn_output))
    x = layers.GlobalAveragePooling1D()(x)
    x = layers.Dense(20, activation="relu")(layers.Dropout(0.1)(x))
    outputs = layers.Dense(2, activation="softmax")(layers.Dropout(0.1)(x))
    model = keras.Model([tokens, positions], outputs)
    checked = check_against_keras(tmp_path, model, TRANSFORMER_PRESET, tokens=RNG.integers(0, 20000, (N, 200)),
                                  positions=np.tile(np.arange(200), (N, 1)), y=np.arange(N) % 2)
    assert param_counts(checked.model)[0] == 657_758  # as Keras counts the example's model (same layers)


def test_efficientnet_backbone_frozen_with_random_weights(tmp_path):
    # examples/vision/image_classification_efficientnet_fine_tuning.py, build_model(): a frozen
    # EfficientNetB0 (include_top=False), then pooling, BatchNormalization, Dropout and the classifier.
    # weights = "None" here: the test runs offline (imagenet weights would come from the Keras cache).
    import keras
    from keras import layers

    inputs = layers.Input(shape=(64, 64, 3))
    backbone = keras.applications.EfficientNetB0(include_top=False, weights=None)
    backbone.trainable = False
    x = layers.GlobalAveragePooling2D(name="avg_pool")(backbone(inputs, training=False))
    x = layers.BatchNormalization()(x)
    x = layers.Dropout(0.2, name="top_dropout")(x)
    outputs = layers.Dense(5, activation="softmax", name="pred")(x)
    model = keras.Model(inputs, outputs)
    checked = check_against_keras(tmp_path, model, """
        name = "efficientnet_fine_tuning"
        [data]
        source = "file:d.npz"
        validation_split = 0
        [[layers]]
        name = "backbone"
        type = "EfficientNetB0"
        include_top = false
        weights = "None"
        trainable = false
        call = { training = false }
        [[layers]]
        type = "GlobalAveragePooling2D"
        name = "avg_pool"
        [[layers]]
        type = "BatchNormalization"
        [[layers]]
        type = "Dropout"
        rate = 0.2
        name = "top_dropout"
        [[layers]]
        type = "Dense"
        units = 5
        activation = "softmax"
        name = "pred"
        [compile]
        optimizer = { type = "Adam", learning_rate = 1e-2 }
        loss = "sparse_categorical_crossentropy"
        """, x=RNG.random((N, 64, 64, 3), dtype=np.float32), y=np.arange(N) % 5)
    assert param_counts(checked.model)[1] == 1280 * 2 + 1280 * 5 + 5  # the head only (BN gamma/beta + Dense)
    assert "backbone_layer.trainable = False" in (tmp_path / "exported.py").read_text()
    assert "backbone_layer(inputs, training=False)" in (tmp_path / "exported.py").read_text()


def test_pretrained_word_embeddings_from_a_weights_file(tmp_path):
    # examples/nlp/pretrained_word_embeddings.py: a frozen Embedding whose matrix comes from GloVe.
    import keras
    from keras import layers

    num_tokens, embedding_dim = 502, 100
    matrix = RNG.random((num_tokens, embedding_dim), dtype=np.float32)
    np.save(tmp_path / "glove.npy", matrix)
    int_sequences_input = keras.Input(shape=(None,), dtype="int64")
    embedding_layer = layers.Embedding(num_tokens, embedding_dim, trainable=False)
    x = embedding_layer(int_sequences_input)
    embedding_layer.set_weights([matrix])
    x = layers.MaxPooling1D(5)(layers.Conv1D(128, 5, activation="relu")(x))
    x = layers.MaxPooling1D(5)(layers.Conv1D(128, 5, activation="relu")(x))
    x = layers.GlobalMaxPooling1D()(layers.Conv1D(128, 5, activation="relu")(x))
    x = layers.Dropout(0.5)(layers.Dense(128, activation="relu")(x))
    preds = layers.Dense(20, activation="softmax")(x)
    model = keras.Model(int_sequences_input, preds)
    conv = 'type = "Conv1D"\n        filters = 128\n        kernel_size = 5\n        activation = "relu"'
    checked = check_against_keras(tmp_path, model, f"""
        name = "pretrained_word_embeddings"
        [[inputs]]
        shape = ["None"]
        dtype = "int64"
        [data]
        source = "file:d.npz"
        validation_split = 0
        [[layers]]
        type = "Embedding"
        input_dim = {num_tokens}
        output_dim = {embedding_dim}
        weights_file = "glove.npy"
        trainable = false
        [[layers]]
        {conv}
        [[layers]]
        type = "MaxPooling1D"
        pool_size = 5
        [[layers]]
        {conv}
        [[layers]]
        type = "MaxPooling1D"
        pool_size = 5
        [[layers]]
        {conv}
        [[layers]]
        type = "GlobalMaxPooling1D"
        [[layers]]
        type = "Dense"
        units = 128
        activation = "relu"
        [[layers]]
        type = "Dropout"
        rate = 0.5
        [[layers]]
        type = "Dense"
        units = 20
        activation = "softmax"
        [compile]
        loss = "sparse_categorical_crossentropy"
        """, x=RNG.integers(0, num_tokens, (N, 200)), y=np.arange(N) % 20)
    np.testing.assert_array_equal(checked.model.layers[1].get_weights()[0], matrix)
    exported = runpy.run_path(str(tmp_path / "exported.py"), run_name="exported")["build_model"]()
    np.testing.assert_array_equal(exported.layers[1].get_weights()[0], matrix)


def test_multi_label_classifier_has_no_wrong_class_count_warning(tmp_path):
    # examples/nlp/multi_label_classification.py, make_model(): sigmoid units, one per label, with
    # binary_crossentropy; each sample has several 0/1 labels (27 here), not one of 27 classes.
    import keras
    from keras import layers

    model = keras.Sequential([keras.Input((1000,)), layers.Dense(512, activation="relu"), layers.Dense(256, activation="relu"),
                              layers.Dense(27, activation="sigmoid")])
    labels = (RNG.random((N, 27)) < 0.2).astype(np.float32)
    labels[:, 0] = 1.0  # at least one label per sample, several for most
    checked = check_against_keras(tmp_path, model, """
        name = "multi_label"
        [data]
        source = "file:d.npz"
        validation_split = 0
        [[layers]]
        type = "Dense"
        units = 512
        activation = "relu"
        [[layers]]
        type = "Dense"
        units = 256
        activation = "relu"
        [[layers]]
        type = "Dense"
        units = 27
        activation = "sigmoid"
        [compile]
        optimizer = "adam"
        loss = "binary_crossentropy"
        metrics = ["binary_accuracy"]
        """, x=RNG.random((N, 1000), dtype=np.float32), y=labels)
    assert [str(w) for w in checked.warnings] == []


def test_imbalanced_classification_metric_tables(tmp_path):
    # examples/structured_data/imbalanced_classification.py: Precision/Recall/TruePositives … objects
    # with arguments; here metrics = [{ type = "AUC", curve = "PR" }, { type = "Precision", thresholds = 0.5 }].
    import keras
    from keras import layers

    model = keras.Sequential([keras.Input((29,)), layers.Dense(256, activation="relu"), layers.Dense(256, activation="relu"),
                              layers.Dropout(0.3), layers.Dense(256, activation="relu"), layers.Dropout(0.3),
                              layers.Dense(1, activation="sigmoid")])
    checked = check_against_keras(tmp_path, model, """
        name = "imbalanced"
        [data]
        source = "file:d.npz"
        validation_split = 0
        [[layers]]
        type = "Dense"
        units = 256
        activation = "relu"
        [[layers]]
        type = "Dense"
        units = 256
        activation = "relu"
        [[layers]]
        type = "Dropout"
        rate = 0.3
        [[layers]]
        type = "Dense"
        units = 256
        activation = "relu"
        [[layers]]
        type = "Dropout"
        rate = 0.3
        [[layers]]
        type = "Dense"
        units = 1
        activation = "sigmoid"
        [compile]
        optimizer = { type = "Adam", learning_rate = 1e-2 }
        loss = "binary_crossentropy"
        metrics = [{ type = "AUC", curve = "PR", name = "pr_auc" }, { type = "Precision", thresholds = 0.5, name = "precision" },
                   { type = "TruePositives", name = "tp" }]
        """, x=RNG.random((N, 29), dtype=np.float32), y=(np.arange(N) % 4 == 0).astype(np.int64))
    logs = checked.model.evaluate(checked.dataset.x_train, checked.dataset.y_train, return_dict=True, verbose=0)
    assert {"pr_auc", "precision", "tp"} <= set(logs)
    assert logs["tp"] <= 4
    script = (tmp_path / "exported.py").read_text()
    assert 'keras.metrics.AUC(curve="PR", name="pr_auc")' in script
