"""`tuitrain new` for every offline source kind: the preset it writes passes `check` and `train` finishes.

The trainers start together (detached) in one fixture and each test waits for its own run, so
the TensorFlow start-up of the eight processes overlaps instead of adding up.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import wait_final
from tests.trainer.helpers import Tail
from tests.fake_keras_data import write_fake_keras_cache
from tuitrain.__main__ import main
from tuitrain.preset import load_preset


def write_sources(root: Path) -> None:
    """One small data set of each file kind under root/data/."""
    from PIL import Image

    data = root / "data"
    data.mkdir()
    rng = np.random.default_rng(0)
    np.savez(data / "table.npz", x=rng.normal(size=(120, 5)).astype(np.float32), y=np.arange(120) % 3)
    np.save(data / "x.npy", rng.normal(size=(100, 4)).astype(np.float32))
    np.save(data / "y.npy", rng.normal(size=100).astype(np.float32))
    lines = ["a,b,c,label"] + [f"{rng.normal():.3f},{rng.normal():.3f},{rng.normal():.3f},{i % 2}" for i in range(80)]
    (data / "table.csv").write_text("\n".join(lines) + "\n")
    for cls in ("cats", "dogs"):
        (data / "images" / cls).mkdir(parents=True)
        for i in range(6):
            pixels = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(data / "images" / cls / f"{i}.png")


# name: (source, extra `tuitrain new` arguments, what the starter must have inferred)
CASES = {
    "synthetic": ("synthetic:spiral", ["--option", "samples=200"], "200 samples of 2 features (float32), 2 classes (binary labels) → MLP"),
    "sklearn": ("sklearn:iris", [], "150 samples of 4 features (float32), 3 classes (sparse labels) → MLP"),
    "keras_images": ("keras:mnist", [], "64 samples of 28×28 images (uint8), 10 classes (sparse labels) → small convnet"),
    "keras_sequences": ("keras:imdb", ["--option", "maxlen=20"], "64 samples of sequences of 20 tokens (int32), 2 classes (binary labels) → Embedding + pooling"),
    "npz": ("file:data/table.npz", [], "120 samples of 5 features (float32), 3 classes (sparse labels) → MLP"),
    "npy_pair": ("file:data/x.npy", [], "100 samples of 4 features (float32), regression (1 target) → MLP"),
    "csv": ("file:data/table.csv", [], "80 samples of 3 features (float32), 2 classes (binary labels) → MLP"),
    "folder": ("folder:data/images", [], "12 samples of 8×8×3 images (uint8), 2 classes (binary labels) → small convnet"),
}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """Data in ./data, presets in ./presets (so relative data paths must be rewritten), fake Keras cache."""
    root = tmp_path_factory.mktemp("new")
    write_sources(root)
    write_fake_keras_cache(root / "keras", names=("mnist", "imdb"))
    (root / "presets").mkdir()
    saved = {k: os.environ.get(k) for k in ("KERAS_HOME",)}
    old_cwd = Path.cwd()
    os.environ["KERAS_HOME"] = str(root / "keras")
    os.chdir(root)
    try:
        yield root
    finally:
        os.chdir(old_cwd)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="module")
def written(workspace):
    """`tuitrain new presets/<case>.toml --data SOURCE` for every case: (exit code, stdout) by case."""
    import contextlib
    import io

    out = {}
    for case, (source, extra, _) in CASES.items():
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            code = main(["new", f"presets/{case}.toml", "--data", source, *extra])
        out[case] = (code, buffer.getvalue())
    return out


@pytest.fixture(scope="module")
def runs(workspace, written):
    """Every starter preset trained for one epoch, trainers started together."""
    import contextlib
    import io

    started = {}
    for case in CASES:
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            code = main(["train", f"presets/{case}.toml", "--runs-dir", "runs", "--detach", "--set", "fit.epochs=1"])
        assert code == 0
        started[case] = Path(buffer.getvalue().strip().splitlines()[-1])
    return started


@pytest.mark.parametrize("case", list(CASES))
def test_new_writes_a_preset_that_check_accepts(case, workspace, written, capsys):
    code, out = written[case]
    assert code == 0, out
    assert CASES[case][2] in out
    preset = load_preset(workspace / "presets" / f"{case}.toml")
    if preset.data["source"].startswith(("file:", "folder:")):  # relative to the preset's folder now
        assert preset.data["source"].split(":", 1)[1].startswith("../data/")
    capsys.readouterr()
    assert main(["check", f"presets/{case}.toml"]) == 0
    checked = capsys.readouterr().out
    assert re.search(rf"^ok: {case} is valid$", checked, flags=re.M), checked  # no warnings either


@pytest.mark.parametrize("case", list(CASES))
def test_train_finishes_on_the_new_preset(case, runs):
    tail = Tail(runs[case])
    assert wait_final(runs[case]) == "finished", tail.reader.log_tail()
    assert tail.reader.status()["epochs_done"] == 1


def test_npy_pair_finds_its_labels_and_the_model_fits_the_task(workspace, written):
    preset = load_preset(workspace / "presets" / "npy_pair.toml")
    assert preset.data["labels"] == "../data/y.npy"
    assert preset.layers[-1] == {"type": "Dense", "units": 1}
    assert preset.compile["loss"] == "mean_squared_error"


def test_image_starters_rescale_bytes_and_add_a_channel(workspace, written):
    mnist = load_preset(workspace / "presets" / "keras_images.toml")
    assert mnist.data["preprocess"] == [{"op": "rescale", "factor": 1 / 255}, {"op": "expand_dims", "axis": -1}]
    assert [layer["type"] for layer in mnist.layers] == ["Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Flatten", "Dense", "Dense"]
    assert "validation_split" not in mnist.data  # the data set's own test split is the validation data


def test_new_refuses_to_overwrite_without_force(workspace, written, capsys):
    target = workspace / "presets" / "sklearn.toml"
    before = target.read_text()
    assert main(["new", str(target), "--data", "synthetic:moons"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert target.read_text() == before
    assert main(["new", str(target), "--data", "synthetic:moons", "--force"]) == 0
    assert load_preset(target).data["source"] == "synthetic:moons"
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".")]  # no temp file left behind


def test_new_reports_bad_sources_and_options_as_one_line(workspace, capsys):
    assert main(["new", "presets/bad.toml", "--data", "sklearn:digitz"]) == 2
    assert "Did you mean 'digits'?" in capsys.readouterr().err
    assert main(["new", "presets/bad.toml", "--data", "synthetic:spiral", "--option", "sample=3"]) == 2
    assert "unknown option 'sample'" in capsys.readouterr().err
    assert not (workspace / "presets" / "bad.toml").exists()


def test_new_list_shows_only_what_is_offline(workspace, capsys):
    assert main(["new", "--list"]) == 0
    out = capsys.readouterr().out
    sources = [line.split()[0] for line in out.splitlines()]
    assert {"synthetic:spiral", "sklearn:digits", "keras:mnist", "keras:imdb", "file:PATH", "folder:PATH"} <= set(sources)
    assert "keras:cifar10" not in sources  # not in the (fake) cache


def test_a_source_with_several_inputs_is_a_message_not_a_traceback(tmp_path, capsys):
    from tuitrain.__main__ import main

    assert main(["new", str(tmp_path / "mine.toml"), "--data", "synthetic:tickets"]) == 2
    err = capsys.readouterr().err
    assert "synthetic:tickets has several inputs or outputs" in err and "Traceback" not in err
    assert not (tmp_path / "mine.toml").exists()
