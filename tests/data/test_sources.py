"""sklearn: and keras: sources (keras from a fake cache, never the network), and the bundled presets' data."""

import urllib.error

import numpy as np
import pytest

from tests.fake_keras_data import ALL, write_fake_keras_cache
from tuitrain.data import DataError, load_dataset


def test_sklearn_digits():
    d = load_dataset({"source": "sklearn:digits", "validation_split": 0}, seed=0)
    assert d.x_train.shape == (1797, 64) and d.x_train.dtype == np.float32
    assert d.num_classes == 10 and d.class_names == [str(i) for i in range(10)] and d.x_train.max() == 16.0


def test_sklearn_regression_set_and_options():
    d = load_dataset({"source": "sklearn:diabetes"}, seed=0)
    assert d.task == "regression" and d.input_shape == (10,) and d.y_train.dtype == np.float32
    d = load_dataset({"source": "sklearn:digits", "n_class": 3}, seed=0)
    assert d.num_classes == 3
    with pytest.raises(DataError, match=r"^data.source: unknown sklearn data set 'digit'\. Did you mean 'digits'\?"):
        load_dataset({"source": "sklearn:digit"}, seed=0)
    with pytest.raises(DataError, match=r"^data.as_frame: unknown option 'as_frame' for source 'sklearn:iris'"):
        load_dataset({"source": "sklearn:iris", "as_frame": True}, seed=0)


def test_sklearn_missing_gives_an_install_hint(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "sklearn", None)  # import sklearn → ImportError
    with pytest.raises(DataError, match=r"^data.source: sklearn: sources need scikit-learn, which is not installed: pip install scikit-learn"):
        load_dataset({"source": "sklearn:digits"}, seed=0)


EXPECTED = {
    "mnist": ((64, 28, 28), (16, 28, 28), 10),
    "fashion_mnist": ((64, 28, 28), (16, 28, 28), 10),
    "cifar10": ((50000, 32, 32, 3), (64, 32, 32, 3), 10),
    "cifar100": ((64, 32, 32, 3), (64, 32, 32, 3), 64),
    "imdb": ((64, 200), (16, 200), 2),
    "boston_housing": ((51, 13), (13, 13), None),
}


def test_keras_sets_load_from_the_fake_cache(tmp_path, monkeypatch):
    write_fake_keras_cache(tmp_path)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))  # read at load time, after keras was imported
    for name in ALL:
        d = load_dataset({"source": f"keras:{name}"}, seed=0)
        train, val, classes = EXPECTED[name]
        assert (d.x_train.shape, d.x_val.shape, d.num_classes) == (train, val, classes), name
    assert (tmp_path / "datasets" / "mnist.npz").exists()  # never replaced by a download attempt
    d = load_dataset({"source": "keras:imdb", "num_words": 100, "maxlen": 20}, seed=0)
    assert d.x_train.shape == (64, 20) and d.x_train.max() < 100 and d.x_train.dtype == np.int32
    d = load_dataset({"source": "keras:fashion_mnist"}, seed=0)
    assert d.class_names[0] == "T-shirt/top"


@pytest.fixture
def offline(monkeypatch):
    """Any download attempt fails at once, as on a machine without network."""
    import sys

    import keras

    file_utils = sys.modules[keras.utils.get_file.__module__]  # where get_file looks up urlretrieve

    def no_network(url, *args, **kwargs):
        raise urllib.error.URLError("offline (test)")

    monkeypatch.setattr(file_utils, "urlretrieve", no_network)


def test_offline_keras_set_names_the_file_and_the_cache_folder(tmp_path, monkeypatch, offline):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(DataError) as err:
        load_dataset({"source": "keras:mnist"}, seed=0)
    msg = str(err.value)
    assert msg.startswith("data.source: keras:mnist is not in the Keras cache and could not be downloaded")
    assert f"download https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz and save it as {tmp_path / 'datasets' / 'mnist.npz'}" in msg
    assert f"The cache folder is {tmp_path / 'datasets'}" in msg
    with pytest.raises(DataError) as err:
        load_dataset({"source": "keras:fashion_mnist"}, seed=0)
    assert str(err.value).count("and save it as") == 4  # all four files the loader needs
    assert str(err.value).count(f"save it as {tmp_path / 'datasets' / 'fashion-mnist'}/") == 4


def test_keras_bad_name_and_option(tmp_path, monkeypatch):
    with pytest.raises(DataError, match=r"^data.source: unknown keras data set 'mnsit'\. Did you mean 'mnist'\?"):
        load_dataset({"source": "keras:mnsit"}, seed=0)
    with pytest.raises(DataError, match=r"^data.num_words: unknown option 'num_words' for source 'keras:mnist'"):
        load_dataset({"source": "keras:mnist", "num_words": 10}, seed=0)


@pytest.mark.parametrize("preset", ["spiral_mlp", "digits_mlp", "regression", "two_branch", "mnist_mlp", "mnist_cnn", "cifar10_cnn"])
def test_bundled_presets_data(preset, tmp_path, monkeypatch):
    from tuitrain.preset import find_preset, load_preset

    write_fake_keras_cache(tmp_path, names=("mnist", "cifar10"), n=32)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    p = load_preset(find_preset(preset))
    d = load_dataset(p.data, seed=p.seed, base_dir=p.base_dir)
    shapes = {
        "spiral_mlp": (2,), "digits_mlp": (64,), "regression": (8,), "two_branch": (2,),
        "mnist_mlp": (784,), "mnist_cnn": (28, 28, 1), "cifar10_cnn": (32, 32, 3),
    }
    assert d.input_shape == shapes[preset]
    assert d.x_train.dtype == np.float32 and d.x_val is not None
    if preset == "mnist_mlp":
        assert d.y_train.shape == (32, 10) and d.x_train.max() <= 1.0
