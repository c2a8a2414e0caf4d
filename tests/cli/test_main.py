"""`tuitrain check`, `export` and `presets` as a user runs them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import write_preset
from tests.tiny_preset import TINY
from tuitrain.__main__ import main



def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_presets_lists_every_bundled_preset(capsys):
    code, out, _ = _run(capsys, "presets")
    assert code == 0
    for name in ("spiral_mlp", "digits_mlp", "mnist_mlp", "mnist_cnn", "cifar10_cnn", "regression", "two_branch"):
        assert re.search(rf"^{name}\s+\S", out, flags=re.M), name


def test_check_default_preset_prints_tensors_summary_and_parameter_count(capsys):
    code, out, _ = _run(capsys, "check", "spiral_mlp")
    assert code == 0
    assert re.search(r"^x_train\s+float32\s+\(800, 2\)", out, flags=re.M)
    assert re.search(r"^y_train\s+int\w*\s+\(800,\)", out, flags=re.M)
    assert re.search(r"^x_val\s+float32\s+\(200, 2\)", out, flags=re.M)
    assert "Total params: 4,482" in out  # Keras' own summary
    assert "parameters: 4,482 total, 4,482 trainable, 0 non-trainable" in out
    assert "ok: spiral_mlp is valid" in out


def test_check_tensor_table_shows_the_apps_numbers():
    from tuitrain.cli.preset_commands import tensor_table
    from tuitrain.data import describe

    stats = describe("y_train", np.array([3, 88586], dtype=np.int64))
    table = tensor_table([stats])
    assert re.search(r"^y_train\s+int64\s+\(2,\)\s+3\s+88586\s", table, flags=re.M), table
    assert table.splitlines()[1].split() == list(stats.as_row())  # the cells the app's tensor pane shows


@pytest.mark.parametrize("name, total", [("digits_mlp", None), ("regression", None), ("two_branch", 698)])
def test_check_offline_presets(capsys, name, total):
    code, out, _ = _run(capsys, "check", name)
    assert code == 0, out
    assert f"ok: {name} is valid" in out
    if total:
        assert f"parameters: {total:,} total" in out


def test_check_applies_overrides(capsys):
    code, out, _ = _run(capsys, "check", "spiral_mlp", "--set", "layers.0.units=8", "--set", "data.samples=100")
    assert code == 0
    assert re.search(r"^x_train\s+float32\s+\(80, 2\)", out, flags=re.M)
    assert "parameters: 730 total" in out  # 2*8+8 + 8*64+64 + 64*2+2


def test_check_shows_warnings_but_still_succeeds(capsys, tmp_path):
    path = write_preset(tmp_path, TINY.replace("units = 2", "units = 3"))
    code, out, _ = _run(capsys, "check", str(path))
    assert code == 0
    assert "warning: layers[1].units: the output layer has 3 units, but the data has 2 classes" in out
    assert "ok: tiny is valid (with warnings)" in out


@pytest.mark.parametrize(
    "change, expect",
    [
        (lambda t: t.replace("seed = 3", "seed = 3\nbogus = 1"), r"p\.toml:3: bogus: unknown key 'bogus'"),
        (lambda t: t.replace('source = "synthetic:spiral"', "source = "), r"p\.toml:5:\d+: invalid TOML"),
        (lambda t: t.replace('type = "Dense"\nunits = 8', 'type = "Dens"\nunits = 8'), r"p\.toml:9: layers\[0\]\.type: unknown layer type 'Dens'\. Did you mean 'Dense'"),
        (lambda t: t.replace("units = 8", "unitz = 8"), r"p\.toml:10: layers\[0\]\.unitz: Dense has no argument 'unitz'\. Did you mean 'units'\? Valid arguments: units, activation"),
        (lambda t: t.replace("units = 8", "units = -8"), r"p\.toml:10: layers\[0\]\.units: .*positive integer"),
        (lambda t: t.replace("epochs = 1", 'epochs = "1"'), r"p\.toml:\d+: fit\.epochs: expected a positive integer, got a string"),
        (lambda t: t.replace('type = "Dense"\nunits = 8\nactivation = "relu"', 'type = "Conv2D"\nfilters = 4\nkernel_size = 3'),
         r"p\.toml:\d+: layers\[0\]: Conv2D expects 4-D input \(batch included\), gets \(None, 2\)"),
    ],
)
def test_check_bad_presets_fail_with_one_clear_paragraph(capsys, tmp_path, change, expect):
    path = write_preset(tmp_path, change(TINY))
    code, out, err = _run(capsys, "check", str(path))
    assert code == 2
    assert "Traceback" not in err
    message = err.strip()
    assert message.startswith("error: ") and "\n" not in message, message
    assert re.search(expect, message), message
    assert str(path) in message


def test_check_missing_file(capsys, tmp_path):
    code, _, err = _run(capsys, "check", str(tmp_path / "nope.toml"))
    assert code == 2 and "nope.toml" in err and "not found" in err


def test_check_set_path_that_does_not_exist(capsys):
    code, _, err = _run(capsys, "check", "spiral_mlp", "--set", "fit.nope.x=1")
    assert code == 2 and "no key 'nope'" in err


def test_check_file_source_with_a_missing_array(capsys, tmp_path):
    np.savez(tmp_path / "d.npz", features=np.zeros((20, 2), "float32"), y=np.zeros(20, "int64"))
    path = write_preset(tmp_path, TINY.replace('source = "synthetic:spiral"\nsamples = 200', 'source = "file:d.npz"'))
    code, _, err = _run(capsys, "check", str(path))
    assert code == 2
    assert "'x'" in err and "features" in err  # says what is missing and what is there


def test_check_refuses_a_pickled_npy(capsys, tmp_path):
    np.save(tmp_path / "x.npy", np.array([{"a": 1}] * 20, dtype=object), allow_pickle=True)
    np.save(tmp_path / "y.npy", np.zeros(20, "int64"))
    path = write_preset(tmp_path, TINY.replace('source = "synthetic:spiral"\nsamples = 200', 'source = "file:x.npy"\nlabels = "y.npy"'))
    code, _, err = _run(capsys, "check", str(path))
    assert code == 2
    assert "x.npy" in err and "pickle" in err.lower()


def _export_and_build(tmp_path: Path, capsys, target: str) -> str:
    script = tmp_path / "exported.py"
    code, _, _ = _run(capsys, "export", target, "-o", str(script))
    assert code == 0
    text = script.read_text()
    assert "tuitrain" not in re.sub(r'""".*?"""', "", text, flags=re.S)  # stand-alone: no import of ours
    result = subprocess.run(
        [sys.executable, str(script), "--summary"], capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.mark.parametrize("target, total", [("spiral_mlp", "4,482"), ("two_branch", "698")])
def test_export_round_trips_to_the_same_parameter_count(tmp_path, capsys, target, total):
    out = _export_and_build(tmp_path, capsys, target)
    assert f"Total params: {total}" in out


def test_export_of_an_edited_preset_builds_the_edited_model(tmp_path, capsys):
    path = write_preset(tmp_path, TINY.replace("units = 8", "units = 5"))
    out = _export_and_build(tmp_path, capsys, str(path))
    assert f"Total params: {2 * 5 + 5 + 5 * 2 + 2}" in out


@pytest.mark.parametrize(
    "name, total", [("mnist_mlp", "25,450"), ("mnist_cnn", "34,826"), ("cifar10_cnn", "1,250,858")]
)
def test_check_download_presets_against_a_fake_keras_cache(capsys, tmp_path, monkeypatch, name, total):
    from tests.fake_keras_data import write_fake_keras_cache

    write_fake_keras_cache(tmp_path, names=("mnist",) if name.startswith("mnist") else ("cifar10",))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    code, out, err = _run(capsys, "check", name)
    assert code == 0, err
    assert f"parameters: {total} total" in out
    assert f"ok: {name} is valid\n" in out  # and no warnings


def test_check_download_preset_offline_says_which_file_to_place_where(capsys, tmp_path, monkeypatch):
    import urllib.error

    import keras

    def no_network(*_args, **_kwargs):  # deterministic even where CI has internet
        raise urllib.error.URLError("offline (test)")

    monkeypatch.setattr(sys.modules[keras.utils.get_file.__module__], "urlretrieve", no_network)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    code, _, err = _run(capsys, "check", "mnist_mlp")
    assert code == 2
    assert "mnist.npz" in err and str(tmp_path / "datasets") in err
