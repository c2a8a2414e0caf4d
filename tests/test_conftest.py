"""The shared test helpers do what the tests rely on."""

from __future__ import annotations

import numpy as np

from tests.conftest import write_preset
from tuitrain.preset import load_preset


def test_write_preset_from_text_and_from_a_dict(tmp_path):
    assert load_preset(write_preset(tmp_path)).name == "tiny"
    table = {"name": "d", "data": {"source": "file:d.npz"}, "layers": [{"type": "Dense", "units": 1}],
             "compile": {"loss": "mse"}}
    preset = load_preset(write_preset(tmp_path, table, "d.toml", x=np.zeros((4, 2)), y=np.zeros(4)))
    assert (preset.name, preset.layers, preset.compile) == ("d", [{"type": "Dense", "units": 1}], {"loss": "mse"})
    assert np.load(tmp_path / "d.npz")["x"].shape == (4, 2)
