"""Rows that call layers in the new ways fail with a located error (file:line, layers[i].key), never silently."""

from __future__ import annotations

import numpy as np
import pytest

from tests.model.support import preset_at
from tuitrain.common.errors import SpecError
from tuitrain.model import build_model_partial, prepare

pytest.importorskip("keras")

HEAD = """
name = "wiring"
[[inputs]]
name = "a"
[[inputs]]
name = "b"
[data]
source = "file:d.npz"
x_key = ["a", "b"]
validation_split = 0
[compile]
loss = "mse"
"""


def _fails(tmp_path, layers: str, b_width: int = 8) -> SpecError:
    arrays = {"a": np.zeros((4, 8), np.float32), "b": np.zeros((4, b_width), np.float32), "y": np.zeros((4, 1), np.float32)}
    with pytest.raises(SpecError) as info:  # from loading the file, or from building the model
        prepare(preset_at(tmp_path, HEAD + layers, "p.toml", **arrays))
    return info.value


def _line(tmp_path, text: str) -> int:
    return next(n for n, line in enumerate((tmp_path / "p.toml").read_text().splitlines(), 1) if line.strip().startswith(text))


def test_reusing_a_layer_on_an_input_of_another_width_names_both_shapes(tmp_path):
    err = _fails(tmp_path, """
[[layers]]
name = "tower"
type = "Dense"
units = 4
inputs = ["a"]
[[layers]]
name = "other"
reuse = "tower"
inputs = ["b"]
[[layers]]
type = "Add"
inputs = ["tower", "other"]
""", b_width=5)
    assert err.path == "layers[1].reuse"
    assert "(None, 8)" in err.message and "(None, 5)" in err.message and "'tower'" in err.message
    assert str(err).startswith(f"{tmp_path / 'p.toml'}:{_line(tmp_path, 'reuse =')}: layers[1].reuse: ")


def test_a_reuse_row_takes_no_constructor_arguments(tmp_path):
    err = _fails(tmp_path, """
[[layers]]
name = "tower"
type = "Dense"
units = 4
inputs = ["a"]
[[layers]]
reuse = "tower"
units = 8
inputs = ["b"]
""")
    assert err.path == "layers[1].units"
    assert "no 'units'" in err.message
    assert f"p.toml:{_line(tmp_path, 'units = 8')}:" in str(err)


def test_a_call_key_the_layer_does_not_take_lists_what_it_takes(tmp_path):
    err = _fails(tmp_path, """
[[layers]]
type = "Dense"
units = 1
inputs = ["a"]
call = { maks = "b" }
[[layers]]
type = "Dense"
units = 1
inputs = ["b"]
""")
    assert err.path == "layers[0].call.maks"
    assert "Dense.call() takes no argument 'maks'" in err.message and "training" in err.message


def test_an_index_past_a_layers_outputs_says_how_many_it_has(tmp_path):
    body = """
[[layers]]
name = "enc"
type = "Reshape"
target_shape = [8, 1]
inputs = ["a"]
[[layers]]
name = "lstm"
type = "LSTM"
units = 3
return_state = true
[[layers]]
type = "Dense"
units = 1
inputs = ["lstm[3]"]
[[layers]]
type = "Dense"
units = 1
inputs = ["b"]
"""
    err = _fails(tmp_path, body)
    assert err.path == "layers[2].inputs"
    assert "'lstm' returns 3 tensors (lstm[0] … lstm[2]), so 'lstm[3]' is past its outputs" in err.message
    err = _fails(tmp_path, body.replace('"lstm[3]"', '"lstm"'))
    assert 'name one of them: "lstm[0]", "lstm[1]", "lstm[2]"' in err.message


def test_several_inputs_go_positionally_to_attention_and_as_a_list_to_merge_layers(tmp_path):
    arrays = {"a": np.zeros((4, 6, 8), np.float32), "b": np.zeros((4, 5, 8), np.float32), "y": np.zeros((4, 6, 8), np.float32)}
    preset = preset_at(tmp_path, HEAD + """
[[layers]]
name = "att"
type = "MultiHeadAttention"
num_heads = 2
key_dim = 4
inputs = ["a", "b"]
call = { use_causal_mask = false, attention_mask = "None" }
[[layers]]
type = "Add"
inputs = ["a", "att"]
""", "p.toml", **arrays)
    report = build_model_partial(preset, [(6, 8), (5, 8)])
    assert report.error is None
    assert [r.output_shape for r in report.rows] == ["(None, 6, 8)", "(None, 6, 8)"]
    assert report.rows[0].inputs == ["a", "b"]


def test_a_layer_with_several_outputs_shows_each_in_its_row(tmp_path):
    arrays = {"a": np.zeros((4, 8), np.float32), "b": np.zeros((4, 8), np.float32), "y": np.zeros((4, 1), np.float32)}
    preset = preset_at(tmp_path, HEAD + """
[[layers]]
type = "Reshape"
target_shape = [8, 1]
inputs = ["a"]
[[layers]]
name = "lstm"
type = "LSTM"
units = 3
return_state = true
[[layers]]
name = "state"
type = "Dense"
units = 1
inputs = ["lstm[2]"]
[[layers]]
name = "side"
type = "Dense"
units = 1
inputs = ["b"]
[[layers]]
type = "Add"
inputs = ["state", "side"]
""", "p.toml", **arrays)
    report = build_model_partial(preset, [(8,), (8,)])
    assert report.error is None
    assert (report.rows[1].outputs, report.rows[1].output_shape) == (3, "[0] (None, 3)  [1] (None, 3)  [2] (None, 3)")
    assert report.total_params == 4 * (1 * 3 + 3 * 3 + 3) + (3 + 1) + (8 + 1)  # LSTM(3) on 1 feature, two Dense(1)
