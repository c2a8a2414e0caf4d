"""The data editor's fields come from the sources' and ops' own declarations."""

from __future__ import annotations

from tuitrain.data.params import op_params, source_params, split_param, step_text


def test_source_fields_follow_the_generator_signature():
    fields = {p.name: p for p in source_params("synthetic:spiral")}
    assert list(fields) == ["samples", "noise", "classes"]
    assert (fields["samples"].annotation, fields["samples"].default) == ("int", 1000)
    assert fields["noise"].annotation == "float"


def test_file_and_folder_fields_with_their_choices():
    npy = {p.name: p for p in source_params("file:x.npy")}
    assert "labels" in npy and npy["task"].choices == ("classification", "regression")
    folder = {p.name: p for p in source_params("folder:pics")}
    assert folder["color_mode"].choices == ("rgb", "grayscale", "rgba") and folder["color_mode"].default == "rgb"


def test_op_fields_follow_the_op_signature_and_target():
    rescale = {p.name: p for p in op_params("rescale")}
    assert rescale["factor"].required and rescale["factor"].annotation == "float"
    assert rescale["target"].choices == ("x", "y") and rescale["target"].default == "x"
    one_hot = {p.name: p for p in op_params("one_hot")}
    assert list(one_hot) == ["num_classes"] and one_hot["num_classes"].annotation == "int"  # labels only: no target


def test_split_and_step_text():
    assert split_param().annotation == "float" and not split_param().required
    assert step_text({"op": "rescale", "factor": 0.5}) == "rescale(factor=0.5)"
    assert step_text({"op": "flatten"}) == "flatten()"
