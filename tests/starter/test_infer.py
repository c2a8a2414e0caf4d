"""What the starter reads from the data, and the output layer and loss it chooses (no TensorFlow)."""

from __future__ import annotations


import numpy as np
import pytest

from tuitrain.data.dataset import RawData
from tuitrain.common.errors import DataError
from tuitrain.starter import npy_labels_beside, preset_name, profile, rebase_data_paths, starter_preset
from tuitrain.starter.infer import starter_compile, starter_layers, starter_preprocess

rng = np.random.default_rng(0)


def _starter(x, y, task="classification", x_test=None):
    p = profile(RawData(x, y, x_test=x_test, y_test=None if x_test is None else y[: len(x_test)], task=task), "file:t.npz")
    return p, starter_layers(p), starter_compile(p), starter_preprocess(p)


def test_multi_class_indices_get_softmax_and_the_sparse_loss():
    p, layers, comp, steps = _starter(rng.normal(size=(30, 4)).astype(np.float32), np.arange(30) % 5)
    assert (p.layout, p.labels, p.num_classes) == ("table", "sparse", 5)
    assert layers[-1] == {"type": "Dense", "units": 5, "activation": "softmax"}
    assert comp == {"optimizer": "adam", "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]}
    assert steps == [{"op": "standardize"}]


def test_two_classes_get_one_sigmoid_unit_and_binary_crossentropy():
    p, layers, comp, _ = _starter(rng.normal(size=(30, 4)), np.arange(30) % 2)
    assert p.labels == "binary" and layers[-1] == {"type": "Dense", "units": 1, "activation": "sigmoid"}
    assert comp["loss"] == "binary_crossentropy"


def test_one_hot_rows_get_categorical_crossentropy():
    y = np.eye(4, dtype=np.float32)[np.arange(20) % 4]
    p, layers, comp, _ = _starter(rng.normal(size=(20, 3)), y)
    assert p.labels == "one_hot" and layers[-1]["units"] == 4 and comp["loss"] == "categorical_crossentropy"


def test_several_0_1_labels_per_sample_are_multi_label():
    y = (rng.random((20, 3)) > 0.5).astype(np.float32)
    y[0] = [1, 1, 0]
    p, layers, comp, _ = _starter(rng.normal(size=(20, 3)), y)
    assert p.labels == "multi_label"
    assert layers[-1] == {"type": "Dense", "units": 3, "activation": "sigmoid"}
    assert comp["loss"] == "binary_crossentropy" and comp["metrics"] == ["binary_accuracy"]


def test_regression_targets_get_a_linear_output_and_mse():
    p, layers, comp, _ = _starter(rng.normal(size=(20, 3)), rng.normal(size=(20, 2)).astype(np.float32), task="regression")
    assert (p.labels, p.outputs) == ("values", 2)
    assert layers[-1] == {"type": "Dense", "units": 2}
    assert comp["loss"] == "mean_squared_error"


def test_large_images_are_pooled_not_flattened_into_a_huge_dense_layer():
    x = np.zeros((4, 128, 96, 3), dtype=np.uint8)
    p, layers, _, steps = _starter(x, np.arange(4) % 2)
    assert p.layout == "image" and p.rescale == pytest.approx(1 / 255)
    assert [layer["type"] for layer in layers].count("Conv2D") == 3
    assert {"type": "GlobalAveragePooling2D"} in layers and {"type": "Flatten"} not in layers
    assert steps == [{"op": "rescale", "factor": 1 / 255}]  # already has a channel axis


def test_float_matrices_that_are_not_images_are_flattened_into_an_mlp():
    p, layers, _, _ = _starter(rng.normal(size=(10, 6, 5)).astype(np.float32), np.arange(10) % 3)
    assert p.layout == "table" and layers[0] == {"type": "Flatten"}


def test_integer_sequences_get_an_embedding_sized_to_every_token_seen():
    x = rng.integers(0, 50, (10, 12)).astype(np.int32)
    x_test = np.full((3, 12), 77, dtype=np.int32)  # a token that only the test split holds
    p, layers, _, steps = _starter(x, np.arange(10) % 4, x_test=x_test)
    assert (p.layout, p.vocabulary) == ("sequence", 78)
    assert layers[:2] == [{"type": "Embedding", "input_dim": 78, "output_dim": 32}, {"type": "GlobalAveragePooling1D"}]
    assert steps == []


def test_labels_outside_0_to_k_minus_1_are_encoded():
    x, y = rng.normal(size=(10, 2)), np.where(np.arange(10) % 2, 1, -1)
    p, layers, _, steps = _starter(x, y)
    assert p.encode_labels and steps[0] == {"op": "encode_labels"} and layers[-1]["units"] == 1


def test_data_without_labels_is_refused_with_what_to_give():
    with pytest.raises(DataError, match="has no labels"):
        profile(RawData(np.zeros((5, 2)), None), "file:x.npy")


def test_starter_preset_for_a_synthetic_source_keeps_its_options():
    starter = starter_preset("synthetic:blobs", {"samples": 90, "classes": 4})
    data = starter.preset.data
    assert data == {"source": "synthetic:blobs", "samples": 90, "classes": 4, "validation_split": 0.2, "preprocess": [{"op": "standardize"}]}
    assert starter.preset.name == "blobs" and starter.preset.path is None
    assert starter.preset.layers[-1]["units"] == 4
    assert "90 samples of 2 features" in starter.preset.description


def test_rebase_rewrites_relative_paths_for_the_presets_folder(tmp_path):
    data = {"source": "file:data/x.npy", "labels": "data/y.npy", "samples": 3}
    moved = rebase_data_paths(data, tmp_path, tmp_path / "presets" / "deep")
    assert moved == {"source": "file:../../data/x.npy", "labels": "../../data/y.npy", "samples": 3}
    assert rebase_data_paths({"source": "file:/abs/x.npz"}, tmp_path, tmp_path / "p") == {"source": "file:/abs/x.npz"}
    assert rebase_data_paths({"source": "synthetic:xor"}, tmp_path, tmp_path / "p") == {"source": "synthetic:xor"}


def test_npy_labels_are_found_beside_their_features(tmp_path):
    for name in ("x_train.npy", "y_train.npy", "features.npy", "labels.npy", "alone.npy"):
        np.save(tmp_path / name, np.zeros(2))
    assert npy_labels_beside(tmp_path / "x_train.npy") == tmp_path / "y_train.npy"
    assert npy_labels_beside(tmp_path / "features.npy") == tmp_path / "labels.npy"
    assert npy_labels_beside(tmp_path / "alone.npy") is None


@pytest.mark.parametrize("text, name", [("sklearn:digits", "digits"), ("folder:pics/cats/", "cats"), ("file:my data.npz", "my_data")])
def test_preset_names_come_from_the_source(text, name):
    assert preset_name(text) == name
