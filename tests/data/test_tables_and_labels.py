"""Real-world data files: CSV/TSV without a header, text columns, several arrays, odd labels, weights.

Each case here was once silently misread (a header-less CSV lost a row and its target; -1/1 labels
crashed `check` with a traceback; an autoencoder's image targets became 28 classes).
"""

import numpy as np
import pytest

from tuitrain.data import DataError, load_dataset
from tuitrain.export.data_code import data_code


def load(tmp_path, source, **options):
    return load_dataset({"source": source, "validation_split": 0, **options}, seed=0, base_dir=tmp_path)


def test_headerless_csv_whose_first_row_is_numbers_is_an_error_not_a_misread(tmp_path):
    (tmp_path / "t.csv").write_text("1.5,2,0\n3,4.5,1\n5,6,1\n")
    with pytest.raises(DataError, match=r"^data.header: the first row of t.csv \(1.5, 2, 0\) holds only numbers.*header = false"):
        load(tmp_path, "file:t.csv")
    d = load(tmp_path, "file:t.csv", header=False)
    assert d.x_train.tolist() == [[1.5, 2.0], [3.0, 4.5], [5.0, 6.0]]
    assert d.y_train.tolist() == [0, 1, 1] and d.task == "classification" and d.num_classes == 2


def test_tsv_is_read_with_tabs_and_target_by_index(tmp_path):
    (tmp_path / "t.tsv").write_text("label\ta\tb\n1\t0.5\t2\n0\t1.5\t3\n")
    d = load(tmp_path, "file:t.tsv", target=0)
    assert d.x_train.tolist() == [[0.5, 2.0], [1.5, 3.0]] and d.y_train.tolist() == [1, 0]
    d = load(tmp_path, "file:t.tsv", target=-1)
    assert d.y_train.tolist() == [2.0, 3.0] or d.y_train.tolist() == [2, 3]
    with pytest.raises(DataError, match=r"^data.target: t.tsv has 3 columns \(0..2\), so there is no column 5"):
        load(tmp_path, "file:t.tsv", target=5)


def test_delimiter_option_and_a_wrong_delimiter_is_named(tmp_path):
    (tmp_path / "t.csv").write_text("a;b;y\n1;2;0\n3;4;1\n")
    with pytest.raises(DataError, match=r"t.csv has one column \(delimiter ','\).*Set delimiter"):
        load(tmp_path, "file:t.csv")
    d = load(tmp_path, "file:t.csv", delimiter=";")
    assert d.x_train.shape == (2, 2) and d.y_train.tolist() == [0, 1]


def test_text_column_becomes_a_string_array_and_text_labels_ask_for_encode_labels(tmp_path):
    (tmp_path / "reviews.csv").write_text('text,sentiment\n"a fine film, truly",pos\nboring and long,neg\nloved it,pos\n')
    with pytest.raises(DataError, match=r'^data: y_train holds text labels \(neg, pos\).*op = "encode_labels"'):
        load(tmp_path, "file:reviews.csv")
    d = load(tmp_path, "file:reviews.csv", preprocess=[{"op": "encode_labels"}])
    assert d.x_train.dtype.kind == "U" and d.x_train.shape == (3, 1)
    assert d.x_train[0, 0] == "a fine film, truly"
    assert d.y_train.tolist() == [1, 0, 1] and d.class_names == ["neg", "pos"] and d.num_classes == 2
    assert d.input_dtypes == ["string"]


def test_minus_one_plus_one_labels_are_a_clear_error_naming_encode_labels(tmp_path):
    np.savez(tmp_path / "d.npz", x=np.zeros((6, 2), np.float32), y=np.array([-1, 1, 1, -1, 1, -1]))
    with pytest.raises(DataError, match=r'y_train holds negative labels \(-1, 1\).*preprocess = \[\{ op = "encode_labels" \}\]'):
        load(tmp_path, "file:d.npz")
    d = load(tmp_path, "file:d.npz", preprocess=[{"op": "encode_labels"}])
    assert d.y_train.tolist() == [0, 1, 1, 0, 1, 0] and d.class_names == ["-1", "1"] and d.num_classes == 2


def test_encode_labels_rejects_a_validation_label_unseen_in_training(tmp_path):
    np.savez(tmp_path / "d.npz", x=np.zeros((4, 2), np.float32), y=np.array([3, 3, 7, 9]))
    with pytest.raises(DataError, match=r"encode_labels failed.*label 9 does not occur in the training labels"):
        load_dataset({"source": "file:d.npz", "validation_split": 0.25, "preprocess": [{"op": "encode_labels"}]}, seed=3, base_dir=tmp_path)


