"""Keras' "unknown value, falling back" warnings become located errors; other warnings stay warnings."""

from __future__ import annotations

import warnings

import pytest

from tuitrain.common.errors import SpecError
from tuitrain.model.callbacks import resolve_callbacks
from tuitrain.model.compile import make_optimizer
from tuitrain.model.fallbacks import refuse_fallbacks


def test_reduce_lr_on_plateau_with_an_unknown_mode_is_an_error_at_its_key():
    with pytest.raises(SpecError) as caught:
        resolve_callbacks({"callbacks": [{"type": "ReduceLROnPlateau", "mode": 0.5}]})
    assert caught.value.path == "fit.callbacks[0].mode"
    assert "ReduceLROnPlateau mode '0.5' is unknown, fallback to auto mode" in str(caught.value)


def test_a_known_mode_builds_the_callback_with_that_mode():
    [callback] = resolve_callbacks({"callbacks": [{"type": "EarlyStopping", "mode": "max", "monitor": "val_accuracy"}]})
    assert callback.mode == "max"


def test_the_warning_text_reaches_the_message_without_control_characters():
    with pytest.raises(SpecError) as caught, refuse_fallbacks("Thing", path="layers[0]", keys=["mode"]):
        warnings.warn("Thing mode '\x1b]0;pwned\x07' is unknown, fallback to auto mode.", UserWarning)
    text = str(caught.value)
    assert "\x1b" not in text and "\x07" not in text and "\\x1b" in text
    assert caught.value.path == "layers[0].mode"


def test_deprecations_and_other_hints_stay_warnings():
    with pytest.warns(DeprecationWarning, match="ignored"), refuse_fallbacks("Thing", path="p"):
        warnings.warn("this argument is ignored since 3.0", DeprecationWarning)
    with pytest.warns(UserWarning, match="prefer using an `Input"), refuse_fallbacks("Dense", path="p"):
        warnings.warn("Do not pass an `input_shape` argument; prefer using an `Input(shape)` object.", UserWarning)


def test_an_optimizer_without_fallback_warnings_still_builds():
    optimizer = make_optimizer({"type": "Adam", "learning_rate": 0.01})
    assert float(optimizer.learning_rate) == pytest.approx(0.01)
