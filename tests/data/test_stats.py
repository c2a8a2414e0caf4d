"""describe() numbers against numpy, NaN/Inf handling, chunked accumulation, class_counts."""

import numpy as np
import pytest

from tuitrain.data import ROW_HEADERS, class_counts, describe
from tuitrain.data import stats


def test_describe_matches_numpy():
    a = np.random.default_rng(0).normal(3.0, 2.0, (500, 7)).astype(np.float32)
    s = describe("x_train", a)
    assert (s.name, s.dtype, s.shape, s.size) == ("x_train", "float32", (500, 7), 3500)
    a64 = a.astype(np.float64)
    assert s.min == pytest.approx(a64.min()) and s.max == pytest.approx(a64.max())
    assert s.mean == pytest.approx(a64.mean(), rel=1e-12)
    assert s.std == pytest.approx(a64.std(), rel=1e-12)
    assert (s.nan_count, s.inf_count) == (0, 0)


def test_describe_counts_nan_and_inf_and_ignores_them_in_the_numbers():
    a = np.array([1.0, np.nan, 3.0, np.inf, -np.inf, np.nan, 5.0])
    s = describe("y", a)
    assert (s.nan_count, s.inf_count) == (2, 2)
    assert (s.min, s.max, s.mean) == (1.0, 5.0, 3.0)
    assert s.std == pytest.approx(np.std([1.0, 3.0, 5.0]))
    empty = describe("e", np.full(3, np.nan))
    assert (empty.min, empty.mean, empty.std, empty.nan_count) == (None, None, None, 3)
    assert empty.as_row()[3] == "-"


def test_chunked_accumulation_equals_one_pass(monkeypatch):
    a = (np.random.default_rng(1).integers(0, 256, (64, 28, 28), dtype=np.uint8))
    whole = describe("x", a)
    monkeypatch.setattr(stats, "CHUNK", 1000)  # 51 chunks, the last one partial
    chunked = describe("x", a)
    assert chunked.mean == pytest.approx(whole.mean, rel=1e-12) and chunked.std == pytest.approx(whole.std, rel=1e-12)
    assert (chunked.min, chunked.max) == (whole.min, whole.max)
    assert chunked.std == pytest.approx(a.astype(np.float64).std(), rel=1e-12)


def test_a_channels_last_transpose_is_read_in_place_not_copied(monkeypatch):
    import tracemalloc

    monkeypatch.setattr(stats, "CHUNK", 1 << 14)  # scratch well under the array's size
    # What keras.datasets.cifar10 returns (a transposed view of channels-first batches), rescaled: 12 MB.
    a = np.random.default_rng(2).integers(0, 256, (1000, 3, 32, 32), dtype=np.uint8).astype(np.float32)
    a = a.transpose(0, 2, 3, 1)
    assert not a.flags.c_contiguous
    tracemalloc.start()
    try:
        s = describe("x_train", a)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < a.nbytes / 4  # chunk scratch only, no full-size copy
    assert s.shape == (1000, 32, 32, 3) and (s.min, s.max) == (float(a.min()), float(a.max()))
    assert s.mean == pytest.approx(a.mean(dtype=np.float64), rel=1e-12)
    assert s.std == pytest.approx(a.std(dtype=np.float64), rel=1e-12)


def test_as_row_cells_follow_the_headers():
    row = describe("y_train", np.array([0, 1, 1, 2], dtype=np.int64)).as_row()
    assert len(row) == len(ROW_HEADERS)
    assert row == ("y_train", "int64", "(4,)", "0", "2", "1", "0.7071", "0", "0")
    assert describe("x", np.zeros((2, 3))).as_row()[2] == "(2, 3)"


def test_class_counts_sparse_column_and_one_hot():
    assert class_counts(np.array([0, 2, 2, 1, 2])) == {0: 1, 1: 1, 2: 3}
    assert class_counts(np.array([[1], [1], [3]])) == {0: 0, 1: 2, 2: 0, 3: 1}
    assert class_counts(np.eye(4, dtype=np.float32)[[0, 3, 3]]) == {0: 1, 1: 0, 2: 0, 3: 2}
