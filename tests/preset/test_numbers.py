"""Numbers Keras would misuse, refused with the key path (unit level; the corpus runs them through `check`)."""

import tomllib

import pytest

from tuitrain.common.errors import SpecError
from tuitrain.preset.numbers import check_numbers


def error(text: str) -> str:
    with pytest.raises(SpecError) as err:
        check_numbers(tomllib.loads(text), file="p.toml")
    return str(err.value)


@pytest.mark.parametrize("text,expected", [
    ("seed = -1", "p.toml: seed: expected an integer between 0 and 4294967295, got -1"),
    ("seed = 4294967296", "p.toml: seed: expected an integer between 0 and 4294967295, got 4294967296"),
    ("[compile]\noptimizer = { type = 'Adam', learning_rate = nan }", "p.toml: compile.optimizer.learning_rate: expected a finite number, got nan"),
    ("[compile]\noptimizer = { type = 'Adam', learning_rate = -inf }", "compile.optimizer.learning_rate: expected a finite number, got -inf"),
    ("[compile]\noptimizer = { type = 'Adam', learning_rate = -1.0 }", "compile.optimizer.learning_rate: expected a number > 0, got -1.0"),
    ("[compile]\noptimizer = { type = 'Adam', learning_rate = 0 }", "compile.optimizer.learning_rate: expected a number > 0, got 0"),
    ("[compile]\nloss_weights = ['a', 'b']", "compile.loss_weights[0]: expected a number ≥ 0 (a weight for that output's loss), got 'a'"),
    ("[compile]\nloss_weights = { out = -2 }", "compile.loss_weights.out: expected a number ≥ 0"),
    ("[data]\nnoise = inf", "data.noise: expected a finite number, got inf"),
    ("[[layers]]\ntype = 'GaussianNoise'\nstddev = nan", "layers[0].stddev: expected a finite number, got nan"),
    ("[fit]\ninitial_epoch = -5", "fit.initial_epoch: expected an integer ≥ 0 (epochs already done), got -5"),
    ("[fit]\nvalidation_freq = 0", "fit.validation_freq: expected an integer ≥ 1"),
    ("[fit]\nvalidation_freq = [2, 0]", "fit.validation_freq: expected an integer ≥ 1"),
    ("[fit]\nepochs = 100000000000", "fit.epochs: 100,000,000,000 epochs is over the limit of 10,000,000"),
    ("[fit]\ncallbacks = [{ type = 'ReduceLROnPlateau', factor = 1.5 }]", "fit.callbacks[0].factor: expected a number between 0 and 1"),
    ("[fit]\ncallbacks = [{ type = 'EarlyStopping', patience = -1 }]", "fit.callbacks[0].patience: expected a number ≥ 0, got -1"),
    ("when = 1979-05-27T07:32:00Z", "when: expected a number, string, list or table, got the date/time 1979-05-27T07:32:00+00:00"),
    ("[[layers]]\ntype = 'Dense'\nname = \"a\\u0000b\"", "layers[0].name: 'a\\x00b' holds control characters, which a name cannot"),
    ("[data]\n\"k\\u001b\" = 1", "data: the key 'k\\x1b' holds control characters"),
])
def test_values_keras_would_misuse(text, expected):
    assert expected in error(text)


def test_ordinary_presets_pass():
    check_numbers(tomllib.loads(
        "seed = 4294967295\ndescription = \"tabs\\tand \\u001b are fine in a description\"\n"
        "[compile]\noptimizer = { type = 'SGD', learning_rate = 1e-3, momentum = 0.9 }\nloss_weights = [1, 0.5]\n"
        "[fit]\nvalidation_freq = [1, 5]\ninitial_epoch = 0\ncallbacks = [{ type = 'ReduceLROnPlateau', factor = 0.5 }]\n"))
    check_numbers({"seed": 0, "when": "2020-01-01"})
