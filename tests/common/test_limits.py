"""Bounds checked before the work: nesting, file sizes and array sizes, with messages naming key and limit."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from tuitrain.common import limits
from tuitrain.data import load_dataset
from tuitrain.common.errors import DataError, SpecError


def peak_bytes(fn) -> int:
    """Peak bytes Python/numpy allocated while ``fn`` ran (its error is swallowed)."""
    tracemalloc.start()
    try:
        fn()
    except (DataError, SpecError):
        pass
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


def test_toml_nesting_is_refused_before_parsing_with_its_line():
    text = 'name = "x"\n# [[[[ in a comment\ns = "[[[[[[["\nv = ' + "[" * 500 + "]" * 500 + "\n"
    with pytest.raises(SpecError) as err:
        limits.check_toml_nesting(text, file="p.toml")
    assert str(err.value) == "p.toml:4: arrays and inline tables nested more than 32 deep"
    limits.check_toml_nesting('a = [[1, 2], {b = "]]]]]]"}]\nm = """\n[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n"""\n', file="ok")


def test_parsed_depth_from_dotted_keys_names_the_key():
    value = current = {}
    for _ in range(40):
        current["k"] = {}
        current = current["k"]
    with pytest.raises(SpecError, match=r"^p.toml: data(\.k){32}: nested more than 32 deep$"):
        limits.check_depth({"data": value}, file="p.toml")


def test_preset_reads_are_bounded_and_name_the_problem(tmp_path):
    big = tmp_path / "big.toml"
    with open(big, "wb") as fh:
        fh.truncate(limits.MAX_PRESET_BYTES + 1)
    with pytest.raises(SpecError, match=r"big.toml: the preset is 1,048,577 bytes, over the 1,048,576-byte limit"):
        limits.read_preset_text(big)
    (tmp_path / "zero.toml").symlink_to("/dev/zero")
    with pytest.raises(SpecError, match="zero.toml: the preset is not a regular file"):
        limits.read_preset_text(tmp_path / "zero.toml")
    (tmp_path / "bad.toml").write_bytes(b'a = 1\nb = "\xff"\n')
    with pytest.raises(SpecError, match=r"bad.toml:2: not valid UTF-8 \(byte 0xff\)"):
        limits.read_preset_text(tmp_path / "bad.toml")


def test_a_compressed_npz_bomb_is_refused_from_its_header(tmp_path, monkeypatch):
    np.savez_compressed(tmp_path / "bomb.npz", x=np.zeros((4000, 1000)), y=np.zeros(4000))  # 32 MB in ~40 KB
    assert (tmp_path / "bomb.npz").stat().st_size < 100_000
    monkeypatch.setattr(limits, "MAX_ARRAY_BYTES", 8 * 1024 * 1024)
    peak = peak_bytes(lambda: load_dataset({"source": "file:bomb.npz"}, seed=0, base_dir=tmp_path))
    assert peak < 4 * 1024 * 1024  # the 32 MB array was never allocated
    with pytest.raises(DataError, match=r"data.source: bomb.npz:x \[4000, 1000\] float64 would take 30.5 MiB, over the 8.0 MiB limit"):
        load_dataset({"source": "file:bomb.npz"}, seed=0, base_dir=tmp_path)


def test_synthetic_sizes_are_checked_before_allocating():
    with pytest.raises(DataError, match=r"data.samples: 10,000,000,000 samples is over the limit of 50,000,000"):
        load_dataset({"source": "synthetic:spiral", "samples": 10_000_000_000}, seed=0)
    with pytest.raises(DataError, match=r"data.samples: 40,000,000 samples of 100 features would take 29.8 GiB"):
        load_dataset({"source": "synthetic:regression", "samples": 40_000_000, "features": 100}, seed=0)


def test_one_hot_size_is_checked_before_allocating(monkeypatch):
    monkeypatch.setattr(limits, "MAX_ARRAY_BYTES", 256 * 1024 * 1024)
    spec = {"source": "synthetic:spiral", "samples": 200,
            "preprocess": [{"op": "one_hot", "target": "y", "num_classes": 900_000}]}
    assert peak_bytes(lambda: load_dataset(spec, seed=0)) < 16 * 1024 * 1024  # 687 MiB refused first
    with pytest.raises(DataError, match=r"data.preprocess\[0\].num_classes: one-hot labels for 200 samples × 900,000 classes"
                                        r" would take 686.6 MiB, over the 256.0 MiB limit") as err:
        load_dataset(spec, seed=0)
    assert "TUITRAIN_MAX_ARRAY_BYTES" in str(err.value)


def test_one_hot_refuses_labels_outside_its_classes():
    with pytest.raises(DataError, match=r"labels must be class indices in 0\.\.0, found 0\.\.1"):
        load_dataset({"source": "synthetic:spiral", "samples": 50,
                      "preprocess": [{"op": "one_hot", "target": "y", "num_classes": 1}]}, seed=0)
    ds = load_dataset({"source": "synthetic:spiral", "samples": 50, "classes": 3,
                       "preprocess": [{"op": "one_hot", "target": "y"}]}, seed=0)
    assert ds.y_train.shape[1] == 3 and np.all(ds.y_train.sum(axis=1) == 1)


def test_a_preset_600_deep_and_a_deep_set_value_are_errors_not_recursion(tmp_path):
    from tests.tiny_preset import TINY
    from tuitrain.preset import load_preset, parse_preset

    deep = tmp_path / "deep.toml"
    deep.write_text(TINY.replace("units = 8", "units = " + "[{a = " * 300 + "1" + "}]" * 300))
    with pytest.raises(SpecError, match=r"deep.toml:10: arrays and inline tables nested more than 32 deep"):
        load_preset(deep)
    with pytest.raises(SpecError, match=r"^tiny.toml: --set layers.0.units: arrays and inline tables nested more than 32 deep"):
        parse_preset(TINY, file="tiny.toml", overrides=["layers.0.units=" + "[" * 5000 + "]" * 5000])
