"""Validation split sizes, seeded shuffle, and the choice between a split and the source's own test set."""

import numpy as np
import pytest

from tests.fake_keras_data import write_fake_keras_cache
from tuitrain.data import DataError, load_dataset


@pytest.mark.parametrize("fraction,n_val", [(0.2, 200), (0.25, 250), (0.0, 0), (0.001, 1)])
def test_split_sizes(fraction, n_val):
    d = load_dataset({"source": "synthetic:xor", "samples": 1000, "validation_split": fraction}, seed=0)
    assert len(d.x_train) == 1000 - n_val and len(d.y_train) == 1000 - n_val
    assert (d.x_val is None) == (n_val == 0)
    if n_val:
        assert len(d.x_val) == n_val


def test_default_split_is_a_fifth_and_shuffles_every_sample_once():
    raw = load_dataset({"source": "synthetic:spiral", "samples": 100, "validation_split": 0}, seed=0)
    d = load_dataset({"source": "synthetic:spiral", "samples": 100}, seed=0)
    assert len(d.x_val) == 20
    both = np.concatenate([d.x_train, d.x_val])
    assert sorted(map(tuple, both.tolist())) == sorted(map(tuple, raw.x_train.tolist()))
    assert not np.array_equal(d.x_train, raw.x_train[:80])  # shuffled, so classes are mixed in both parts
    assert set(d.y_val.tolist()) == {0, 1}


def test_bad_validation_split():
    with pytest.raises(DataError, match=r"^data.validation_split: expected a fraction in \[0, 1\)"):
        load_dataset({"source": "synthetic:xor", "validation_split": 1.5}, seed=0)
    with pytest.raises(DataError, match=r"^data.validation_split: a split of 0.1 leaves 5 training and 0 validation"):
        load_dataset({"source": "synthetic:xor", "samples": 5, "validation_split": 0.1}, seed=0)


def test_keras_test_set_is_the_validation_data_unless_the_preset_splits(tmp_path, monkeypatch):
    write_fake_keras_cache(tmp_path, names=("mnist",), n=40)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    d = load_dataset({"source": "keras:mnist"}, seed=0)
    assert d.x_train.shape == (40, 28, 28) and d.x_val.shape == (10, 28, 28)
    d = load_dataset({"source": "keras:mnist", "validation_split": 0.25}, seed=0)
    assert d.x_train.shape == (30, 28, 28) and d.x_val.shape == (10, 28, 28)
    d = load_dataset({"source": "keras:mnist", "validation_split": 0}, seed=0)
    assert d.x_train.shape == (40, 28, 28) and d.x_val is None
