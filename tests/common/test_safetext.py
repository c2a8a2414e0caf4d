"""Control characters never reach the terminal; ordinary text passes unchanged."""

from tuitrain.common.safetext import clean, clean_line


def test_escape_sequences_are_shown_not_obeyed():
    hostile = "ok\x1b]0;PWNED\x07\x1b[2Jdone"
    assert clean(hostile) == "ok\\x1b]0;PWNED\\x07\\x1b[2Jdone"
    assert "\x1b" not in clean(hostile) and "\x07" not in clean(hostile)


def test_keras_bold_is_dropped_and_text_kept():
    assert clean("Expected \x1b[1mdense\x1b[0m to be \x1b[1;31mbuilt\x1b[0m") == "Expected dense to be built"


def test_c1_bidi_and_nul_are_escaped_unicode_kept():
    assert clean("a\x9b2Jb\u202ec\x00d") == "a\\x9b2Jb\\u202ec\\x00d"
    assert clean("naïve – 日本 ✓\tx\ny") == "naïve – 日本 ✓\tx\ny"


def test_one_line_cells_escape_newlines():
    assert clean_line("a\nb\tc\rd") == "a\\nb\\tc\\rd"


def test_every_tuitrain_error_is_clean_wherever_it_is_shown():
    from tuitrain.common.errors import SpecError, TuitrainError

    err = SpecError("Keras cannot create \x1b[1mDense\x1b[0m: bad \x1b]0;PWNED\x07", file="p\x1b[2J.toml", path="layers[0]")
    assert str(err) == "p\\x1b[2J.toml: layers[0]: Keras cannot create Dense: bad \\x1b]0;PWNED\\x07"
    assert str(TuitrainError("run \x9b2J")) == "run \\x9b2J"
