"""Preset parsing, validation, overrides and comment-keeping saves."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzzing import examples

from tests.tiny_preset import TINY as MINIMAL
from tuitrain import preset as spec
from tuitrain.common.errors import SpecError



def _error(text: str, **kw) -> SpecError:
    with pytest.raises(SpecError) as info:
        spec.parse_preset(text, file="p.toml", **kw)
    return info.value


def test_bundled_presets_all_parse_and_have_descriptions():
    names = {name for name, _path, _desc in spec.bundled_presets()}
    assert {"spiral_mlp", "digits_mlp", "mnist_mlp", "mnist_cnn", "cifar10_cnn", "regression", "two_branch"} <= names
    for name, path, description in spec.bundled_presets():
        preset = spec.load_preset(path)
        assert preset.name == name and description
        if preset.data["source"].startswith("keras:"):
            assert "download" in description.lower() or "keras cache" in description.lower()


@pytest.mark.parametrize("name", [n for n, _p, _d in spec.bundled_presets()])
def test_load_save_load_is_identical(name, tmp_path):
    preset = spec.load_preset(spec.find_preset(name))
    target = tmp_path / f"{name}.toml"
    spec.save_preset(preset, target)
    again = spec.load_preset(target)
    assert again.to_dict() == preset.to_dict()


def test_save_keeps_comments_and_order_when_editing(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(MINIMAL.replace("units = 8", "units = 8   # hidden width, tuned by hand"))
    preset = spec.load_preset(path)
    edited = preset.copy()
    edited.layers[0]["units"] = 16
    edited.fit["epochs"] = 3
    spec.save_preset(edited, path)
    text = path.read_text()
    assert "# hidden width, tuned by hand" in text
    assert "units = 16" in text and "epochs = 3" in text
    assert text.index("[data]") < text.index("[[layers]]") < text.index("[compile]")
    assert spec.load_preset(path).layers[0]["units"] == 16
    assert [p.name for p in tmp_path.iterdir()] == ["mine.toml"]  # no temp file left behind


def test_save_is_atomic_a_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "mine.toml"
    path.write_text(MINIMAL)
    preset = spec.load_preset(path)
    preset.fit["epochs"] = 7

    def boom(*_a, **_k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        spec.save_preset(preset, path)
    assert path.read_text() == MINIMAL
    assert [p.name for p in tmp_path.iterdir()] == ["mine.toml"]


def test_overrides_are_toml_literals_with_list_indices():
    preset = spec.load_preset(
        spec.find_preset("spiral_mlp"),
        ["fit.epochs=3", "layers.0.units=8", "compile.optimizer.learning_rate=3e-4", "layers.1.activation=tanh"],
    )
    assert preset.fit["epochs"] == 3
    assert preset.layers[0]["units"] == 8
    assert preset.compile["optimizer"]["learning_rate"] == pytest.approx(3e-4)
    assert preset.layers[1]["activation"] == "tanh"  # a bare word is a string


def test_override_promotes_a_bare_optimizer_name_to_a_table():
    path = spec.find_preset("mnist_mlp")  # optimizer = "rmsprop"
    preset = spec.load_preset(path, ["compile.optimizer.learning_rate=0.01"])
    assert preset.compile["optimizer"] == {"type": "rmsprop", "learning_rate": 0.01}


@pytest.mark.parametrize(
    "assignment, fragment",
    [
        ("fit.nope.x=3", "no key 'nope'"),
        ("layers.9.units=1", "no item 9"),
        ("fit.epochs", "KEY=VALUE"),
    ],
)
def test_override_path_that_does_not_exist(assignment, fragment):
    with pytest.raises(SpecError) as info:
        spec.load_preset(spec.find_preset("spiral_mlp"), [assignment])
    assert fragment in str(info.value)
    assert "spiral_mlp.toml" in str(info.value)


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(SpecError) as info:
        spec.load_preset(tmp_path / "gone.toml")
    assert "gone.toml" in str(info.value) and "not found" in str(info.value)


def test_unknown_preset_name_lists_the_bundled_ones():
    with pytest.raises(SpecError) as info:
        spec.find_preset("no_such_preset")
    assert "spiral_mlp" in str(info.value)


def test_invalid_toml_gives_line_and_column():
    err = _error('name = "x"\n[data]\nsource = \n')
    assert err.line == 3
    assert str(err).startswith("p.toml:3:")
    assert "invalid TOML" in str(err)


def test_unknown_top_level_key_names_it_and_the_valid_ones():
    err = _error(MINIMAL.replace('seed = 3', 'seed = 3\nbogus = 2'))
    assert err.path == "bogus" and err.line == 3
    assert "unknown key 'bogus'" in str(err) and "layers" in str(err)


def test_unknown_key_close_to_a_valid_one_is_suggested():
    err = _error(MINIMAL.replace("epochs = 1", "epoch = 1"))
    assert err.path == "fit.epoch"
    assert "epochs" in str(err)


def test_wrong_value_type_names_the_key_path_and_expectation():
    err = _error(MINIMAL.replace("epochs = 1", 'epochs = "ten"'))
    assert err.path == "fit.epochs"
    assert "positive integer" in str(err) and "'ten'" in str(err)


def test_layer_without_type_names_the_row():
    err = _error(MINIMAL.replace('type = "Dense"\nunits = 8', "units = 8"))
    assert err.path.startswith("layers[0]")


def test_functional_inputs_must_name_earlier_layers():
    text = MINIMAL.replace('units = 2\nactivation = "softmax"', 'units = 2\ninputs = ["nowhere"]')
    err = _error(text)
    assert err.path.startswith("layers[1].inputs")
    assert "nowhere" in str(err)


def test_line_of_finds_a_layer_argument():
    assert spec.line_of(MINIMAL, "layers[1].units") == MINIMAL.splitlines().index("units = 2") + 1


@settings(max_examples=examples(150))
@given(st.text(max_size=300))
def test_any_text_is_parsed_or_rejected_with_a_spec_error(text):
    try:
        spec.parse_preset(text, file="fuzz.toml")
    except SpecError as err:
        assert str(err).startswith("fuzz.toml")


@settings(max_examples=examples(60))
@given(
    st.dictionaries(
        st.sampled_from(["epochs", "batch_size", "shuffle", "bogus"]),
        st.one_of(st.integers(-3, 100), st.booleans(), st.text(max_size=5), st.floats(allow_nan=False)),
        max_size=3,
    )
)
def test_fit_table_values_are_validated_not_crashing(fit):
    import tomlkit

    text = MINIMAL.split("[fit]")[0] + tomlkit.dumps({"fit": fit})
    try:
        preset = spec.parse_preset(text, file="fuzz.toml")
    except SpecError as err:
        assert err.path and err.path.startswith("fit")
        return
    assert preset.fit == fit
    assert all(isinstance(preset.fit[k], int) and preset.fit[k] > 0 for k in ("epochs", "batch_size") if k in fit)


def test_a_preset_that_trusts_itself_never_reaches_the_trainer_and_its_folder_survives(tmp_path, capsys):
    """#22: `[fit] trusted = true` with BackupAndRestore(backup_dir = a folder) used to delete that folder."""
    from tuitrain.__main__ import main as cli_main

    victim = tmp_path / "precious"
    victim.mkdir()
    (victim / "keep.txt").write_text("data", encoding="utf-8")
    preset = tmp_path / "p.toml"
    preset.write_text('name = "p"\n[data]\nsource = "synthetic:spiral"\nsamples = 100\n'
                      '[[layers]]\ntype = "Dense"\nunits = 2\nactivation = "softmax"\n'
                      '[compile]\nloss = "sparse_categorical_crossentropy"\n'
                      f'[fit]\nepochs = 1\ntrusted = true\ncallbacks = [{{ type = "BackupAndRestore", backup_dir = "{victim}" }}]\n',
                      encoding="utf-8")
    assert cli_main(["train", str(preset), "--runs-dir", str(tmp_path / "runs")]) == 2
    assert f"{preset}:13: fit.trusted: a preset cannot trust itself" in capsys.readouterr().err
    assert (victim / "keep.txt").read_text(encoding="utf-8") == "data"
    assert not (tmp_path / "runs").exists()
