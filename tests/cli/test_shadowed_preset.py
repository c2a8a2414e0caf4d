"""A bare preset name that finds a local file hiding the bundled preset says so; `presets:NAME` is the bundled one."""

from __future__ import annotations

import pytest

from tests.conftest import write_preset
from tests.tiny_preset import TINY
from tuitrain.__main__ import main
from tuitrain.cli.output import find_preset_noted
from tuitrain.common.errors import SpecError
from tuitrain.preset import PRESETS_DIR, find_preset, shadow_note

SAID = "using ./spiral_mlp.toml (shadows the bundled preset spiral_mlp; use presets:spiral_mlp for the bundled one)"


@pytest.fixture
def shadowing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COLUMNS", raising=False)
    return write_preset(tmp_path, TINY.replace("samples = 200", "samples = 60"), "spiral_mlp.toml")


def test_check_names_the_local_file_it_used(capsys, shadowing):
    assert main(["check", "spiral_mlp"]) == 0
    out, err = capsys.readouterr()
    assert err.splitlines() == [f"note: {SAID}"]
    assert out.startswith("preset  tiny  (spiral_mlp.toml)")


def test_presets_prefix_checks_the_bundled_one_without_a_note(capsys, shadowing):
    assert main(["check", "presets:spiral_mlp"]) == 0
    out, err = capsys.readouterr()
    assert "note:" not in err and out.startswith(f"preset  spiral_mlp  ({PRESETS_DIR / 'spiral_mlp.toml'})")


def test_train_says_it_before_anything_starts(capsys, shadowing):
    assert main(["train", "spiral_mlp", "--set", "fit.epochs=0"]) == 2  # refused after the lookup: nothing starts
    err = capsys.readouterr().err
    assert err.startswith(f"note: {SAID}\nerror:")


def test_the_note_wraps_between_words_at_80_columns(capsys, shadowing, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert find_preset_noted("spiral_mlp").name == "spiral_mlp.toml"
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2 and all(len(line) <= 80 for line in lines)
    assert " ".join(" ".join(lines).split()) == f"note: {SAID}"


def test_no_note_without_a_bundled_twin_or_for_an_explicit_path(shadowing, tmp_path):
    write_preset(tmp_path, TINY, "mine.toml")
    assert shadow_note("mine") is None and shadow_note("spiral_mlp.toml") is None
    assert shadow_note("./spiral_mlp.toml") is None and shadow_note("presets:spiral_mlp") is None
    assert shadow_note("digits_mlp") is None  # bundled, not shadowed
    assert shadow_note("spiral_mlp") == SAID


def test_an_unknown_bundled_name_gets_close_names():
    with pytest.raises(SpecError, match="no bundled preset 'spiral_mpl'.*Did you mean 'spiral_mlp'"):
        find_preset("presets:spiral_mpl")
