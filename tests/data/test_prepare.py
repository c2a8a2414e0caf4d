"""The bundled offline presets go through tuitrain.model.prepare with this package's data."""

import pytest

from tuitrain.model import prepare
from tuitrain.preset import find_preset, load_preset


@pytest.mark.parametrize(
    "preset,shape,classes",
    [("spiral_mlp", (2,), 2), ("digits_mlp", (64,), 10), ("regression", (8,), None), ("two_branch", (2,), 2)],
)
def test_prepare_offline_presets(preset, shape, classes):
    checked = prepare(load_preset(find_preset(preset)))
    assert checked.dataset.input_shape == shape and checked.dataset.num_classes == classes
    assert checked.model.input_shape[1:] == shape
    assert checked.warnings == []
