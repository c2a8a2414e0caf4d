"""What the data editor does to a [data] table: options, source, steps, and the words its rows show."""

from __future__ import annotations

from tuitrain.editing.data_table import (
    insert_step, moved, remove_step, replace_step, short_value, source_summary, step_text, steps, with_options,
    with_source,
)

DATA = {"source": "synthetic:spiral", "samples": 300, "noise": 0.2, "validation_split": 0.1, "preprocess": [{"op": "standardize"}]}


def test_options_form_replaces_options_and_split_and_keeps_source_and_steps():
    out = with_options(DATA, {"samples": 500})
    assert out == {"source": "synthetic:spiral", "samples": 500, "preprocess": [{"op": "standardize"}]}
    assert list(with_options(DATA, {"validation_split": 0.3, "classes": 3})) == ["source", "classes", "validation_split", "preprocess"]


def test_a_new_source_keeps_the_options_it_still_takes():
    out = with_source(DATA, "synthetic:moons", {}, accepted={"samples", "noise"})
    assert out == {"source": "synthetic:moons", "samples": 300, "noise": 0.2, "validation_split": 0.1, "preprocess": [{"op": "standardize"}]}
    out = with_source(DATA, "file:x.npy", {"labels": "y.npy"}, accepted={"labels", "task"})
    assert out == {"source": "file:x.npy", "labels": "y.npy", "validation_split": 0.1, "preprocess": [{"op": "standardize"}]}


def test_steps_are_inserted_replaced_and_removed_in_place():
    data = {"source": "keras:mnist"}
    insert_step(data, 0, {"op": "rescale", "scale": 0.00392156862745098})
    insert_step(data, 1, {"op": "flatten"})
    insert_step(data, 1, {"op": "cast", "dtype": "float32"})
    assert [s["op"] for s in steps(data)] == ["rescale", "cast", "flatten"]
    replace_step(data, 2, {"op": "reshape", "shape": [784]})
    assert steps(data)[2] == {"op": "reshape", "shape": [784]}
    remove_step(data, 0)
    remove_step(data, 0)
    assert data["preprocess"] == [{"op": "reshape", "shape": [784]}]
    remove_step(data, 0)
    assert data == {"source": "keras:mnist"}  # the last step removed takes the key with it


def test_a_step_moves_one_place_but_never_off_the_list():
    assert moved(["a", "b", "c"], 0, 1) == ["b", "a", "c"]
    assert moved(["a", "b", "c"], 2, -1) == ["a", "c", "b"]
    assert moved(["a", "b", "c"], 0, -1) is None and moved(["a", "b", "c"], 2, 1) is None


def test_a_preprocess_that_is_no_list_has_no_steps():
    assert steps({"preprocess": "standardize"}) == [] and steps({}) == []


def test_rows_show_steps_and_short_values_as_the_preset_spells_them():
    assert step_text({"op": "reshape", "shape": [28, 28, 1]}) == "reshape(shape=[28, 28, 1])"
    assert step_text("standardize") == "standardize"
    assert short_value(list(range(20))) == "[0, 1, 2, 3, 4, 5, 6, 7…"
    assert len(short_value(list(range(20)))) == 24
    assert source_summary("sklearn:iris").startswith("Arguments of scikit-learn's loader.")
    assert "validation_split" in source_summary("anything")
