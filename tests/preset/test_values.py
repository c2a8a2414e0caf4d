"""preset/values.py: what `{ type = … }` and per-output tables mean, and the defaults."""

from __future__ import annotations

from tuitrain.preset import values
from tuitrain.preset.heads import input_names
from tuitrain.preset import find_preset, load_preset


def test_a_table_with_type_is_one_object_and_one_without_is_per_output():
    loss = {"type": "CategoricalCrossentropy", "from_logits": True}
    per_output = {"priority": "binary_crossentropy", "department": loss}
    assert values.is_typed(loss) and not values.is_per_output(loss)
    assert values.is_per_output(per_output) and not values.is_typed(per_output)
    assert not values.is_typed("adam") and not values.is_per_output("adam")
    assert values.typed(loss) == ("CategoricalCrossentropy", {"from_logits": True})
    assert values.typed("adam") == ("adam", {})


def test_the_optimizer_keras_uses_when_the_preset_names_none():
    assert values.optimizer_value({}) == "rmsprop"
    assert values.optimizer_value({"optimizer": {"type": "Adam"}}) == {"type": "Adam"}


def test_one_outputs_entry_by_name_by_position_or_shared():
    outputs = ["priority", "department"]
    assert values.value_for_output({"department": 0.2}, outputs, "department") == 0.2
    assert values.value_for_output({"department": 0.2}, outputs, "priority") is None
    assert values.value_for_output([1.0, 0.2], outputs, "department") == 0.2
    assert values.value_for_output([1.0], outputs, "department") is None
    assert values.value_for_output("mse", outputs, "priority") == "mse"


def test_a_layer_may_read_the_declared_inputs_and_earlier_named_layers():
    tickets = load_preset(find_preset("tickets"))
    sources = values.layer_sources(input_names(tickets), tickets.layers, 2)
    assert sources == ["title", "body", "tags", "title_features"]  # of rows 0 and 1 only row 1 has a name
    sources = values.layer_sources(input_names(tickets), tickets.layers, 4)
    assert sources == ["title", "body", "tags", "title_features", "body_features"]
    spiral = load_preset(find_preset("spiral_mlp"))
    assert values.layer_sources(input_names(spiral), spiral.layers, 0) == [values.DEFAULT_INPUT] == ["input"]
