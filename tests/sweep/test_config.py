"""``[sweep]`` read into a SweepConfig: directions, ranges and located errors (no TensorFlow)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tiny_preset import TINY
from tuitrain.common.errors import SpecError
from tuitrain.preset import parse_preset
from tuitrain.sweep.config import sweep_config

SPACE = '''
[sweep]
objective = "val_accuracy"
max_trials = 4

[sweep.space]
"layers.0.units" = { values = [4, 8] }
"compile.optimizer.learning_rate" = { min = 1e-4, max = 1e-2, sampling = "log" }
'''


def _config(extra: str = SPACE):
    return sweep_config(parse_preset(TINY + extra, file="p.toml", path=Path("p.toml")))


def _error(extra: str) -> SpecError:
    with pytest.raises(SpecError) as info:
        _config(extra)
    return info.value


def test_direction_comes_from_the_metric_name_or_a_prefix():
    assert (_config().objective, _config().direction) == ("val_accuracy", "max")
    loss = _config(SPACE.replace('"val_accuracy"', '"val_loss"'))
    assert (loss.objective, loss.direction) == ("val_loss", "min")
    forced = _config(SPACE.replace('"val_accuracy"', '"max:val_loss"'))
    assert (forced.objective, forced.direction) == ("val_loss", "max")


def test_space_keys_become_dimensions_in_file_order():
    config = _config()
    assert config.keys == ["layers.0.units", "compile.optimizer.learning_rate"]
    units, rate = config.space
    assert units.values == (4, 8) and units.extremes() == [4, 8]
    assert (rate.low, rate.high, rate.sampling, rate.is_int) == (1e-4, 1e-2, "log", False)
    assert config.max_trials == 4 and config.algorithm == "random" and config.parallel is None


def test_an_empty_range_names_the_key_and_its_line():
    text = TINY + SPACE.replace("min = 1e-4, max = 1e-2", "min = 1e-2, max = 1e-2")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith('"compile.optimizer'))
    err = _error(SPACE.replace("min = 1e-4, max = 1e-2", "min = 1e-2, max = 1e-2"))
    assert str(err) == (f'p.toml:{line}: sweep.space."compile.optimizer.learning_rate": '
                        "an empty range: min = 0.01 is not below max = 0.01")


def test_unknown_keys_and_algorithms_suggest_the_close_name():
    assert "Did you mean 'max_trials'" in str(_error(SPACE.replace("max_trials", "max_trial")))
    err = _error(SPACE.replace("max_trials = 4", 'algorithm = "bayes"'))
    assert err.path == "sweep.algorithm" and "bayesian" in str(err)


@pytest.mark.parametrize("old, new, expected", [
    ('objective = "val_accuracy"', 'objective = "min:"', 'expected "METRIC", "min:METRIC" or "max:METRIC"'),
    ("max_trials = 4", "max_trials = 0", "expected a whole number from 1"),
    ("values = [4, 8]", "values = []", "values: expected a non-empty list"),
    ("values = [4, 8]", 'values = [4, "a"]', "choices of one kind"),
    ("values = [4, 8]", "min = 4", "both `min` and `max`"),
    ("min = 1e-4", "min = 0.0", "needs min > 0"),
    ("sampling = \"log\"", "step = 1.0", "step: expected a number above 0 and at most"),
])
def test_bad_sweep_values_are_located_errors(old, new, expected):
    err = _error(SPACE.replace(old, new))
    assert expected in str(err)
    assert err.path.startswith("sweep") and err.line is not None  # the file's line, for the editor


def test_a_grid_over_a_continuous_range_needs_a_step():
    grid = SPACE.replace("max_trials = 4", 'max_trials = 4\nalgorithm = "grid"')
    assert "a grid needs the points of each range: give `step`" in str(_error(grid))
    stepped = _config(grid.replace('sampling = "log"', "step = 1e-3"))
    assert stepped.algorithm == "grid" and stepped.space[1].step == 1e-3


def test_no_sweep_table_is_an_error_that_says_what_to_add():
    assert "has no [sweep] table" in str(_error(""))
