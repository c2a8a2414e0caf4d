"""What each Compile pane field does to the preset (no app needed)."""

from __future__ import annotations

import pytest

from tuitrain.preset import find_preset, load_preset
from tuitrain.editing.compile_edits import (
    callback_rows, compile_arg, set_callbacks, set_fit_arg, set_learning_rate, set_metrics, set_optimizer_args,
)


@pytest.fixture
def preset():
    return load_preset(find_preset("spiral_mlp"))


def test_metric_ticks_hidden_by_the_search_stay_and_the_order_is_kept(preset):
    preset.compile["metrics"] = ["accuracy", "auc", {"out": ["mae"]}]
    # The search shows only "auc" and "precision": "auc" unticked, "precision" ticked; "accuracy" was hidden.
    set_metrics(preset, shown={"auc", "precision"}, ticked=["precision"])
    assert preset.compile["metrics"] == ["accuracy", "precision", {"out": ["mae"]}]
    preset.compile["metrics"] = ["accuracy"]
    set_metrics(preset, shown={"accuracy", "auc"}, ticked=[])
    assert "metrics" not in preset.compile


def test_optimizer_form_keeps_the_schedule_and_constant_rate_drops_it(preset):
    schedule = {"type": "ExponentialDecay", "initial_learning_rate": 0.1, "decay_steps": 100, "decay_rate": 0.9}
    preset.compile["optimizer"] = {"type": "adam", "learning_rate": schedule}
    set_optimizer_args(preset, {"beta_1": 0.8})
    assert preset.compile["optimizer"] == {"type": "Adam", "beta_1": 0.8, "learning_rate": schedule}
    set_learning_rate(preset, None)
    assert preset.compile["optimizer"] == {"type": "Adam", "beta_1": 0.8}
    set_optimizer_args(preset, {})
    assert preset.compile["optimizer"] == "Adam"


def test_validation_split_goes_to_data_and_epochs_to_fit(preset):
    set_fit_arg(preset, "validation_split", 0.0)
    set_fit_arg(preset, "epochs", 7)
    assert preset.data["validation_split"] == 0.0 and preset.fit["epochs"] == 7
    set_fit_arg(preset, "epochs", None)
    assert "epochs" not in preset.fit


def test_form_text_becomes_the_value_keras_takes():
    assert compile_arg("weighted_metrics", "mae") == ["mae"]
    assert [compile_arg("jit_compile", v) for v in ("true", "false", "auto")] == [True, False, None]


def test_callbacks_are_edited_as_tables_and_an_empty_list_removes_the_key(preset):
    preset.fit["callbacks"] = ["TerminateOnNaN", {"type": "EarlyStopping", "patience": 3}]
    rows = callback_rows(preset)
    assert rows == [{"type": "TerminateOnNaN"}, {"type": "EarlyStopping", "patience": 3}]
    rows[1]["patience"] = 5
    assert preset.fit["callbacks"][1]["patience"] == 3  # rows are copies until set back
    set_callbacks(preset, [])
    assert "callbacks" not in preset.fit