def test_autoencoder_image_targets_are_regression_not_28_classes(tmp_path):
    images = (np.arange(10 * 28 * 28) % 256).astype(np.uint8).reshape(10, 28, 28)
    np.savez(tmp_path / "m.npz", x_train=images, x_test=images[:2])
    d = load(tmp_path, "file:m.npz", x_key="x_train", y_key="x_train")
    assert d.task == "regression" and d.num_classes is None
    assert d.y_train.shape == (10, 28, 28)


def test_several_inputs_and_outputs_from_key_lists_split_together(tmp_path):
    rng = np.random.default_rng(0)
    title, tags = rng.integers(0, 50, (20, 8)), rng.random((20, 12)).astype(np.float32)
    priority, department = rng.random((20, 1)).astype(np.float32), rng.integers(0, 4, 20)
    order = np.arange(20, dtype=np.float32)
    np.savez(tmp_path / "t.npz", title=title, tags=tags, priority=priority, department=department, order=order, w=order + 1)
    spec = {"source": "file:t.npz", "x_key": ["title", "tags", "order"], "y_key": ["priority", "department"],
            "sample_weight_key": "w", "validation_split": 0.25}
    d = load_dataset(spec, seed=0, base_dir=tmp_path)
    assert [a.shape for a in d.x_train] == [(15, 8), (15, 12), (15,)] and [a.shape for a in d.x_val] == [(5, 8), (5, 12), (5,)]
    assert d.samples == 15 and d.val_samples == 5 and d.input_shapes == [(8,), (12,), ()]
    kept = d.x_train[2].astype(int)  # the "order" input says which original rows were kept
    assert np.array_equal(d.x_train[0], title[kept]) and np.array_equal(d.y_train[1], department[kept])
    assert np.array_equal(d.sample_weight, order[kept] + 1)
    assert "x_train[tags]" in d.tensors() and "y_val[department]" in d.tensors()


def test_preprocessing_one_of_several_arrays_needs_its_key(tmp_path):
    np.savez(tmp_path / "t.npz", a=np.ones((6, 2), np.float32) * 255, b=np.ones((6, 3), np.float32), y=np.arange(6) % 2)
    spec = {"source": "file:t.npz", "x_key": ["a", "b"], "validation_split": 0, "preprocess": [{"op": "rescale", "factor": 0.5}]}
    with pytest.raises(DataError, match=r"^data.preprocess\[0\]: there are several x arrays \(a, b\).*key = 'a'"):
        load_dataset(spec, seed=0, base_dir=tmp_path)
    spec["preprocess"][0]["key"] = "a"
    d = load_dataset(spec, seed=0, base_dir=tmp_path)
    assert d.x_train[0].max() == 127.5 and d.x_train[1].max() == 1.0


def test_sample_weights_must_be_one_per_sample(tmp_path):
    np.savez(tmp_path / "t.npz", x=np.ones((6, 2)), y=np.arange(6) % 2, w=np.ones((6, 2)))
    with pytest.raises(DataError, match=r"^data.sample_weight_key: sample weights must be one number per sample"):
        load(tmp_path, "file:t.npz", sample_weight_key="w")


def test_export_reproduces_lists_weights_and_keyed_steps_with_paths_relative_to_the_preset(tmp_path):
    rng = np.random.default_rng(1)
    np.savez(tmp_path / "t.npz", a=rng.random((12, 3)), b=rng.random((12, 2)), y=rng.integers(-1, 1, 12) * 2 + 1,
             z=rng.random(12), w=rng.random(12))
    spec = {"source": "file:t.npz", "x_key": ["a", "b"], "y_key": ["y", "z"], "sample_weight_key": "w",
            "validation_split": 0.25, "preprocess": [{"op": "standardize", "key": "b"}, {"op": "encode_labels", "key": "y"}]}
    code = data_code(spec, seed=4, base_dir=tmp_path)
    assert 'DATA_DIR / "t.npz"' in code
    namespace: dict = {}
    exec(compile(code, "export", "exec"), namespace)
    got = namespace["load_data"]()
    want = load_dataset(spec, seed=4, base_dir=tmp_path)
    expected = (want.x_train, want.y_train, want.x_val, want.y_val, want.sample_weight, want.sample_weight_val)
    for a, b in zip(got, expected):
        for part_a, part_b in zip(a if isinstance(a, list) else [a], b if isinstance(b, list) else [b]):
            assert np.array_equal(part_a, part_b)
