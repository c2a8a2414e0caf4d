"""`tuitrain export` writes only what the preset means: preset text never becomes code."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.tiny_preset import TINY
from tuitrain import preset as spec
from tuitrain.common.errors import SpecError
from tuitrain.export.script import export_script


def _script(text: str, tmp_path) -> str:
    path = tmp_path / "p.toml"
    path.write_text(text)
    return export_script(spec.load_preset(path))


def test_quotes_in_name_and_description_cannot_escape_the_docstring(tmp_path):
    # A name holds no newline (names cannot hold control characters); the description may.
    text = TINY.replace('name = "tiny"', "name = 'x\"\"\"; import sys; sys.exit(7); \"\"\"'")
    text = text.replace("seed = 3", "seed = 3\ndescription = '''d\"\"\"\nraise SystemExit(9)\n\"\"\"'''")
    script = tmp_path / "s.py"
    script.write_text(_script(text, tmp_path))
    result = subprocess.run([sys.executable, str(script), "--summary"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-1500:]
    assert "Total params: 42" in result.stdout  # 2*8+8 + 8*2+2: the model, not injected code


def test_argument_names_that_are_not_identifiers_are_refused(tmp_path):
    text = TINY.replace("[fit]", '[fit]\ncallbacks = [{ type = "EarlyStopping", "patience=0, x=__import__(\'os\')" = 1 }]')
    with pytest.raises(SpecError) as info:
        _script(text, tmp_path)
    assert info.value.path.startswith("fit.callbacks[0].")


def test_optimizer_is_exported_as_the_class_keras_resolved(tmp_path):
    text = TINY.replace('optimizer = "adam"', 'optimizer = { type = "adam", learning_rate = 0.01 }')
    assert "keras.optimizers.Adam(learning_rate=0.01)" in _script(text, tmp_path)


def test_unwritable_output_is_a_message_not_a_traceback(capsys, tmp_path):
    from tuitrain.__main__ import main

    blocker = tmp_path / "file"
    blocker.write_text("")
    code = main(["export", "spiral_mlp", "-o", str(blocker / "x.py")])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert err.startswith("error: ") and str(blocker) in err


def test_distribute_table_is_exported_as_strategy_scope_and_policy(tmp_path):
    text = TINY + '\n[distribute]\nstrategy = "mirrored"\nmixed_precision = "mixed_float16"\nmemory_growth = true\n'
    code = _script(text, tmp_path)
    assert 'keras.mixed_precision.set_global_policy("mixed_float16")' in code
    assert "strategy = tf.distribute.MirroredStrategy()" in code and "    with strategy.scope():\n        model = build_model" in code
    assert 'keras.layers.Dense(2, activation="softmax", dtype="float32")' in code  # output kept in float32
    script = tmp_path / "s.py"
    script.write_text(code + "\nprint('POLICY', keras.mixed_precision.global_policy().name)\n")
    result = subprocess.run([sys.executable, str(script), "--summary"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-1500:]
    assert "Total params: 42" in result.stdout and "POLICY mixed_float16" in result.stdout
    assert "import tensorflow" not in _script(TINY, tmp_path)  # no table: the plain script
