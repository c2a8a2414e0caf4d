"""Per-output compile tables: one output's loss, weight or metrics set without touching the others."""

from __future__ import annotations

from types import SimpleNamespace

from tuitrain.editing.compile_outputs import output_names, output_value, parse_weight, set_output_value
from tuitrain.preset.values import value_for_output


def preset(compile_: dict, outputs=("priority", "department")):
    return SimpleNamespace(outputs=list(outputs), compile=dict(compile_))


def test_one_output_has_no_per_output_fields():
    assert output_names(preset({}, outputs=["out"])) == [] and output_names(preset({}, outputs=[])) == []
    assert output_names(preset({})) == ["priority", "department"]


def test_a_value_is_read_per_output_from_a_table_a_list_or_one_value_for_all():
    p = preset({"loss": {"priority": "binary_crossentropy"}, "loss_weights": [1.0, 0.2], "optimizer": "adam"})
    assert output_value(p, "loss", "priority") == "binary_crossentropy"
    assert output_value(p, "loss", "department") is None
    assert output_value(p, "loss_weights", "department") == 0.2
    outputs = ["priority", "department"]
    assert value_for_output([1.0, 0.2], outputs, "department") == 0.2 and value_for_output([1.0], outputs, "department") is None
    # a table with `type` is one Keras object for every output, not a table keyed by output
    assert value_for_output({"type": "Huber", "delta": 2.0}, outputs, "priority") == {"type": "Huber", "delta": 2.0}
    assert output_value(preset({"loss": {"type": "Huber"}}), "loss", "department") == {"type": "Huber"}


def test_setting_one_output_keeps_the_others():
    p = preset({"loss_weights": [1.0, 0.2]})
    set_output_value(p, "loss_weights", "priority", 0.5)
    assert p.compile["loss_weights"] == {"priority": 0.5, "department": 0.2}  # a list becomes a table by name
    p = preset({"loss": "mse"})
    set_output_value(p, "loss", "department", "mae")
    assert p.compile["loss"] == {"priority": "mse", "department": "mae"}  # one value for all is kept for the others


def test_clearing_the_last_entry_removes_the_key():
    p = preset({"metrics": {"department": ["accuracy"]}})
    set_output_value(p, "metrics", "department", [])
    assert "metrics" not in p.compile


def test_a_weight_is_a_non_negative_number_or_empty():
    assert parse_weight(" 0.25 ") == 0.25 and parse_weight("") is None
    assert parse_weight("-1") is False and parse_weight("abc") is False
