"""One "Did you mean …?" for every error message."""

from tuitrain.common.suggest import close_names, did_you_mean


def test_close_names_ignore_case_and_keep_the_real_spelling():
    assert close_names("dense", ["Dense", "Conv2D"]) == ["Dense"]
    assert close_names("adamm", ["Adam", "SGD"]) == ["Adam"]


def test_the_hint_is_a_sentence_or_nothing():
    assert did_you_mean("unitz", ["units", "activation"]) == " Did you mean 'units'?"
    assert did_you_mean("zzz", ["units", "activation"]) == ""
