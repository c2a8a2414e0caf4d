"""[[phases]] in a preset: structure errors name the file, line and key path."""

from __future__ import annotations

import pytest

from tuitrain.common.errors import SpecError
from tuitrain.preset import parse_preset
from tuitrain.preset.phases import phase_at, phase_starts, total_epochs

BASE = """name = "p"
[data]
source = "synthetic:spiral"
[[layers]]
name = "backbone"
type = "Dense"
units = 4
[[layers]]
type = "Dense"
units = 2
"""


def parse(phases: str, extra: str = ""):
    return parse_preset(BASE + extra + phases, file="p.toml")


def error(phases: str, extra: str = "") -> str:
    with pytest.raises(SpecError) as err:
        parse(phases, extra)
    return str(err.value)


def test_phases_are_read_in_order():
    preset = parse('[[phases]]\nepochs = 2\n[[phases]]\nepochs = 3\nlearning_rate = 1e-5\n'
                   'unfreeze = { layer = "backbone", top = 1 }\n')
    assert preset.phases == [{"epochs": 2},
                             {"epochs": 3, "learning_rate": 1e-5, "unfreeze": {"layer": "backbone", "top": 1}}]
    assert preset.to_dict()["phases"] == preset.phases
    assert phase_starts(preset.phases) == [0, 2] and total_epochs(preset.phases) == 5


def test_unknown_key_in_a_phase_is_located_with_a_suggestion():
    message = error("[[phases]]\nepochs = 2\n\n[[phases]]\nepoch = 3\n")
    assert message.startswith("p.toml:15: phases[1].epoch: unknown key 'epoch'.")
    assert "Did you mean 'epochs'?" in message or "epochs" in message


def test_unfreeze_must_name_a_layer_row():
    message = error('[[phases]]\nepochs = 1\nunfreeze = { layer = "backbon" }\n')
    assert "p.toml:13: phases[0].unfreeze.layer: 'backbon' is not the name of a [[layers]] row." in message
    assert "Named rows: backbone." in message


def test_unknown_key_in_unfreeze_is_located():
    assert "phases[0].unfreeze.bottom: unknown key 'bottom'" in error(
        '[[phases]]\nepochs = 1\nunfreeze = { layer = "backbone", bottom = 3 }\n')


@pytest.mark.parametrize(("text", "where", "what"), [
    ("epochs = 0", "phases[0].epochs", "a positive integer"),
    ("epochs = -2", "phases[0].epochs", "a positive integer"),
    ("epochs = true", "phases[0].epochs", "a positive integer"),
    ("learning_rate = 0.0\nepochs = 1", "phases[0].learning_rate", "a positive learning rate"),
    ("learning_rate = nan\nepochs = 1", "phases[0].learning_rate", "a positive learning rate"),
    ("epochs = 1\nunfreeze = { layer = \"backbone\", top = 0 }", "phases[0].unfreeze.top", "a positive integer"),
    ("learning_rate = 1e-3", "phases[0].epochs", "missing key 'epochs'"),
])
def test_bad_values_are_errors_at_their_key(text, where, what):
    message = error(f"[[phases]]\n{text}\n")
    assert f": {where}: " in message and what in message


def test_fit_epochs_beside_phases_is_an_error_not_silently_overruled():
    message = error("[[phases]]\nepochs = 1\n", extra="[fit]\nepochs = 30\n")
    assert "p.toml:12: fit.epochs: with [[phases]] each phase sets its own epochs; remove fit.epochs" in message


@pytest.mark.parametrize("value", ["[]", '"fine-tune"'])
def test_phases_must_be_tables(value):
    with pytest.raises(SpecError, match=r"p.toml:1: phases: expected one or more \[\[phases\]\] tables"):
        parse_preset(f"phases = {value}\n" + BASE, file="p.toml")


def test_phase_at_picks_the_phase_of_the_next_epoch():
    phases = [{"epochs": 2}, {"epochs": 3}]
    assert [phase_at(phases, done) for done in range(6)] == [0, 0, 1, 1, 1, 1]


def test_check_lists_each_phase_with_the_parameters_keras_trains(tmp_path, capsys):
    from tuitrain.__main__ import main

    path = tmp_path / "p.toml"
    frozen = BASE.replace('units = 4\n', 'units = 4\ntrainable = false\n', 1)
    path.write_text(frozen + '[compile]\nloss = "sparse_categorical_crossentropy"\n[[phases]]\nepochs = 2\n[[phases]]\nepochs = 3\nlearning_rate = 1e-4\n'
                    'unfreeze = { layer = "backbone" }\n')
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    # spiral: 2 features → Dense(4) (12 parameters, frozen in phase 1) → Dense(2) (10)
    assert "phase 1: epochs 1-2: 10 trainable, 12 frozen parameters" in out
    assert "phase 2: epochs 3-5, unfreeze backbone, learning rate 0.0001: 22 trainable, 0 frozen parameters" in out
