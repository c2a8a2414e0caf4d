"""`tuitrain export` of a preset with [[phases]]: the same two steps, runnable on its own."""

from __future__ import annotations

import subprocess
import sys

from tests.trainer.test_phases import PHASED
from tuitrain import preset as spec
from tuitrain.export.script import export_script


def test_export_writes_one_fit_per_phase_with_the_unfreeze_and_recompile(tmp_path):
    path = tmp_path / "phased.toml"
    path.write_text(PHASED)
    code = export_script(spec.load_preset(path))
    assert "--epochs" not in code  # the phases set the epochs
    assert "    # Phase 1 of 2: 1 epochs; the layers' own `trainable` as written" in code
    assert "    # Phase 2 of 2: 1 epochs; unfreeze \"body\", learning rate 0.001" in code
    assert '    unfrozen = model.get_layer("body")\n    unfrozen.trainable = True' in code
    assert "keras.optimizers.Adam(learning_rate=0.001)" in code
    assert code.count("model.fit(") == 2 and "initial_epoch=1," in code
    script = tmp_path / "phased.py"
    script.write_text(code)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Epoch 2/2" in done.stdout  # epochs counted on in phase 2 (Keras names no epoch when fit trains one)
    assert (tmp_path / "phased.keras").is_file()


def test_export_unfreezes_the_top_of_a_named_layer():
    from tuitrain.export.phases import unfreeze_lines

    lines = unfreeze_lines({"layer": "body", "top": 3})
    assert "    for layer in unfrozen.layers[:-3]:" in lines
    assert "        if isinstance(layer, keras.layers.BatchNormalization):" in lines
