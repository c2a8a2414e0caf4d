"""Form text read back into values, checked against the argument's field (``keras_params.Param``)."""

from __future__ import annotations

import pytest

from tuitrain.catalogue import form_values as F
from tuitrain.catalogue import params as P


@pytest.mark.parametrize("text", ["3, 3", "(3,3)", "[3, 3]", "(3, 3,)"])
def test_tuple_entries(text):
    p = {p.name: p for p in P.constructor_params("layer", "Conv2D")}["kernel_size"]
    assert F.parse_form_value(text, p) == [3, 3]


def test_entries_are_validated():
    params = {p.name: p for p in P.constructor_params("layer", "Conv2D")}
    with pytest.raises(ValueError, match="needs 2 integers"):
        F.parse_form_value("3, 3, 3", params["kernel_size"])
    with pytest.raises(ValueError, match="whole number"):
        F.parse_form_value("2.5", params["filters"])
    with pytest.raises(ValueError, match="one of"):
        F.parse_form_value("middle", params["padding"])
    assert F.parse_form_value("3", params["kernel_size"]) == 3
    assert F.parse_form_value("relu") == "relu"
    assert F.parse_form_value("") is None
    assert F.parse_form_value("1e-3") == 0.001


@pytest.mark.parametrize("value", [3, 0.5, True, "relu", "two words", [28, 28, 1], None])
def test_format_then_parse_round_trips(value):
    assert F.parse_form_value(F.format_value(value)) == value


def test_only_non_defaults_are_kept():
    params = P.constructor_params("layer", "Dense")
    got = F.non_default_args(params, {"units": 10, "use_bias": True, "activation": "softmax"})
    assert got == {"units": 10, "activation": "softmax"}


def test_input_shape_is_a_shape():
    p = {q.name: q for q in P.constructor_params("layer", "Dense")}["input_shape"]
    assert F.parse_form_value("784", p) == [784]
    assert F.parse_form_value("28, 28, 1", p) == [28, 28, 1]
    with pytest.raises(ValueError, match="positive integers"):
        F.parse_form_value("0", p)


def test_comma_lists_of_names_need_no_quotes():
    p = {q.name: q for q in P.compile_params()}["weighted_metrics"]
    assert F.parse_form_value("accuracy, mae", p) == ["accuracy", "mae"]
    assert F.parse_form_value('["accuracy"]', p) == ["accuracy"]
    with pytest.raises(ValueError):
        F.parse_form_value("3 + , x", None)


def test_one_number_in_parentheses_gets_a_tuple_hint_only_for_shapes_and_tuples():
    from tuitrain.catalogue.form_values import one_int_in_parentheses_hint

    shape = P.Param("input_shape", None, True, "shape")
    assert one_int_in_parentheses_hint("(5)", shape).endswith("did you mean (5,)?")
    assert one_int_in_parentheses_hint(" ( 28 ) ", P.Param("pool_size", None, True, "tuple", size=2)).endswith("(28,)?")
    assert [one_int_in_parentheses_hint(t, shape) for t in ("(5,)", "5", "(5, 3)", "[5]")] == [""] * 4
    assert one_int_in_parentheses_hint("(5)", P.Param("units", None, False, "int")) == ""
