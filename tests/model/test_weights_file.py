"""weights_file: initial weights from the preset's own .npy/.npz, shapes checked against Keras' weights."""

from __future__ import annotations

import numpy as np
import pytest

from tests.model.support import preset_at
from tuitrain.common.errors import SpecError
from tuitrain.model import prepare

pytest.importorskip("keras")

PRESET = """
name = "glove"
[[inputs]]
shape = [5]
dtype = "int32"
[data]
source = "file:d.npz"
validation_split = 0
[[layers]]
type = "Embedding"
input_dim = 10
output_dim = 3
weights_file = "{file}"
trainable = false
[[layers]]
type = "GlobalAveragePooling1D"
[[layers]]
type = "Dense"
units = 2
activation = "softmax"
weights_file = "{dense_file}"
[compile]
loss = "sparse_categorical_crossentropy"
"""


def _prepare(tmp_path, file="emb.npy", dense_file="dense.npz"):
    x, y = np.arange(20).reshape(4, 5).astype(np.int32) % 10, np.arange(4) % 2
    return prepare(preset_at(tmp_path, PRESET.format(file=file, dense_file=dense_file), "p.toml", x=x, y=y))


def test_npy_and_npz_weights_are_the_layers_initial_weights(tmp_path):
    matrix = np.arange(30, dtype=np.float32).reshape(10, 3)
    kernel, bias = np.ones((3, 2), np.float32), np.array([0.5, -0.5], np.float32)
    np.save(tmp_path / "emb.npy", matrix)
    np.savez(tmp_path / "dense.npz", kernel=kernel, bias=bias)
    embedding, dense = [layer for layer in _prepare(tmp_path).model.layers if layer.weights]
    np.testing.assert_array_equal(embedding.get_weights()[0], matrix)
    np.testing.assert_array_equal(dense.get_weights()[0], kernel)
    np.testing.assert_array_equal(dense.get_weights()[1], bias)


@pytest.mark.parametrize(("make", "file", "fragment"), [
    (lambda d: np.save(d / "emb.npy", np.zeros((10, 4), np.float32)), "emb.npy",
     "holds 1 array of shape (10, 4), but Embedding has 1 weight: embeddings (10, 3)"),
    (lambda d: np.save(d / "emb.npy", np.array([{"a": 1}], dtype=object)), "emb.npy", "cannot be read as numeric arrays"),
    (lambda d: (d.parent / "outside.npy").write_bytes(b""), "../outside.npy", "outside the preset's folders"),
    (lambda d: None, "missing.npy", "does not exist"),
    (lambda d: (d / "w.txt").write_text("1 2 3"), "w.txt", "expected an .npy or .npz file"),
])
def test_bad_weights_files_are_located_errors(tmp_path, make, file, fragment):
    folder = tmp_path / "preset"
    folder.mkdir()
    make(folder)
    np.savez(folder / "dense.npz", kernel=np.ones((3, 2), np.float32), bias=np.zeros(2, np.float32))
    with pytest.raises(SpecError) as info:
        _prepare(folder, file=file)
    assert info.value.path == "layers[0].weights_file"
    assert fragment in info.value.message
    assert f"p.toml:{PRESET.splitlines().index(f'weights_file = {chr(34)}{{file}}{chr(34)}') + 1}:" in str(info.value)


def test_an_npz_with_too_few_arrays_names_every_weight(tmp_path):
    np.save(tmp_path / "emb.npy", np.zeros((10, 3), np.float32))
    np.savez(tmp_path / "dense.npz", kernel=np.ones((3, 2), np.float32))
    with pytest.raises(SpecError) as info:
        _prepare(tmp_path)
    assert info.value.path == "layers[2].weights_file"
    assert "but Dense has 2 weights: kernel (3, 2), bias (2,)" in info.value.message


def test_a_weights_file_outside_the_folders_is_listed_for_the_trust_confirmation_and_then_read(tmp_path):
    from tuitrain.model.confine import outside_reaches

    folder = tmp_path / "preset"
    folder.mkdir()
    np.save(tmp_path / "emb.npy", np.arange(30, dtype=np.float32).reshape(10, 3))
    np.savez(folder / "dense.npz", kernel=np.ones((3, 2), np.float32), bias=np.zeros(2, np.float32))
    x, y = np.arange(20).reshape(4, 5).astype(np.int32) % 10, np.arange(4) % 2
    preset = preset_at(folder, PRESET.format(file="../emb.npy", dense_file="dense.npz"), "p.toml", x=x, y=y)
    assert outside_reaches(preset) == ["layers[0].weights_file: reads ../emb.npy"]
    preset.trusted = True  # the person said --trust for this run
    embedding = next(layer for layer in prepare(preset).model.layers if layer.weights)
    assert float(embedding.get_weights()[0][9, 2]) == 29.0
