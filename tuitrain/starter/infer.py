"""From a data source to a starting preset: read the data, say what it is, pick model and loss.

`profile()` looks at the arrays the source loads (before the validation split and the
preprocessing ops) and decides:

* the layout: a table of features (an MLP), images (a small convnet), or integer sequences
  (Embedding + pooling);
* the task and the labels: regression targets, binary classes, several classes as indices
  (sparse) or one-hot rows, or several independent 0/1 labels per sample (multi-label).

`starter_preset()` turns that into a Preset whose output layer, loss and metrics fit the labels,
which `tuitrain check` accepts and `tuitrain train` trains. It never imports TensorFlow itself
(a `keras:` source does, to load).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tuitrain.data.dataset import RawData
from tuitrain.data.loader import DEFAULT_VALIDATION_SPLIT, source_options
from tuitrain.data.preprocess import OPS
from tuitrain.data.sources import get_source
from tuitrain.common.errors import DataError
from tuitrain.preset import Preset

HIDDEN_UNITS = 64
EMBEDDING_DIM = 32
CONV_FILTERS = 16
MAX_CONV_BLOCKS = 3
MAX_FLATTEN = 4096  # a convnet's feature map larger than this is pooled, not flattened into the Dense layer
STARTER_FIT = {"epochs": 10, "batch_size": 32}


@dataclass(frozen=True)
class DataProfile:
    """What the data is, as far as choosing a first model goes."""

    source: str
    samples: int
    sample_shape: tuple[int, ...]
    dtype: str
    layout: str  # "table" | "image" | "sequence"
    task: str  # "classification" | "regression"
    labels: str  # "binary" | "sparse" | "one_hot" | "multi_label" | "values"
    outputs: int  # width of the output layer
    num_classes: int | None = None
    vocabulary: int | None = None  # sequences: largest token + 1
    rescale: float | None = None  # images stored as bytes: multiply by this
    has_test: bool = False  # the source ships its own test split (used as validation data)
    encode_labels: bool = False  # labels are not 0..K-1 (e.g. -1/1, strings)

    def describe(self) -> str:
        """One line for a person: what was found and what the starter does with it."""
        shape = "×".join(str(d) for d in self.sample_shape) or "scalar"
        what = {"table": f"{shape} features", "image": f"{shape} images", "sequence": f"sequences of {shape} tokens"}[self.layout]
        if self.task == "regression":
            target = f"regression ({self.outputs} target{'s' if self.outputs != 1 else ''})"
        elif self.labels == "multi_label":
            target = f"{self.outputs} independent 0/1 labels"
        else:
            target = f"{self.num_classes} classes ({self.labels.replace('_', '-')} labels)"
        model = {"table": "MLP", "image": "small convnet", "sequence": "Embedding + pooling"}[self.layout]
        return f"{self.samples:,} samples of {what} ({self.dtype}), {target} → {model}"


def _is_image(shape: tuple[int, ...], dtype: np.dtype) -> bool:
    if len(shape) == 3:
        return shape[-1] in (1, 3, 4) and min(shape[:2]) >= 4
    return len(shape) == 2 and dtype == np.uint8 and min(shape) >= 4


def _is_sequence(x: np.ndarray) -> bool:
    """Rank-1 samples of non-negative integer ids (bytes are pixels, not tokens)."""
    return (
        x.ndim == 2
        and x.dtype.kind in "iu"
        and x.dtype != np.uint8
        and x.shape[1] >= 2
        and x.size > 0
        and int(x.min()) >= 0
    )


def _label_kind(y: np.ndarray) -> tuple[str, int, bool]:
    """(labels, number of classes, needs encoding) for classification labels."""
    if y.ndim == 2 and y.shape[1] > 1:
        if not np.isin(y, (0, 1)).all():
            raise DataError(
                f"the labels have shape {tuple(y.shape)} but are not 0/1 rows; for regression targets set task = \"regression\".",
                path="data",
            )
        one_per_row = bool(len(y)) and bool(np.all(y.sum(axis=1) == 1))
        return ("one_hot" if one_per_row else "multi_label"), int(y.shape[1]), False
    flat = y.reshape(len(y))
    if flat.dtype.kind not in "iub" or (flat.size and int(flat.min()) < 0):
        return ("binary" if len(np.unique(flat)) <= 2 else "sparse"), int(len(np.unique(flat))), True
    count = int(flat.max()) + 1 if flat.size else 0
    return ("binary" if count <= 2 else "sparse"), max(count, 2), False


def profile(raw: RawData, source: str) -> DataProfile:
    """Look at loaded data and say what it is. DataError when there are no labels to learn."""
    if isinstance(raw.x, (list, tuple, dict)) or isinstance(raw.y, (list, tuple, dict)):
        raise DataError(
            f"{source} has several inputs or outputs; a starter preset fits one input and one output. Start from a"
            " preset with [[inputs]] and `outputs` instead (`tuitrain check tickets` shows one).",
            path="data.source",
        )
    x, y = np.asarray(raw.x), raw.y
    if y is None:
        raise DataError(
            f"{source} has no labels (y), and tuitrain trains supervised models: give the labels"
            " (an .npz array `y`, `labels = \"y.npy\"` beside an .npy, a `target` column of a .csv).",
            path="data.source",
        )
    if x.ndim < 2:
        raise DataError(f"{source}: x has shape {tuple(x.shape)}, but needs one row per sample.", path="data.source")
    shape = tuple(int(d) for d in x.shape[1:])
    if _is_image(shape, x.dtype):
        layout = "image"
    elif _is_sequence(x):
        layout = "sequence"
    else:
        layout = "table"
    vocabulary = None
    if layout == "sequence":
        vocabulary = int(max(int(x.max()), int(np.max(raw.x_test)) if raw.x_test is not None and raw.x_test.size else 0)) + 1
    rescale = None
    if layout == "image" and x.size and (x.dtype.kind in "iu" or float(x.max()) > 1.0):
        rescale = 1 / 255 if float(x.max()) <= 255 else 1 / float(x.max())
    common = dict(
        source=source,
        samples=len(x),
        sample_shape=shape,
        dtype=str(x.dtype),
        layout=layout,
        task=raw.task,
        vocabulary=vocabulary,
        rescale=rescale,
        has_test=raw.x_test is not None,
    )
    y = np.asarray(y)
    if raw.task == "regression":
        width = 1 if y.ndim == 1 else int(np.prod(y.shape[1:]))
        return DataProfile(**common, labels="values", outputs=width)
    labels, classes, encode = _label_kind(y)
    if encode and "encode_labels" not in OPS:
        raise DataError(
            f"{source}: the labels are not class indices 0..K-1 (found {np.unique(y)[:5].tolist()}…); save them as such.",
            path="data.source",
        )
    outputs = 1 if labels == "binary" else classes
    return DataProfile(**common, labels=labels, outputs=outputs, num_classes=classes, encode_labels=encode)


# ---------------------------------------------------------------------------
# The preset


def _conv_blocks(height: int, width: int) -> int:
    blocks = 1
    while blocks < MAX_CONV_BLOCKS and min(height, width) // 2 ** (blocks + 1) >= 4:
        blocks += 1
    return blocks


def starter_layers(p: DataProfile) -> list[dict[str, Any]]:
    """Hidden layers for the layout, then the output layer for the labels."""
    layers: list[dict[str, Any]] = []
    if p.layout == "image":
        height, width = p.sample_shape[:2]
        blocks = _conv_blocks(height, width)
        for i in range(blocks):
            layers.append({"type": "Conv2D", "filters": CONV_FILTERS * 2**i, "kernel_size": 3, "padding": "same", "activation": "relu"})
            layers.append({"type": "MaxPooling2D", "pool_size": 2})
        flat = (height // 2**blocks) * (width // 2**blocks) * CONV_FILTERS * 2 ** (blocks - 1)
        layers.append({"type": "Flatten"} if flat <= MAX_FLATTEN else {"type": "GlobalAveragePooling2D"})
        layers.append({"type": "Dense", "units": HIDDEN_UNITS, "activation": "relu"})
    elif p.layout == "sequence":
        layers.append({"type": "Embedding", "input_dim": p.vocabulary, "output_dim": EMBEDDING_DIM})
        layers.append({"type": "GlobalAveragePooling1D"})
        layers.append({"type": "Dense", "units": EMBEDDING_DIM, "activation": "relu"})
    else:
        if len(p.sample_shape) > 1:
            layers.append({"type": "Flatten"})
        layers.append({"type": "Dense", "units": HIDDEN_UNITS, "activation": "relu"})
        layers.append({"type": "Dense", "units": HIDDEN_UNITS, "activation": "relu"})
    output: dict[str, Any] = {"type": "Dense", "units": p.outputs}
    activation = {"binary": "sigmoid", "multi_label": "sigmoid", "sparse": "softmax", "one_hot": "softmax"}.get(p.labels)
    if activation:
        output["activation"] = activation
    layers.append(output)
    return layers


def starter_compile(p: DataProfile) -> dict[str, Any]:
    loss, metrics = {
        "values": ("mean_squared_error", ["mean_absolute_error"]),
        "binary": ("binary_crossentropy", ["accuracy"]),
        "multi_label": ("binary_crossentropy", ["binary_accuracy"]),
        "sparse": ("sparse_categorical_crossentropy", ["accuracy"]),
        "one_hot": ("categorical_crossentropy", ["accuracy"]),
    }[p.labels]
    return {"optimizer": "adam", "loss": loss, "metrics": metrics}


def starter_preprocess(p: DataProfile) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    if p.encode_labels:
        steps.append({"op": "encode_labels"})
    if p.layout == "image":
        if p.rescale is not None:
            steps.append({"op": "rescale", "factor": p.rescale})
        if len(p.sample_shape) == 2:
            steps.append({"op": "expand_dims", "axis": -1})
    elif p.layout == "table":
        steps.append({"op": "standardize"})
    return steps


def starter_data(source: str, options: dict[str, Any], p: DataProfile) -> dict[str, Any]:
    data: dict[str, Any] = {"source": source, **options}
    if not p.has_test:  # written out so that the data editor shows it; a test split is used as it is
        data["validation_split"] = DEFAULT_VALIDATION_SPLIT
    steps = starter_preprocess(p)
    if steps:
        data["preprocess"] = steps
    return data


def preset_name(text: str) -> str:
    """A preset name from a file stem or a source (`sklearn:digits` → `digits`)."""
    stem = Path(text.split(":", 1)[-1].rstrip("/\\")).stem or "starter"
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", stem).strip("_") or "starter"


def load_raw(source: str, options: dict[str, Any], *, seed: int, base_dir: Path) -> RawData:
    """The source's arrays with its options checked as the preset loader checks them."""
    kind, name, given = source_options({"source": source, **options})
    return get_source(kind).load(name, given, seed=seed, base_dir=base_dir)


