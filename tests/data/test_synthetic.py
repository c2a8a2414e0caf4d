"""synthetic: sources: shapes, dtypes, values a user sees, determinism per seed, option errors."""

import numpy as np
import pytest

from tuitrain.data import DataError, load_dataset

CLASSIFIERS = {"spiral": 2, "circles": 2, "moons": 2, "xor": 2, "blobs": 3}


@pytest.mark.parametrize("name,classes", CLASSIFIERS.items())
def test_classification_sources_give_float32_points_and_int_labels(name, classes):
    d = load_dataset({"source": f"synthetic:{name}", "samples": 500, "validation_split": 0.2}, seed=0)
    assert d.x_train.shape == (400, 2) and d.x_val.shape == (100, 2)
    assert d.x_train.dtype == np.float32 and d.y_train.dtype == np.int64
    assert d.task == "classification" and d.num_classes == classes
    assert set(np.unique(np.concatenate([d.y_train, d.y_val]))) == set(range(classes))
    assert np.isfinite(d.x_train).all()
    assert d.input_shape == (2,)
    assert list(d.tensors()) == ["x_train", "y_train", "x_val", "y_val"]
    assert d.source == f"synthetic:{name}"


def test_spiral_points_lie_in_the_unit_disc_and_classes_are_balanced():
    d = load_dataset({"source": "synthetic:spiral", "samples": 1000, "classes": 3, "validation_split": 0}, seed=1)
    assert d.x_val is None and d.x_train.shape == (1000, 2)
    assert np.linalg.norm(d.x_train, axis=1).max() <= 1.0 + 1e-6
    assert np.bincount(d.y_train).tolist() == [334, 333, 333]


def test_circles_inner_ring_has_radius_factor_when_noise_is_zero():
    d = load_dataset({"source": "synthetic:circles", "samples": 200, "noise": 0.0, "factor": 0.3, "validation_split": 0}, seed=0)
    radius = np.linalg.norm(d.x_train, axis=1)
    np.testing.assert_allclose(radius[d.y_train == 1], 0.3, rtol=1e-5)
    np.testing.assert_allclose(radius[d.y_train == 0], 1.0, rtol=1e-5)


def test_xor_labels_follow_the_sign_rule_without_noise():
    d = load_dataset({"source": "synthetic:xor", "samples": 300, "noise": 0.0, "validation_split": 0}, seed=0)
    assert np.array_equal(d.y_train, (d.x_train[:, 0] * d.x_train[:, 1] < 0).astype(np.int64))


def test_blobs_features_and_classes():
    d = load_dataset({"source": "synthetic:blobs", "samples": 600, "classes": 4, "features": 5, "validation_split": 0.5}, seed=0)
    assert d.x_train.shape == (300, 5) and d.num_classes == 4


def test_regression_source_gives_float_targets():
    d = load_dataset({"source": "synthetic:regression", "samples": 400, "features": 8, "noise": 0.1}, seed=0)
    assert d.task == "regression" and d.num_classes is None
    assert d.x_train.shape == (320, 8) and d.y_train.shape == (320,) and d.y_train.dtype == np.float32
    assert d.y_train.std() > 1.0  # the signal dominates the noise


def test_same_seed_same_arrays_other_seed_other_arrays():
    spec = {"source": "synthetic:moons", "samples": 200}
    a, b, c = (load_dataset(spec, seed=s) for s in (7, 7, 8))
    assert np.array_equal(a.x_train, b.x_train) and np.array_equal(a.y_val, b.y_val)
    assert not np.array_equal(a.x_train, c.x_train)


def test_unknown_option_names_the_key_and_lists_the_valid_ones():
    with pytest.raises(DataError) as err:
        load_dataset({"source": "synthetic:spiral", "sampels": 10}, seed=0)
    msg = str(err.value)
    assert msg.startswith("data.sampels:")
    assert "Did you mean 'samples'" in msg
    for option in ("samples", "noise", "classes", "validation_split", "preprocess"):
        assert option in msg


def test_option_of_the_wrong_type_or_range():
    with pytest.raises(DataError, match=r"^data.samples: expected an integer"):
        load_dataset({"source": "synthetic:spiral", "samples": "many"}, seed=0)
    with pytest.raises(DataError, match=r"^data.samples: samples must be at least 1"):
        load_dataset({"source": "synthetic:spiral", "samples": 0}, seed=0)
    with pytest.raises(DataError, match=r"^data.noise: noise must be >= 0"):
        load_dataset({"source": "synthetic:spiral", "noise": -1}, seed=0)


def test_unknown_source_kind_and_name():
    with pytest.raises(DataError, match=r"^data.source: unknown source kind 'synthetc'.*Did you mean 'synthetic'"):
        load_dataset({"source": "synthetc:spiral"}, seed=0)
    with pytest.raises(DataError, match=r"^data.source: unknown synthetic data set 'spirals'.*Did you mean 'spiral'.*Known: spiral, circles"):
        load_dataset({"source": "synthetic:spirals"}, seed=0)
    with pytest.raises(DataError, match=r'^data.source: expected "<kind>:<name>"'):
        load_dataset({"source": "spiral"}, seed=0)


def test_options_are_introspectable_for_forms():
    from tuitrain.data import options_for, source_names

    assert options_for("synthetic:blobs") == {"samples": 1000, "noise": 1.0, "classes": 3, "features": 2}
    assert options_for("synthetic:regression") == {"samples": 1000, "features": 8, "noise": 0.1}
    assert source_names("synthetic") == ["spiral", "circles", "moons", "xor", "blobs", "regression", "housing", "reviews", "tickets", "topics", "shapes"]
    assert "digits" in source_names("sklearn") and "files" not in source_names("sklearn")


def test_shapes_are_small_rgb_images_whose_class_is_visible():
    import numpy as np

    from tuitrain.data.synthetic import shapes

    x, y = shapes(np.random.default_rng(0), samples=60, size=16, classes=3)
    assert x.shape == (60, 16, 16, 3) and x.dtype == np.uint8 and set(y.tolist()) == {0, 1, 2}
    again, _ = shapes(np.random.default_rng(0), samples=60, size=16, classes=3)
    assert np.array_equal(x, again)  # seeded
    bright = (x.max(axis=-1) > 150).mean(axis=(1, 2))
    assert bright[y == 2].mean() > bright[y == 1].mean()  # stripes cover half the image, a disc less


def test_shapes_size_is_bounded_before_allocating():
    import pytest

    from tuitrain.common.errors import DataError
    from tuitrain.data import load_dataset

    with pytest.raises(DataError, match="data.samples: .*images of 4096×4096"):
        load_dataset({"source": "synthetic:shapes", "samples": 100000, "size": 4096}, seed=0, base_dir=".")
