"""Data sources by kind (`synthetic:`, `sklearn:`, `keras:`, `file:`, `folder:`).

A source knows its names, the options each name takes (read from the signature of the function
that does the work, so there is one declaration), how to load, and how `tuitrain export`
reproduces the load with plain numpy/sklearn/keras code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import numpy as np

from tuitrain.common import limits
from tuitrain.data import synthetic
from tuitrain.data.dataset import RawData, SourceCode
from tuitrain.data.source_options import call_args, signature_options, unknown_name
from tuitrain.common.errors import DataError
from tuitrain.common.suggest import did_you_mean


class Source(Protocol):
    kind: str

    def names(self) -> list[str]: ...

    def options(self, name: str) -> dict[str, Any]: ...

    def load(self, name: str, options: dict[str, Any], *, seed: int, base_dir: Path) -> RawData: ...

    def code(self, name: str, options: dict[str, Any], *, seed: int, base_dir: Path) -> SourceCode: ...


class SyntheticSource:
    """`synthetic:<name>`: numpy generators, seeded with the preset's seed."""

    kind = "synthetic"

    def names(self) -> list[str]:
        return list(synthetic.GENERATORS)

    def _generator(self, name: str):
        if name not in synthetic.GENERATORS:
            raise unknown_name(self.kind, name, self.names())
        return synthetic.GENERATORS[name]

    def options(self, name: str) -> dict[str, Any]:
        return signature_options(self._generator(name)[0], skip=("rng",))

    def load(self, name, options, *, seed, base_dir) -> RawData:
        fn, task = self._generator(name)
        _check_positive(options, ("samples", "classes", "features"))
        limits.check_synthetic(options)  # sizes known before the generator allocates
        if options.get("noise", 0) < 0:
            raise DataError(f"noise must be >= 0, got {options['noise']!r}.", path="data.noise")
        x, y = fn(np.random.default_rng(seed), **options)
        return RawData(x, y, task=task, x_names=getattr(fn, "x_names", None), y_names=getattr(fn, "y_names", None))

    def code(self, name, options, *, seed, base_dir) -> SourceCode:
        fn, _ = self._generator(name)
        args = call_args(options)
        return SourceCode(
            functions=[fn],
            lines=[f"x, y = {fn.__name__}(np.random.default_rng(SEED){', ' + args if args else ''})", "x_test = y_test = None"],
            x_names=getattr(fn, "x_names", None),
            y_names=getattr(fn, "y_names", None),
        )


def _check_positive(options: dict[str, Any], keys: tuple[str, ...]) -> None:
    for key in keys:
        if key in options and options[key] < 1:
            raise DataError(f"{key} must be at least 1, got {options[key]!r}.", path=f"data.{key}")


def sklearn_arrays(bunch):
    """x as float32; y as int64 class indices when the set names its classes, else float32 targets."""
    x = np.asarray(bunch.data, dtype=np.float32)
    y = np.asarray(bunch.target)
    if "target_names" in bunch and y.ndim == 1:
        return x, y.astype(np.int64)
    return x, y.astype(np.float32)


class SklearnSource:
    """`sklearn:<name>` → `sklearn.datasets.load_<name>()` (the small sets bundled with scikit-learn)."""

    kind = "sklearn"
    _not_options = ("return_X_y", "as_frame", "data_home", "download_if_missing")

    def _datasets(self):
        try:
            from sklearn import datasets
        except ImportError:
            raise DataError(
                "sklearn: sources need scikit-learn, which is not installed: pip install scikit-learn"
                " (or pip install 'tuitrain[sklearn]').",
                path="data.source",
            ) from None
        return datasets

    def names(self) -> list[str]:
        import inspect

        datasets = self._datasets()
        out = []
        for attr in sorted(dir(datasets)):
            # Data set loaders are the load_* functions that can return (X, y); load_files etc. are not.
            if attr.startswith("load_") and "return_X_y" in inspect.signature(getattr(datasets, attr)).parameters:
                out.append(attr[len("load_"):])
        return out

    def _loader(self, name: str):
        name = name.removeprefix("load_")
        if name not in self.names():
            raise unknown_name(self.kind, name, self.names())
        return getattr(self._datasets(), f"load_{name}")

    def options(self, name: str) -> dict[str, Any]:
        return signature_options(self._loader(name), skip=self._not_options)

    def load(self, name, options, *, seed, base_dir) -> RawData:
        bunch = self._loader(name)(**options)
        x, y = sklearn_arrays(bunch)
        classification = y.dtype.kind == "i"
        names = [str(n) for n in bunch["target_names"]] if classification else None
        return RawData(x, y, task="classification" if classification else "regression", class_names=names)

    def code(self, name, options, *, seed, base_dir) -> SourceCode:
        loader = self._loader(name)
        return SourceCode(
            imports=["from sklearn import datasets"],
            functions=[sklearn_arrays],
            lines=[f"x, y = sklearn_arrays(datasets.{loader.__name__}({call_args(options)}))", "x_test = y_test = None"],
        )


def get_source(kind: str) -> Source:
    """The source for a `kind:` prefix (file/folder/keras modules are imported only when used)."""
    if kind == "synthetic":
        return SyntheticSource()
    if kind == "sklearn":
        return SklearnSource()
    if kind == "keras":
        from tuitrain.data.keras_source import KerasSource

        return KerasSource()
    if kind == "file":
        from tuitrain.data.files import FileSource

        return FileSource()
    if kind == "folder":
        from tuitrain.data.folder import FolderSource

        return FolderSource()
    raise DataError(
        f"unknown source kind {kind!r}.{did_you_mean(kind, SOURCE_KINDS)} Use one of "
        + ", ".join(f"{k}:" for k in SOURCE_KINDS)
        + " (e.g. source = \"synthetic:spiral\").",
        path="data.source",
    )


SOURCE_KINDS = ("synthetic", "sklearn", "keras", "file", "folder")


def parse_source(source: Any) -> tuple[str, str]:
    """`"kind:name"` → (kind, name), with a message that shows the expected spelling."""
    if not isinstance(source, str) or ":" not in source:
        raise DataError(
            f"expected \"<kind>:<name>\" such as \"synthetic:spiral\", \"sklearn:digits\", \"keras:mnist\","
            f" \"file:data.npz\" or \"folder:images/\", got {source!r}.",
            path="data.source",
        )
    kind, name = source.split(":", 1)
    if not name:
        raise DataError(f"{source!r} names no data set after the colon.", path="data.source")
    return kind.strip(), name.strip()