@dataclass
class Starter:
    preset: Preset
    profile: DataProfile


def starter_preset(
    source: str,
    options: dict[str, Any] | None = None,
    *,
    name: str | None = None,
    base_dir: Path | str | None = None,
    seed: int = 0,
) -> Starter:
    """A new, unsaved preset for `source`: data, model, compile and fit fitted to what the data holds."""
    options = dict(options or {})
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    raw = load_raw(source, options, seed=seed, base_dir=base)
    p = profile(raw, source)
    preset = Preset(
        name=name or preset_name(source),
        description=f"Starter for {source}: {p.describe()}.",
        seed=seed,
        data=starter_data(source, options, p),
        layers=starter_layers(p),
        compile=starter_compile(p),
        fit=dict(STARTER_FIT),
    )
    return Starter(preset, p)


def npy_labels_beside(path: Path) -> Path | None:
    """For `x.npy` (or `x_train.npy`, `features_x.npy`…), the `y` file beside it when there is one."""
    stem = path.stem
    for pattern, repl in ((r"(^|_)x(_|$)", r"\1y\2"), (r"(^|_)X(_|$)", r"\1y\2"), (r"(^|_)features(_|$)", r"\1labels\2")):
        if re.search(pattern, stem):
            candidate = path.with_name(re.sub(pattern, repl, stem, count=1) + path.suffix)
            if candidate != path and candidate.is_file():
                return candidate
    return None


PATH_OPTIONS = ("labels",)  # source options that name a file, besides the source's own path


def rebase_data_paths(data: dict[str, Any], old_base: Path, new_base: Path) -> dict[str, Any]:
    """The [data] table with its relative file paths rewritten for a preset saved in `new_base`.

    A preset's relative paths are relative to its own folder, so a preset made in one folder and
    saved in another must say the way from there. Absolute paths stay as they are.
    """
    import os

    def moved(text: str) -> str:
        path = Path(text).expanduser()
        if path.is_absolute():
            return text
        target = (Path(old_base) / path).resolve()
        return os.path.relpath(target, Path(new_base).resolve())

    out = dict(data)
    source = out.get("source")
    if isinstance(source, str) and ":" in source:
        kind, name = source.split(":", 1)
        if kind in ("file", "folder") and name:
            out["source"] = f"{kind}:{moved(name)}"
    for key in PATH_OPTIONS:
        if isinstance(out.get(key), str):
            out[key] = moved(out[key])
    return out
