"""Small fake files in the exact on-disk formats `keras.datasets.<name>.load_data()` reads.

Usage (in-process)::

    write_fake_keras_cache(tmp_path)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    load_dataset({"source": "keras:mnist"}, seed=0)        # or tuitrain.model.prepare(...)

For a subprocess (`tuitrain check`), pass ``env={**os.environ, "KERAS_HOME": str(root)}``.

Why it works, and what does not:

* tuitrain reads KERAS_HOME when the data is loaded (see tuitrain/data/keras_source.py), so
  setting the variable after Keras was imported is fine for tuitrain. Keras itself reads it
  once, at import (``keras.src.backend.config._KERAS_DIR``).
* Keras checks each cached file against the official SHA-256 (mnist, cifar10, cifar100, imdb,
  boston_housing) and on a mismatch re-downloads it and *deletes the file* when the download
  fails. So calling ``keras.datasets.mnist.load_data()`` directly on these fakes does NOT work
  offline; tuitrain's loader uses a file already in the cache as it is, which is what lets
  the fakes load.
* cifar10's loader hard-codes 50000 training samples in five batches of 10000: each fake
  training batch holds one image that numpy broadcasts over its 10000 rows, so x_train is
  (50000, 32, 32, 3) whatever `n` is (150 MB of uint8); the test batch has `n` images.
  fashion_mnist, mnist, cifar100, imdb and boston_housing have `n` training and `n // 4` test
  samples (cifar100: `n` each).
"""

from __future__ import annotations

import gzip
import io
import pickle
import struct
import tarfile
from pathlib import Path

import numpy as np

ALL = ("mnist", "fashion_mnist", "cifar10", "cifar100", "imdb", "boston_housing")


def write_fake_keras_cache(root, names=ALL, n=64) -> Path:
    """Write fake data sets under `root/datasets/`; returns that folder. Seeded, so always the same bytes."""
    datasets = Path(root) / "datasets"
    datasets.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for name in names:
        WRITERS[name](datasets, rng, n)
    return datasets


def _mnist(datasets: Path, rng, n: int) -> None:
    n_test = max(n // 4, 1)
    np.savez(
        datasets / "mnist.npz",
        x_train=rng.integers(0, 256, (n, 28, 28), dtype=np.uint8),
        y_train=(np.arange(n) % 10).astype(np.uint8),
        x_test=rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        y_test=(np.arange(n_test) % 10).astype(np.uint8),
    )


def _fashion_mnist(datasets: Path, rng, n: int) -> None:
    folder = datasets / "fashion-mnist"
    folder.mkdir(exist_ok=True)
    for prefix, count in (("train", n), ("t10k", max(n // 4, 1))):
        labels = (np.arange(count) % 10).astype(np.uint8)
        images = rng.integers(0, 256, (count, 28, 28), dtype=np.uint8)
        # idx format: 8-byte header before labels, 16-byte header before images (big-endian ints)
        with gzip.open(folder / f"{prefix}-labels-idx1-ubyte.gz", "wb") as f:
            f.write(struct.pack(">II", 2049, count) + labels.tobytes())
        with gzip.open(folder / f"{prefix}-images-idx3-ubyte.gz", "wb") as f:
            f.write(struct.pack(">IIII", 2051, count, 28, 28) + images.tobytes())


def _cifar_batch(rng, count: int, labels: dict[str, list[int]]) -> bytes:
    batch = {b"data": rng.integers(0, 256, (count, 3 * 32 * 32), dtype=np.uint8)}
    batch.update({key.encode(): value for key, value in labels.items()})
    return pickle.dumps(batch, protocol=4)  # keras refuses protocol 2 (its bytes need _codecs)


def _tar(archive: Path, members: dict[str, bytes]) -> None:
    with tarfile.open(archive, "w:gz") as tar:
        for member, data in members.items():
            info = tarfile.TarInfo(member)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def _cifar10(datasets: Path, rng, n: int) -> None:
    members = {
        f"cifar-10-batches-py/data_batch_{i}": _cifar_batch(rng, 1, {"labels": [i % 10]}) for i in range(1, 6)
    }
    members["cifar-10-batches-py/test_batch"] = _cifar_batch(rng, n, {"labels": [i % 10 for i in range(n)]})
    # get_file(fname="cifar-10-batches-py-target", extract=True) keeps the archive under this name
    _tar(datasets / "cifar-10-batches-py-target_archive", members)


def _cifar100(datasets: Path, rng, n: int) -> None:
    def labels(count: int) -> dict[str, list[int]]:
        return {"fine_labels": [i % 100 for i in range(count)], "coarse_labels": [i % 20 for i in range(count)]}

    _tar(
        datasets / "cifar-100-python-target_archive",
        {"cifar-100-python/train": _cifar_batch(rng, n, labels(n)), "cifar-100-python/test": _cifar_batch(rng, n, labels(n))},
    )


def _imdb(datasets: Path, rng, n: int) -> None:
    def reviews(count: int) -> np.ndarray:
        out = np.empty(count, dtype=object)  # ragged word-index lists, as in the real imdb.npz
        for i in range(count):
            out[i] = [int(w) for w in rng.integers(1, 500, int(rng.integers(5, 300)))]
        return out

    n_test = max(n // 4, 1)
    np.savez(
        datasets / "imdb.npz",
        x_train=reviews(n),
        y_train=(np.arange(n) % 2).astype(np.int64),
        x_test=reviews(n_test),
        y_test=(np.arange(n_test) % 2).astype(np.int64),
    )


def _boston_housing(datasets: Path, rng, n: int) -> None:
    np.savez(datasets / "boston_housing.npz", x=rng.normal(0, 1, (n, 13)), y=rng.uniform(5, 50, n))


WRITERS = {
    "mnist": _mnist,
    "fashion_mnist": _fashion_mnist,
    "cifar10": _cifar10,
    "cifar100": _cifar100,
    "imdb": _imdb,
    "boston_housing": _boston_housing,
}
