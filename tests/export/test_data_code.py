"""data_code: the generated stand-alone script, run in a fresh interpreter, returns load_dataset's arrays."""

import subprocess
import sys

import numpy as np
import pytest

from tuitrain.data import load_dataset
from tuitrain.export.data_code import data_code

DRIVER = """
import numpy as np
arrays = load_data()
np.savez({out!r}, **{{name: a for name, a in zip(("x_train", "y_train", "x_val", "y_val"), arrays) if a is not None}})
"""

SPECS = {
    "spiral": {"source": "synthetic:spiral", "samples": 500, "noise": 0.2, "validation_split": 0.2, "preprocess": [{"op": "standardize"}]},
    "digits": {
        "source": "sklearn:digits",
        "validation_split": 0.25,
        "preprocess": [{"op": "rescale", "factor": 0.0625}, {"op": "reshape", "shape": [8, 8]}, {"op": "expand_dims"}, {"op": "one_hot"}],
    },
}


@pytest.mark.parametrize("name", SPECS)
def test_exported_script_reproduces_the_arrays(name, tmp_path):
    spec = SPECS[name]
    code = data_code(spec, seed=11)
    assert "tuitrain" not in code.replace("a tuitrain preset", "").replace("arrays tuitrain trains", "")
    script = tmp_path / "data_script.py"
    script.write_text(code + DRIVER.format(out=str(tmp_path / "out.npz")))
    subprocess.run([sys.executable, str(script)], check=True, cwd=tmp_path, timeout=120)
    expected = load_dataset(spec, seed=11).tensors()
    with np.load(tmp_path / "out.npz") as got:
        assert sorted(got.files) == sorted(expected)
        for key, array in expected.items():
            assert got[key].dtype == array.dtype and np.array_equal(got[key], array), key


def test_export_of_a_file_source_and_its_keras_layout(tmp_path):
    x = np.arange(30, dtype=np.float32).reshape(10, 3)
    np.savez(tmp_path / "k.npz", x_train=x, y_train=np.arange(10) % 2, x_test=x[:4], y_test=np.arange(4) % 2)
    spec = {"source": "file:k.npz", "preprocess": [{"op": "normalize"}]}
    namespace: dict = {}
    exec(compile(data_code(spec, seed=0, base_dir=tmp_path), "export", "exec"), namespace)
    got = namespace["load_data"]()
    want = load_dataset(spec, seed=0, base_dir=tmp_path)
    for a, b in zip(got, (want.x_train, want.y_train, want.x_val, want.y_val)):
        assert np.array_equal(a, b)


def test_export_reads_like_a_script():
    code = data_code(SPECS["spiral"], seed=3)
    assert "def spiral(rng, samples=1000, noise=0.1, classes=2):" in code
    assert "x, y = spiral(np.random.default_rng(SEED), samples=500, noise=0.2)" in code
    assert "step = standardize(x_train)  # statistics from the training data only" in code
    assert "@_op" not in code
    compile(code, "export", "exec")
