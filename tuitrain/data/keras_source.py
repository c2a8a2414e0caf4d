"""`keras:<name>` → `keras.datasets.<name>.load_data()`, the real loaders, with offline-friendly caching.

Two things differ from calling Keras directly, both inside `keras_files()`:

* The cache folder is read when the data is loaded: `$KERAS_HOME/datasets` if KERAS_HOME is set
  *now*, else `~/.keras/datasets` (Keras itself reads KERAS_HOME once, when it is imported).
* A file already in the cache is used as it is. Keras would check it against the official
  checksum and, on a mismatch, download it again and delete it when that download fails, so
  an offline machine (or a test with a small fake file) would lose the file. Delete a file to
  force a fresh download.

When a file is missing and cannot be downloaded, the DataError says which URL to fetch and the
exact path to save it under.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import threading
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np

from tuitrain.data.dataset import RawData, SourceCode
from tuitrain.data.source_options import call_args, signature_options, unknown_name
from tuitrain.common.errors import DataError

REGRESSION_SETS = ("boston_housing", "california_housing")
# Word-index sets come as ragged lists; tuitrain pads/truncates them to `maxlen` (its own option).
SEQUENCE_SETS = ("imdb", "reuters")
SEQUENCE_MAXLEN = 200
CLASS_NAMES = {
    "mnist": [str(i) for i in range(10)],
    "fashion_mnist": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
    "cifar10": ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"],
    "imdb": ["negative", "positive"],
}
DOWNLOAD_TIMEOUT_S = 30
_lock = threading.Lock()


def pad_sequences(sequences, maxlen):
    """Ragged int sequences → int32 (N, maxlen): zeros in front, the last `maxlen` tokens kept (Keras' defaults)."""
    out = np.zeros((len(sequences), maxlen), dtype=np.int32)
    for i, seq in enumerate(sequences):
        tail = list(seq)[-maxlen:]
        if tail:
            out[i, maxlen - len(tail):] = tail
    return out


def keras_home() -> Path:
    """Keras' cache root as Keras computes it, but with KERAS_HOME read now rather than at import."""
    if "KERAS_HOME" in os.environ:
        return Path(os.environ["KERAS_HOME"]).expanduser()
    home = os.path.expanduser("~")
    return Path(home if os.access(home, os.W_OK) else "/tmp") / ".keras"


def download_target(cache_dir: Path, fname: str | None, origin: str, cache_subdir: str = "datasets", extract: bool = False, untar: bool = False, **_: Any) -> Path:
    """The file `keras.utils.get_file` reads or downloads to (same rules as Keras 3)."""
    base = cache_dir if os.access(cache_dir, os.W_OK) else Path("/tmp/.keras")
    datadir = base / cache_subdir
    name = str(fname) if fname else os.path.basename(origin.split("?")[0])
    if (extract or untar) and fname and "." not in name:
        return datadir / f"{name}_archive"
    return datadir / name


@contextlib.contextmanager
def keras_files(dataset_module):
    """Route the data set module's `get_file` through the rules in the module docstring.

    Yields the list of (path, url, reason) for files that were missing and could not be downloaded; the
    loader then fails on opening them, and `load` turns that into one message naming them all.
    """
    real_get_file = getattr(dataset_module, "get_file", None)
    missing: list[tuple[Path, str, str]] = []
    if real_get_file is None:  # a Keras version that loads differently: leave it alone
        yield missing
        return

    def get_file(fname=None, origin=None, *args: Any, **kwargs: Any):
        cache_dir = Path(kwargs.pop("cache_dir", None) or keras_home())
        with contextlib.suppress(OSError):
            cache_dir.mkdir(parents=True, exist_ok=True)
        target = download_target(cache_dir, fname, origin, **kwargs)
        if target.exists():
            kwargs.pop("file_hash", None)
            kwargs.pop("md5_hash", None)
            return real_get_file(fname, origin, *args, cache_dir=str(cache_dir), **kwargs)
        previous = socket.getdefaulttimeout()
        socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)
        try:
            return real_get_file(fname, origin, *args, cache_dir=str(cache_dir), **kwargs)
        except Exception as err:  # offline, DNS, HTTP error, checksum
            missing.append((target, origin, f"{type(err).__name__}: {err}"))
            return str(target)
        finally:
            socket.setdefaulttimeout(previous)

    with _lock, mock.patch.object(dataset_module, "get_file", get_file):
        yield missing


def missing_message(source: str, missing: list[tuple[Path, str, str]]) -> str:
    files = "; ".join(f"download {url} and save it as {path}" for path, url, _ in missing)
    folder = keras_home() / "datasets"
    return (
        f"{source} is not in the Keras cache and could not be downloaded ({missing[0][2]})."
        f" To use it on this machine, {files}. The cache folder is {folder}"
        " ($KERAS_HOME/datasets when KERAS_HOME is set, else ~/.keras/datasets)."
    )


class KerasSource:
    """`keras:<name>`: the data sets in `keras.datasets` (mnist, fashion_mnist, cifar10, cifar100, imdb, ...)."""

    kind = "keras"

    def _datasets(self):
        import keras

        return keras.datasets

    def names(self) -> list[str]:
        datasets = self._datasets()
        return sorted(n for n in dir(datasets) if not n.startswith("_") and hasattr(getattr(datasets, n), "load_data"))

    def _loader(self, name: str):
        if name not in self.names():
            raise unknown_name(self.kind, name, self.names())
        return getattr(self._datasets(), name).load_data

    def options(self, name: str) -> dict[str, Any]:
        skip = ("path", "maxlen") if name in SEQUENCE_SETS else ("path",)
        options = signature_options(self._loader(name), skip=skip)
        if name in SEQUENCE_SETS:
            options["maxlen"] = SEQUENCE_MAXLEN
        return options

    def load(self, name, options, *, seed, base_dir) -> RawData:
        load_data = self._loader(name)
        call = {k: v for k, v in options.items() if k != "maxlen"}
        module = sys.modules.get(load_data.__module__)
        with keras_files(module) as missing:
            try:
                (x, y), (x_test, y_test) = load_data(**call)
            except Exception as err:
                if missing:
                    raise DataError(missing_message(f"keras:{name}", missing), path="data.source") from None
                raise DataError(f"keras:{name} could not be loaded: {type(err).__name__}: {err}", path="data.source") from None
        if name in SEQUENCE_SETS:
            maxlen = options.get("maxlen", SEQUENCE_MAXLEN)
            x, x_test = pad_sequences(x, maxlen), pad_sequences(x_test, maxlen)
        task = "regression" if name in REGRESSION_SETS else "classification"
        names = CLASS_NAMES.get(name)
        # Keras' CIFAR loaders hand back a channels-last transpose of the file's layout: copy it into
        # memory order once here, or every later step (rescale, split, shuffle, stats) walks it strided.
        return RawData(np.ascontiguousarray(x), np.asarray(y), np.ascontiguousarray(x_test), np.asarray(y_test),
                       task=task, class_names=names)

    def code(self, name, options, *, seed, base_dir) -> SourceCode:
        self._loader(name)
        call = {k: v for k, v in options.items() if k != "maxlen"}
        lines = [f"(x, y), (x_test, y_test) = keras.datasets.{name}.load_data({call_args(call)})"]
        functions = []
        if name in SEQUENCE_SETS:
            maxlen = options.get("maxlen", SEQUENCE_MAXLEN)
            functions.append(pad_sequences)
            lines.append(f"x, x_test = pad_sequences(x, {maxlen!r}), pad_sequences(x_test, {maxlen!r})")
        return SourceCode(imports=["import keras"], functions=functions, lines=lines, has_test=True)
