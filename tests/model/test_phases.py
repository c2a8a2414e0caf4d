"""[[phases]] on the built model: `top` checked against the sublayers Keras built; unfreezing as the
Keras fine-tuning guide does (BatchNormalization stays frozen)."""

from __future__ import annotations

import pytest

from tuitrain.common.errors import SpecError
from tuitrain.model.phases import apply_phase_trainability, check_phases_on_model, phase_compile_spec, trainable_counts


@pytest.fixture
def model():
    import keras

    inner_in = keras.Input((4,))
    h = keras.layers.Dense(8, name="d1")(inner_in)
    h = keras.layers.BatchNormalization(name="bn")(h)
    h = keras.layers.Dense(8, name="d2")(h)
    backbone = keras.Model(inner_in, h, name="backbone")
    backbone.trainable = False
    inp = keras.Input((4,))
    out = keras.layers.Dense(2, name="head")(backbone(inp))
    return keras.Model(inp, out)


def test_top_beyond_the_backbone_is_an_error_naming_its_size(model):
    with pytest.raises(SpecError) as err:
        check_phases_on_model(model, [{"epochs": 1}, {"epochs": 1, "unfreeze": {"layer": "backbone", "top": 9}}])
    assert err.value.path == "phases[1].unfreeze.top"
    assert "top = 9 is out of range: 'backbone' has 4 layers" in str(err.value)


def test_top_on_a_plain_layer_is_an_error(model):
    with pytest.raises(SpecError, match="'head' \\(Dense\\) has no sublayers"):
        check_phases_on_model(model, [{"epochs": 1, "unfreeze": {"layer": "head", "top": 1}}])


def test_unfreezing_the_top_keeps_batch_norm_frozen(model):
    backbone = model.get_layer("backbone")
    phases = [{"epochs": 1}, {"epochs": 1, "unfreeze": {"layer": "backbone", "top": 2}}]
    layers = [{"name": "backbone", "type": "X", "trainable": False}]
    apply_phase_trainability(model, phases, 0, layers)
    assert trainable_counts(model) == (18, 4 * 8 + 8 + 4 * 8 + 8 * 8 + 8)
    apply_phase_trainability(model, phases, 1, layers)
    assert [layer.trainable for layer in backbone.layers] == [False, False, False, True]  # input, d1, bn, d2
    assert trainable_counts(model) == (18 + 72, 40 + 32)
    apply_phase_trainability(model, phases, 0, layers)  # a resume in phase 1 freezes it again
    assert trainable_counts(model)[0] == 18


def test_phase_learning_rate_replaces_the_optimizers():
    compile_spec = {"optimizer": "adam", "loss": "mse"}
    assert phase_compile_spec(compile_spec, {"learning_rate": 1e-5})["optimizer"] == {"type": "adam", "learning_rate": 1e-5}
    assert phase_compile_spec(compile_spec, {})["optimizer"] == "adam"
    assert phase_compile_spec({"optimizer": {"type": "SGD", "momentum": 0.9}}, {"learning_rate": 0.1})["optimizer"] == \
        {"type": "SGD", "momentum": 0.9, "learning_rate": 0.1}
