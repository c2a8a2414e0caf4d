"""Every bundled preset exports to a script a linter and a formatter accept as written, with one header
and data paths relative to the script; the new presets' scripts really train."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tuitrain.export.script import export_script
from tuitrain.preset import bundled_presets, load_preset

RUFF = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
NAMES = [name for name, _, _ in bundled_presets()]


@pytest.fixture
def fake_keras_cache(tmp_path_factory, monkeypatch):
    from tests.fake_keras_data import write_fake_keras_cache

    root = tmp_path_factory.mktemp("keras_home")
    write_fake_keras_cache(root, names=("mnist", "cifar10"))
    monkeypatch.setenv("KERAS_HOME", str(root))


@pytest.mark.parametrize("name", NAMES)
def test_export_passes_ruff_check_and_format_as_written(name, tmp_path, fake_keras_cache):
    preset = load_preset(dict((n, p) for n, p, _ in bundled_presets())[name])
    script = tmp_path / f"{name}.py"
    script.write_text(export_script(preset, script_dir=tmp_path))
    lint = subprocess.run([RUFF, "check", "--isolated", "--select", "E,F,W,I", "--line-length", "120", str(script)],
                          capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout
    fmt = subprocess.run([RUFF, "format", "--isolated", "--line-length", "120", "--diff", str(script)],
                         capture_output=True, text=True)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
    text = script.read_text()
    assert len(re.findall(r'^"""', text, flags=re.M)) == 2  # one module docstring: its opening and closing lines
    assert len(re.findall(r"^SEED = ", text, flags=re.M)) == 1
    assert len(re.findall(r"^import numpy as np$", text, flags=re.M)) == 1


def test_layers_are_written_as_a_person_writes_them(tmp_path):
    text = export_script(load_preset(dict((n, p) for n, p, _ in bundled_presets())["two_branch"]))
    assert 'keras.layers.Dense(8, activation="relu", name="wide")(inputs)' in text
    assert "units=" not in text


def test_file_paths_are_relative_to_the_script_or_absolute_on_request(tmp_path):
    import numpy as np

    data = tmp_path / "project" / "data"
    data.mkdir(parents=True)
    np.savez(data / "d.npz", x=np.zeros((20, 3), np.float32), y=np.arange(20) % 2)
    preset_path = tmp_path / "project" / "p.toml"
    preset_path.write_text('name = "p"\n[data]\nsource = "file:data/d.npz"\n[[layers]]\ntype = "Dense"\nunits = 2\n'
                           '[compile]\nloss = "sparse_categorical_crossentropy"\n')
    out = tmp_path / "scripts"
    out.mkdir()
    text = export_script(load_preset(preset_path), script_dir=out)
    assert 'DATA_DIR = Path(__file__).resolve().parent / "../project"' in text
    assert 'DATA_DIR / "data/d.npz"' in text and str(tmp_path) not in text
    (out / "s.py").write_text(text)
    result = subprocess.run([sys.executable, str(out / "s.py"), "--summary"], capture_output=True, text=True,
                            timeout=300, cwd=tmp_path)  # run from elsewhere: still finds its data
    assert result.returncode == 0, result.stderr[-1500:]
    absolute = export_script(load_preset(preset_path), script_dir=out, absolute_paths=True)
    assert f'DATA_DIR = Path("{tmp_path / "project"}")' in absolute


@pytest.mark.parametrize("name, total", [("text_bilstm", 5281), ("tickets", 19097), ("housing", 748)])
def test_new_presets_exported_train_one_epoch(name, total, tmp_path):
    script = tmp_path / f"{name}.py"
    script.write_text(export_script(load_preset(dict((n, p) for n, p, _ in bundled_presets())[name]), script_dir=tmp_path))
    result = subprocess.run([sys.executable, str(script), "--epochs", "1"], capture_output=True, text=True,
                            timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"Total params: {total:,}" in result.stdout
