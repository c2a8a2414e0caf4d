"""``tuitrain check`` of a sweep: each swept value is built by Keras before any trial runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tuitrain.common.errors import SpecError
from tuitrain.preset import find_preset, load_preset, parse_preset
from tuitrain.sweep.check import check_sweep
from tuitrain.sweep.trial import trial_preset

ROOT = Path(__file__).resolve().parents[2]
PRESET = '''name = "tiny_sweep"
seed = 3

[data]
source = "synthetic:spiral"
samples = 200
validation_split = 0.25

[[layers]]
type = "Dense"
units = 8
activation = "relu"

[[layers]]
type = "Dropout"
rate = 0.1

[[layers]]
type = "Dense"
units = 2
activation = "softmax"

[compile]
optimizer = "adam"
loss = "sparse_categorical_crossentropy"
metrics = ["accuracy"]

[sweep]
objective = "val_accuracy"

[sweep.space]
"layers.0.units" = { values = [4, 16] }
"layers.1.rate" = { min = 0.0, max = 0.5 }
'''


def _preset(text: str = PRESET):
    return parse_preset(text, file="s.toml", path=Path("s.toml"))


def _error(text: str) -> SpecError:
    with pytest.raises(SpecError) as info:
        check_sweep(_preset(text))
    return info.value


def _line(text: str, start: str) -> int:
    return next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith(start))


def test_a_rate_a_layer_refuses_is_an_error_at_the_swept_key():
    text = PRESET.replace("max = 0.5", "max = 1.5")
    err = _error(text)
    line = _line(text, '"layers.1.rate"')
    assert str(err).startswith(f's.toml:{line}: sweep.space."layers.1.rate": '
                               "with layers.1.rate = 1.5: layers[1].rate: Keras cannot create Dropout")


def test_a_path_the_preset_does_not_have_is_an_error():
    text = PRESET.replace('"layers.0.units"', '"layers.7.units"')
    err = _error(text)
    assert err.line == _line(text, '"layers.7.units"')
    assert "layers.7.units is not a key the preset can set: --set: no item 7 (the list has 3 items)" in str(err)


def test_an_objective_the_run_does_not_log_lists_what_it_logs():
    err = _error(PRESET.replace('objective = "val_accuracy"', 'objective = "val_acc"'))
    assert err.path == "sweep.objective" and err.line == _line(PRESET, "objective")
    assert "'val_acc' is not a metric this run logs. Did you mean 'val_accuracy'?" in str(err)
    assert "It logs: accuracy, loss, val_accuracy, val_loss" in str(err)


def test_a_trial_preset_builds_the_model_keras_builds_with_that_value():
    import keras

    from tuitrain.model import prepare

    trial = trial_preset(_preset(), {"layers.0.units": 16, "tuner/epochs": 3})
    assert "sweep" not in trial.to_dict() and trial.layers[0]["units"] == 16
    model = prepare(trial).model
    by_hand = keras.Sequential([keras.Input((2,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dropout(0.1),
                                keras.layers.Dense(2, activation="softmax")])
    assert model.count_params() == by_hand.count_params() == 2 * 16 + 16 + 16 * 2 + 2


def test_check_command_lists_the_swept_values_and_fails_on_a_bad_one(tmp_path):
    good = subprocess.run([sys.executable, "-m", "tuitrain", "check", str(find_preset("sweep_spiral"))],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert good.returncode == 0, good.stderr
    assert "sweep: random, 4 trials, objective val_accuracy (higher is better); 7 swept values checked:" in good.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text(PRESET.replace("max = 0.5", "max = 1.5"))
    out = subprocess.run([sys.executable, "-m", "tuitrain", "check", str(bad)], capture_output=True, text=True,
                         cwd=tmp_path, timeout=300)
    assert out.returncode == 2 and 'sweep.space."layers.1.rate": with layers.1.rate = 1.5' in out.stderr


def test_the_bundled_sweep_preset_checks():
    config = check_sweep(load_preset(find_preset("sweep_spiral")))
    assert (config.max_trials, config.parallel, config.algorithm) == (4, 2, "random")
