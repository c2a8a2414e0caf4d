"""What the Layers pane and the layer form do to the layer list: duplicate, remove, move, place, inputs."""

from __future__ import annotations

import pytest

from tuitrain.editing.layers import (
    available_inputs, duplicated, moved_layer, parse_inputs, placed, removed, retyped, unique_name,
)

STACK = [
    {"type": "Dense", "units": 16, "name": "hidden"},
    {"type": "Dropout", "rate": 0.2},
    {"type": "Dense", "units": 2, "name": "out"},
]


def test_a_duplicate_lands_below_with_a_free_name():
    layers, cursor = duplicated(STACK, 0)
    assert cursor == 1 and layers[1] == {"type": "Dense", "units": 16, "name": "hidden_2"}
    layers, cursor = duplicated(layers, 0)
    assert layers[1]["name"] == "hidden_3"  # hidden_2 is taken
    assert STACK[0]["name"] == "hidden" and len(STACK) == 3  # the preset's own list is left alone


def test_an_unnamed_layer_is_copied_as_it_is():
    layers, cursor = duplicated(STACK, 1)
    assert cursor == 2 and layers[2] == {"type": "Dropout", "rate": 0.2} and "name" not in layers[2]


def test_unique_name_counts_from_two():
    assert unique_name("dense", set()) == "dense_2"
    assert unique_name("dense", {"dense_2", "dense_3"}) == "dense_4"


def test_removing_keeps_the_cursor_on_the_row_below_or_the_last():
    assert removed(STACK, 1) == ([STACK[0], STACK[2]], 1)
    assert removed(STACK, 2) == (STACK[:2], 1)
    assert removed(STACK[:1], 0) == ([], -1)


def test_moving_swaps_neighbours_and_stops_at_the_ends():
    layers, cursor = moved_layer(STACK, 1, -1)
    assert cursor == 0 and [layer["type"] for layer in layers] == ["Dropout", "Dense", "Dense"]
    assert moved_layer(STACK, 0, -1) is None and moved_layer(STACK, 2, 1) is None


def test_a_form_row_replaces_or_is_inserted():
    row = {"type": "BatchNormalization"}
    assert placed(STACK, 1, row, replace=True)[1] == row and len(placed(STACK, 1, row, replace=True)) == 3
    assert placed(STACK, 1, row, replace=False)[1:3] == [row, STACK[1]]


def test_inputs_name_the_model_input_or_an_earlier_named_layer():
    assert available_inputs(["input"], STACK, 0) == ["input"]
    assert available_inputs(["input"], STACK, 3) == ["input", "hidden", "out"]
    assert available_inputs(["title", "tags"], STACK, 2) == ["title", "tags", "hidden"]  # [[inputs]] (tickets)
    assert parse_inputs('["input", "hidden"]', ["input", "hidden"]) == ["input", "hidden"]
    assert parse_inputs("hidden, input", ["input", "hidden"]) == ["hidden", "input"]
    with pytest.raises(ValueError, match="'out' is not an earlier layer; choose from input, hidden"):
        parse_inputs("out", ["input", "hidden"])
    with pytest.raises(ValueError, match="name at least one input"):
        parse_inputs(" , ", ["input"])


def test_a_new_type_keeps_the_meta_keys_and_the_arguments_it_also_takes():
    row = {"type": "Dense", "name": "h", "inputs": ["input"], "units": 8, "activation": "relu"}
    typed = {"units": 12, "activation": "relu", "use_bias": False}
    out = retyped(row, typed, accepted={"units", "use_bias"}, meta_keys=("name", "inputs"))
    assert out == {"name": "h", "inputs": ["input"], "units": 12, "use_bias": False}
