"""Hostile data files (#22): every reader bounded before it allocates, and total (a message, never a traceback or a hang)."""

from __future__ import annotations

import os
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from tuitrain.common import limits
from tuitrain.data import DataError, load_dataset


def load(tmp_path, source, **options):
    return load_dataset({"source": source, "validation_split": 0, **options}, seed=0, base_dir=tmp_path)


def _images(tmp_path, per_class=2):
    for label, value in (("cat", 20), ("dog", 200)):
        (tmp_path / "img" / label).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            Image.new("L", (5, 4), value + i).save(tmp_path / "img" / label / f"{i}.png")


def _png_header(width, height) -> bytes:
    """A PNG whose header claims width × height pixels, with a token of data: a decoder would allocate it all."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


def test_a_fifo_device_and_link_loop_among_the_images_are_skipped_with_a_reason(tmp_path):
    _images(tmp_path)
    os.mkfifo(tmp_path / "img" / "cat" / "stuck.png")  # opening it would wait for a writer forever
    os.symlink("/dev/zero", tmp_path / "img" / "dog" / "zero.png")
    os.symlink("loop.png", tmp_path / "img" / "dog" / "loop.png")
    d = load(tmp_path, "folder:img")
    assert d.x_train.shape == (4, 4, 5, 3) and d.class_names == ["cat", "dog"]
    assert d.notes == ["skipped cat/stuck.png: a FIFO, not an image file",
                       "skipped dog/loop.png: Too many levels of symbolic links",
                       "skipped dog/zero.png: a device, not an image file"]


def test_an_image_is_sized_from_its_header_before_it_is_decoded(tmp_path, monkeypatch):
    _images(tmp_path)
    (tmp_path / "img" / "dog" / "huge.png").write_bytes(_png_header(30000, 30000))
    with pytest.raises(DataError, match="cannot read the images") as err:
        load(tmp_path, "folder:img")
    assert "900000000 pixels" in str(err.value) or "30000×30000" in str(err.value)
    (tmp_path / "img" / "dog" / "huge.png").write_bytes(_png_header(5000, 5000))  # under Pillow's own guard
    monkeypatch.setattr(limits, "MAX_IMAGE_PIXELS", 1_000_000)
    with pytest.raises(DataError, match="huge.png is 5000×5000 pixels, over the limit of 1,000,000 for one image"):
        load(tmp_path, "folder:img")


def test_image_size_is_bounded_before_any_image_is_read(tmp_path):
    _images(tmp_path)
    with pytest.raises(DataError, match=r"data.image_size: 40,000 × 40,000 is 1,600,000,000 pixels"):
        load(tmp_path, "folder:img", image_size=[40000, 40000])


def test_npz_members_are_checked_whatever_their_name(tmp_path):
    import io
    import zipfile

    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (10**9,)})
    with zipfile.ZipFile(tmp_path / "d.npz", "w") as zf:
        zf.writestr("x", header.getvalue() + b"\0" * 64)
        zf.writestr("y", header.getvalue()[:6])  # not an array header: np.load hands it over as bytes
    with pytest.raises(DataError, match=r"d.npz:x \[1000000000\] float64 would take 7.5 GiB"):
        load(tmp_path, "file:d.npz")


def test_a_csv_is_bounded_by_size_and_by_cell(tmp_path, monkeypatch):
    (tmp_path / "t.csv").write_text("a,b,y\n1,2,0\n3," + "7" * 140_000 + ",1\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"line 3: field larger than field limit \(131072\)"):
        load(tmp_path, "file:t.csv")
    monkeypatch.setattr(limits, "MAX_CSV_BYTES", 1000)
    with pytest.raises(DataError, match="over the 1,000 bytes limit for a table"):
        load(tmp_path, "file:t.csv")


def test_encode_labels_bounds_the_number_of_classes(tmp_path, monkeypatch):
    np.savez(tmp_path / "d.npz", x=np.zeros((50, 2), np.float32), y=np.arange(50) * 1.5)
    monkeypatch.setattr(limits, "MAX_LABEL_CLASSES", 10)
    with pytest.raises(DataError, match=r"data.preprocess\[0\]: the labels hold 50 distinct values, over the limit of 10"):
        load(tmp_path, "file:d.npz", task="classification", preprocess=[{"op": "encode_labels"}])


@pytest.mark.parametrize("key", ["x", "y"])
def test_complex_numbers_are_an_error_not_their_real_part(tmp_path, key):
    arrays = {"x": np.ones((6, 2), np.float32), "y": np.arange(6) % 2}
    arrays[key] = arrays[key] + 1j
    np.savez(tmp_path / "d.npz", **arrays)
    with pytest.raises(DataError, match=f"{key} holds complex numbers"):
        load(tmp_path, "file:d.npz")


def test_tuitrain_new_on_a_folder_with_a_fifo_named_png_does_not_hang(tmp_path, monkeypatch, capsys):
    from tuitrain.__main__ import main

    _images(tmp_path, per_class=3)
    os.mkfifo(tmp_path / "img" / "dog" / "wait.png")
    monkeypatch.chdir(tmp_path)
    assert main(["new", "p.toml", "--data", "folder:img"]) == 0
    assert "6 samples of 4×5×3 images" in capsys.readouterr().out  # rgb, the FIFO left out


def test_all_images_together_are_bounded_by_the_first_ones_size(tmp_path, monkeypatch):
    _images(tmp_path, per_class=3)  # 6 images of 4 × 5: every other image is resized to the first's size
    monkeypatch.setattr(limits, "MAX_ARRAY_BYTES", 6 * 4 * 5 * 4 - 1)
    with pytest.raises(DataError, match=r"data.source: 6 images of 4 × 5 pixels would take 480 bytes, over the 479 bytes limit"):
        load(tmp_path, "folder:img")
