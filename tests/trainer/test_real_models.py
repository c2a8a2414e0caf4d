"""The trainer on the new kinds of model: text input, several inputs and outputs, adapted layers,
schedules, class weights — and a Keras-level error cited at the same line `check` names.

In-process (TensorFlow is loaded once for the module), tiny samples, one epoch.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import write_preset
from tuitrain.runs.rundir import write_run_json
from tuitrain.trainer.process import Trainer
from tuitrain.preset import dumps_preset, find_preset, load_preset


def train_in_process(tmp_path, preset, *, original=None):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "preset.toml").write_text(dumps_preset(preset))
    write_run_json(run_dir, {"status": "starting", "started": 0.0, "preset_path": str(original or preset.path)})
    code = Trainer(run_dir).run()
    return code, json.loads((run_dir / "run.json").read_text()), run_dir


@pytest.mark.parametrize("name, overrides, metric", [
    ("text_bilstm", ["data.samples=120", "fit.epochs=1"], "val_accuracy"),
    ("tickets", ["data.samples=120", "fit.epochs=1"], "val_department_accuracy"),
    ("housing", ["data.samples=120", "fit.epochs=1"], "val_mae"),
    ("transformer_text", ["data.samples=120", "fit.epochs=1"], "val_accuracy"),
])
def test_new_presets_train_one_epoch(tmp_path, name, overrides, metric):
    preset = load_preset(find_preset(name), overrides)
    code, info, run_dir = train_in_process(tmp_path, preset)
    assert code == 0, info.get("error")
    assert info["status"] == "finished" and info["epochs_done"] == 1
    header = (run_dir / "metrics.csv").read_text().splitlines()[0].split(",")
    assert metric in header
    assert (run_dir / "model.keras").is_file()


def test_train_cites_the_line_check_cites(tmp_path, capsys):
    from tuitrain.__main__ import main

    path = write_preset(
        tmp_path,
        "# a comment that the resolved copy might not keep\n\nname = \"p\"\n\n[data]\nsource = \"synthetic:spiral\"\n"
        "samples = 100\n\n[[layers]]\ntype = \"Dense\"\nunits = 4\n\n# the broken one\n[[layers]]\ntype = \"Dense\"\n"
        "units = 2\nkernel_initializer = \"no_such_init\"\n"
    )
    assert main(["check", str(path)]) != 0
    check_error = capsys.readouterr().err.strip().removeprefix("error: ")
    preset = load_preset(path, ["fit.epochs=1"])
    code, info, _ = train_in_process(tmp_path, preset, original=path)
    assert code == 1
    assert info["error"].split(": ")[:2] == check_error.split(": ")[:2]  # file:line and key path
    assert info["error"].startswith(f"{path}:17: layers[1].kernel_initializer")


def test_a_shared_layer_with_call_arguments_and_a_weights_file_trains_and_saves(tmp_path):
    import numpy as np

    from tests.model.support import preset_at

    rng = np.random.default_rng(0)
    folder = tmp_path / "preset"
    folder.mkdir()
    np.save(folder / "emb.npy", rng.random((20, 4), dtype=np.float32))
    preset = preset_at(folder, """
        name = "shared_states"
        [[inputs]]
        name = "left"
        [[inputs]]
        name = "right"
        [data]
        source = "file:d.npz"
        x_key = ["left", "right"]
        validation_split = 0.25
        [[layers]]
        name = "embed"
        type = "Embedding"
        input_dim = 20
        output_dim = 4
        weights_file = "emb.npy"
        inputs = ["left"]
        [[layers]]
        name = "right_embed"
        reuse = "embed"
        inputs = ["right"]
        [[layers]]
        name = "encoder"
        type = "LSTM"
        units = 3
        return_state = true
        inputs = ["embed"]
        [[layers]]
        type = "LSTM"
        units = 3
        inputs = ["right_embed"]
        call = { initial_state = ["encoder[1]", "encoder[2]"] }
        [[layers]]
        type = "Dense"
        units = 1
        activation = "sigmoid"
        [compile]
        loss = "binary_crossentropy"
        [fit]
        epochs = 1
        batch_size = 8
        """, "p.toml", left=rng.integers(0, 20, (32, 6)), right=rng.integers(0, 20, (32, 6)), y=np.arange(32) % 2)
    code, info, run_dir = train_in_process(tmp_path, preset)
    assert code == 0, info.get("error")
    assert info["status"] == "finished" and info["epochs_done"] == 1
    assert (run_dir / "model.keras").is_file()
