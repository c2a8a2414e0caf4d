"""Preprocess ops: order, train-only statistics, each op's effect, and errors at data.preprocess[i]."""

import numpy as np
import pytest

from tuitrain.data import DataError, load_dataset
from tuitrain.data.preprocess import OPS


def spiral(preprocess, **extra):
    return load_dataset({"source": "synthetic:spiral", "samples": 400, "preprocess": preprocess, **extra}, seed=0)


def test_standardize_uses_training_statistics_only():
    raw = spiral([])
    d = spiral([{"op": "standardize"}])
    mean, std = raw.x_train.astype(np.float64).mean(0), raw.x_train.astype(np.float64).std(0)
    np.testing.assert_allclose(d.x_train.mean(0), 0, atol=1e-6)
    np.testing.assert_allclose(d.x_train.std(0), 1, atol=1e-5)
    np.testing.assert_allclose(d.x_val, (raw.x_val - mean) / std, rtol=1e-5, atol=1e-6)
    assert abs(d.x_val.mean(0)).max() > 1e-4  # validation data is not re-centred on itself
    assert d.x_train.dtype == np.float32


def test_ops_apply_in_the_order_given():
    a = spiral([{"op": "rescale", "factor": 2.0}, {"op": "rescale", "factor": 1.0, "offset": 1.0}])
    b = spiral([{"op": "rescale", "factor": 1.0, "offset": 1.0}, {"op": "rescale", "factor": 2.0}])
    raw = spiral([])
    np.testing.assert_allclose(a.x_train, raw.x_train * 2 + 1, rtol=1e-6)
    np.testing.assert_allclose(b.x_train, (raw.x_train + 1) * 2, rtol=1e-6)


def test_normalize_maps_training_data_to_unit_range():
    d = spiral([{"op": "normalize"}])
    assert d.x_train.min(0).tolist() == [0.0, 0.0] and d.x_train.max(0).tolist() == [1.0, 1.0]


def test_shape_ops():
    d = load_dataset(
        {"source": "sklearn:digits", "preprocess": [{"op": "reshape", "shape": [8, 8]}, {"op": "expand_dims"}]}, seed=0
    )
    assert d.input_shape == (8, 8, 1) and d.x_val.shape[1:] == (8, 8, 1)
    d = load_dataset({"source": "sklearn:digits", "preprocess": [{"op": "reshape", "shape": [8, 8]}, {"op": "expand_dims", "axis": 0}, {"op": "flatten"}]}, seed=0)
    assert d.input_shape == (64,)


def test_one_hot_targets_labels_and_sets_num_classes():
    d = spiral([{"op": "one_hot"}])
    assert d.y_train.shape == (320, 2) and d.y_train.dtype == np.float32
    assert d.num_classes == 2 and (d.y_train.sum(1) == 1).all()
    d = spiral([{"op": "one_hot", "num_classes": 5}])
    assert d.y_val.shape == (80, 5) and d.num_classes == 5


def test_cast_clip_and_target_y():
    d = spiral([{"op": "clip", "min": -0.5, "max": 0.5}, {"op": "cast", "dtype": "float16"}])
    assert d.x_train.dtype == np.float16 and d.x_train.min() >= -0.5 and d.x_train.max() <= 0.5
    d = load_dataset({"source": "synthetic:regression", "samples": 100, "preprocess": [{"op": "rescale", "factor": 0.0, "offset": 3.0, "target": "y"}]}, seed=0)
    assert (d.y_train == 3.0).all() and d.x_train.std() > 0.5


def test_unknown_op_suggests_close_names():
    with pytest.raises(DataError) as err:
        spiral([{"op": "standardize"}, {"op": "standardise"}])
    assert str(err.value).startswith("data.preprocess[1].op: unknown op 'standardise'. Did you mean 'standardize'?")
    assert ", ".join(OPS) in str(err.value)


@pytest.mark.parametrize(
    "step,path,words",
    [
        ({"op": "rescale"}, "data.preprocess[0].factor", "needs the argument 'factor'"),
        ({"op": "rescale", "factor": "big"}, "data.preprocess[0].factor", "expected a finite number, got 'big'"),
        ({"op": "rescale", "factr": 2}, "data.preprocess[0].factr", "Did you mean 'factor'"),
        ({"op": "one_hot", "target": "x"}, "data.preprocess[0].target", "one_hot applies to 'y'"),
        ({"op": "cast", "dtype": "float33"}, "data.preprocess[0].dtype", "unknown dtype"),
        ({"op": "reshape", "shape": [3, 3]}, "data.preprocess[0]", "reshape failed on an array of shape (320, 2)"),
        ({"factor": 2}, "data.preprocess[0].op", "a step needs an op"),
        ("nonsense", "data.preprocess[0].op", "unknown op 'nonsense'"),
    ],
)
def test_bad_step_arguments(step, path, words):
    with pytest.raises(DataError) as err:
        spiral([step])
    assert str(err.value).startswith(path + ":") and words in str(err.value)
