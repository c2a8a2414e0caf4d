"""keras.applications models as layer rows: arguments from their signature, weights only from the Keras cache."""

from __future__ import annotations

import numpy as np
import pytest

from tests.model.support import preset_at
from tuitrain.common.errors import SpecError
from tuitrain.model import build_model, param_counts, prepare

keras = pytest.importorskip("keras")

BACKBONE = """
name = "backbone"
[data]
source = "file:d.npz"
validation_split = 0
[[layers]]
name = "backbone"
type = "MobileNetV2"
alpha = 0.35
include_top = false
pooling = "avg"
{extra}
[[layers]]
type = "Dense"
units = 3
activation = "softmax"
[compile]
loss = "sparse_categorical_crossentropy"
"""


def _preset(tmp_path, extra):
    x = np.zeros((4, 32, 32, 3), dtype=np.float32)
    return preset_at(tmp_path, BACKBONE.format(extra=extra), "p.toml", x=x, y=np.arange(4) % 3)


def test_a_frozen_random_backbone_counts_as_keras_builds_it(tmp_path):
    model = build_model(_preset(tmp_path, 'weights = "None"\ntrainable = false'), (32, 32, 3))
    base = keras.applications.MobileNetV2(alpha=0.35, include_top=False, pooling="avg", weights=None, input_shape=(32, 32, 3))
    base.trainable = False
    inputs = keras.Input((32, 32, 3))
    expected = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(base(inputs)))
    assert param_counts(model) == param_counts(expected)
    assert param_counts(model)[1] == 1280 * 3 + 3  # only the head trains


def test_imagenet_weights_missing_offline_name_the_file_looked_for(tmp_path, monkeypatch):
    from keras.src.backend import config

    (tmp_path / "keras_home").mkdir()
    monkeypatch.setattr(config, "keras_home", lambda: str(tmp_path / "keras_home"))  # Keras reads $KERAS_HOME once
    with pytest.raises(SpecError) as info:
        build_model(_preset(tmp_path, 'weights = "imagenet"'), (32, 32, 3))
    message = str(info.value)
    assert info.value.path == "layers[0].weights"
    assert str(tmp_path / "keras_home" / "models" / "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_224_no_top.h5") in message
    assert "https://storage.googleapis.com/" in message and 'weights = "None"' in message
    assert not (tmp_path / "keras_home" / "models").exists() or not any((tmp_path / "keras_home" / "models").iterdir())


@pytest.mark.parametrize(("extra", "path", "fragment"), [
    ('weights = "None"\nincude_top = true', "layers[0].incude_top", "did you mean 'include_top'"),
    ('weights = "None"\nclasses = "None"', "layers[0].classes", "does not take none for classes"),
    ('weights = "my.h5"', "layers[0].weights", "weights_file"),
    ('weights = "None"\nclasses = 3', "layers[0].classes", "ignored by keras when include_top = false"),
])
def test_bad_backbone_arguments_are_located(tmp_path, extra, path, fragment):
    with pytest.raises(SpecError) as info:
        prepare(_preset(tmp_path, extra))
    assert info.value.path == path
    assert fragment in str(info.value).lower()
    key = path.split(".")[-1]
    line = next(n for n, text in enumerate((tmp_path / "p.toml").read_text().splitlines(), 1) if text.startswith(key))
    assert str(info.value).startswith(f"{tmp_path / 'p.toml'}:{line}: {path}: ")


def test_a_backbone_head_too_large_is_refused_before_it_is_allocated(tmp_path):
    text = BACKBONE.format(extra='weights = "None"\nclasses = 1000000000')
    text = text.replace("include_top = false", "include_top = true").replace('pooling = "avg"\n', "")
    preset = preset_at(tmp_path, text, "p.toml", x=np.zeros((4, 32, 32, 3), np.float32), y=np.arange(4) % 3)
    with pytest.raises(SpecError) as info:
        build_model(preset, (32, 32, 3))
    assert info.value.path == "layers[0]"
    assert "Dense would create a weight of shape (1280, 1000000000)" in info.value.message and "limit" in info.value.message
