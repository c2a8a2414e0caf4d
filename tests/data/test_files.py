"""file: and folder: sources: round-trips through files written to tmp_path, and the bad-input messages."""

import pickle

import numpy as np
import pytest

from tuitrain.data import DataError, load_dataset

X = np.arange(40, dtype=np.float32).reshape(20, 2)
Y = np.arange(20, dtype=np.int64) % 3


def load(tmp_path, source, **options):
    return load_dataset({"source": source, "validation_split": 0, **options}, seed=0, base_dir=tmp_path)


def test_npz_with_x_and_y(tmp_path):
    np.savez(tmp_path / "d.npz", x=X, y=Y)
    d = load(tmp_path, "file:d.npz")
    assert np.array_equal(d.x_train, X) and np.array_equal(d.y_train, Y)
    assert d.task == "classification" and d.num_classes == 3


def test_npz_with_chosen_keys_and_float_targets_is_regression(tmp_path):
    np.savez(tmp_path / "d.npz", features=X, price=X[:, 0] * 1.5)
    d = load(tmp_path, "file:d.npz", x_key="features", y_key="price")
    assert d.task == "regression" and d.num_classes is None and d.y_train.dtype == np.float32


def test_npz_in_keras_layout_uses_its_test_split(tmp_path):
    np.savez(tmp_path / "k.npz", x_train=X, y_train=Y, x_test=X[:5], y_test=Y[:5])
    d = load_dataset({"source": "file:k.npz"}, seed=0, base_dir=tmp_path)
    assert np.array_equal(d.x_train, X) and np.array_equal(d.x_val, X[:5]) and np.array_equal(d.y_val, Y[:5])


def test_npy_pair_and_task_option(tmp_path):
    np.save(tmp_path / "x.npy", X)
    np.save(tmp_path / "y.npy", Y)
    d = load(tmp_path, "file:x.npy", labels="y.npy", task="regression")
    assert np.array_equal(d.x_train, X) and d.y_train.dtype == np.float32 and d.task == "regression"


def test_csv_with_header_and_target_column(tmp_path):
    (tmp_path / "t.csv").write_text("a,label,b\n1,0,2.5\n3,1,4\n5,1,-6e-1\n")
    d = load(tmp_path, "file:t.csv", target="label")
    assert d.x_train.tolist() == [[1.0, 2.5], [3.0, 4.0], [5.0, -0.6000000238418579]]
    assert d.y_train.tolist() == [0, 1, 1] and d.y_train.dtype == np.int64 and d.num_classes == 2
    d = load(tmp_path, "file:t.csv")  # default target: the last column, floats → regression
    assert d.task == "regression" and d.y_train.tolist() == pytest.approx([2.5, 4.0, -0.6])


def test_csv_bad_values(tmp_path):
    (tmp_path / "t.csv").write_text("a,label\n1,0\nx,1\n4,1\n")  # mostly numbers: x is a mistake
    with pytest.raises(DataError, match=r"^data.source: cannot read .*t.csv: line 3: 'x' is not a number"):
        load(tmp_path, "file:t.csv")
    with pytest.raises(DataError, match=r"^data.target: t.csv has no column 'lable'. Did you mean 'label'\? Columns: a, label"):
        load(tmp_path, "file:t.csv", target="lable")


def test_missing_file_names_the_resolved_path(tmp_path):
    with pytest.raises(DataError) as err:
        load(tmp_path, "file:nope.npz")
    assert str(err.value) == f"data.source: file not found: {tmp_path / 'nope.npz'} (relative paths are resolved against {tmp_path})."
    np.save(tmp_path / "x.npy", X)
    with pytest.raises(DataError, match=r"^data.labels: file not found: .*y.npy"):
        load(tmp_path, "file:x.npy", labels="y.npy")


def test_missing_array_lists_the_arrays_present(tmp_path):
    np.savez(tmp_path / "d.npz", inputs=X, targets=Y)
    with pytest.raises(DataError) as err:
        load(tmp_path, "file:d.npz")
    assert str(err.value) == (
        "data.source: d.npz has no array 'x' (choose another with x_key = \"...\"). Arrays in the file: inputs, targets."
    )
    with pytest.raises(DataError, match=r"^data.y_key: d.npz has no array 'target'\. Did you mean 'targets'\?"):
        load(tmp_path, "file:d.npz", x_key="inputs", y_key="target")


def test_pickled_npy_is_refused(tmp_path):
    ragged = np.empty(2, dtype=object)
    ragged[:] = [[1, 2], [3]]
    np.save(tmp_path / "obj.npy", ragged, allow_pickle=True)
    with pytest.raises(DataError) as err:
        load(tmp_path, "file:obj.npy")
    msg = str(err.value)
    assert msg.startswith(f"data.source: {tmp_path / 'obj.npy'} holds Python objects (a pickle)")
    assert "refuses to load for safety" in msg
    np.save(tmp_path / "x.npy", X)
    with pytest.raises(DataError, match=r"^data.labels: .*obj.npy holds Python objects"):
        load(tmp_path, "file:x.npy", labels="obj.npy")


def test_plain_pickle_file_with_npy_name_is_refused_too(tmp_path):
    (tmp_path / "evil.npy").write_bytes(pickle.dumps({"x": 1}))
    with pytest.raises(DataError, match=r"^data.source: .*evil.npy holds Python objects \(a pickle\)"):
        load(tmp_path, "file:evil.npy")


def test_unsupported_extension_and_unknown_file_option(tmp_path):
    with pytest.raises(DataError, match=r"^data.source: file: sources read .npz, .npy, .csv, .tsv files, not .txt"):
        load(tmp_path, "file:d.txt")
    with pytest.raises(DataError, match=r"^data.labels: unknown option 'labels' for source 'file:d.npz'. Options for this source: x_key, y_key, sample_weight_key, task"):
        load(tmp_path, "file:d.npz", labels="y.npy")


def test_image_folder_with_class_subfolders(tmp_path):
    from PIL import Image

    for label, colour in (("cat", 40), ("dog", 200)):
        (tmp_path / "img" / label).mkdir(parents=True)
        for i in range(3):
            Image.new("RGB", (10 + i, 8), (colour, i, 0)).save(tmp_path / "img" / label / f"{i}.png")
    d = load(tmp_path, "folder:img")
    assert d.class_names == ["cat", "dog"] and d.num_classes == 2
    assert d.x_train.shape == (6, 8, 10, 3) and d.x_train.dtype == np.uint8
    assert d.y_train.tolist() == [0, 0, 0, 1, 1, 1] and d.x_train[4, 0, 0, 0] == 200
    d = load(tmp_path, "folder:img", image_size=[4, 5], color_mode="grayscale")
    assert d.input_shape == (4, 5, 1)
    with pytest.raises(DataError, match=r"^data.color_mode: expected one of rgb, grayscale, rgba, got 'grey'"):
        load(tmp_path, "folder:img", color_mode="grey")
    with pytest.raises(DataError, match=r"^data.source: folder not found"):
        load(tmp_path, "folder:nothing")
