"""What data a new preset can start from on this machine, without a network.

Synthetic generators and scikit-learn's bundled sets are always there; a Keras data set is
offered only when its file is already in the Keras cache (asking Keras itself which file its
loader reads, so no table of file names to keep up to date); files and folders are picked by
path (`file:` / `folder:`).
"""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

from tuitrain.data.sources import get_source
from tuitrain.common.errors import DataError

PATH_KINDS = ("file", "folder")


@dataclass(frozen=True)
class Offer:
    """One choice in the offline list: a complete source (`sklearn:digits`) or a kind that needs a path (`file:`)."""

    source: str
    summary: str

    @property
    def kind(self) -> str:
        return self.source.split(":", 1)[0]

    @property
    def needs_path(self) -> bool:
        return self.kind in PATH_KINDS


class _Probed(Exception):
    """Raised by the probing get_file: the loader's first file is known, stop before it reads anything."""


def keras_cache_file(name: str) -> Path | None:
    """The cache file `keras.datasets.<name>.load_data()` opens first (None if Keras loads it differently).

    The loader runs with its `get_file` replaced by one that records the target and stops it, so
    nothing is read or downloaded.
    """
    from tuitrain.data.keras_source import download_target, keras_home

    load_data = get_source("keras")._loader(name)  # type: ignore[attr-defined]
    module = sys.modules.get(load_data.__module__)
    if module is None or not hasattr(module, "get_file"):
        return None
    seen: list[Path] = []

    def probe(fname=None, origin=None, *args, **kwargs):
        kwargs.pop("cache_dir", None)
        seen.append(download_target(keras_home(), fname, origin or "", **kwargs))
        raise _Probed

    with mock.patch.object(module, "get_file", probe), contextlib.suppress(_Probed):
        load_data()
    return seen[0] if seen else None


def cached_keras_sets() -> list[str]:
    """Keras data sets whose file is in the cache now (a folder counts when it holds files)."""
    out = []
    for name in get_source("keras").names():
        target = keras_cache_file(name)
        if target is not None and target.exists():
            out.append(name)
    return out


def _first_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0].rstrip(".") if (text or "").strip() else ""


def offline_sources(*, keras: bool = True) -> list[Offer]:
    """Everything a new preset can use offline, in the order the picker shows it.

    ``keras=False`` skips the Keras cache (which imports TensorFlow) for callers that must be quick.
    """
    from tuitrain.data import synthetic

    offers = [Offer(f"synthetic:{name}", _first_line(fn.__doc__)) for name, (fn, _task) in synthetic.GENERATORS.items()]
    with contextlib.suppress(DataError):  # scikit-learn not installed: nothing to offer
        source = get_source("sklearn")
        for name in source.names():
            loader = source._loader(name)  # type: ignore[attr-defined]
            offers.append(Offer(f"sklearn:{name}", _first_line(loader.__doc__)))
    if keras:
        for name in cached_keras_sets():
            loader = get_source("keras")._loader(name)  # type: ignore[attr-defined]
            offers.append(Offer(f"keras:{name}", f"{_first_line(loader.__doc__)} (in the Keras cache)"))
    offers.append(Offer("file:", "an .npz, .npy or .csv file"))
    offers.append(Offer("folder:", "a folder of images, one subfolder per class"))
    return offers
