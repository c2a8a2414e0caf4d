"""The arrays a preset's [data] table turns into, and what a source hands to the pipeline.

A model with several inputs (outputs) gets a list of arrays for x (y), one per input (output)
in the order of `x_key` (`y_key`); a model with one gets the array itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np


@dataclass
class Dataset:
    """Train/validation tensors plus what the model builder and the UI need to know about them."""

    x_train: Any  # np.ndarray, or a list of them (several inputs)
    y_train: Any
    x_val: Any
    y_val: Any
    num_classes: int | None
    task: str  # "classification" | "regression"
    class_names: list[str] | None
    source: str
    x_names: list[str] | None = None  # the x_key / y_key lists when there are several arrays
    y_names: list[str] | None = None
    sample_weight: np.ndarray | None = None  # per training sample (sample_weight_key)
    sample_weight_val: np.ndarray | None = None
    # What the source skipped or doubted while reading (a FIFO among the images…): shown as warnings.
    notes: list[str] = field(default_factory=list)

    def tensors(self) -> dict[str, np.ndarray]:
        """The arrays that are present, in the order x_train, y_train, x_val, y_val (`x_train[title]`
        for one of several inputs)."""
        out: dict[str, np.ndarray] = {}
        for name in ("x_train", "y_train", "x_val", "y_val"):
            value = getattr(self, name)
            if isinstance(value, list):
                keys = self.x_names if name[0] == "x" else self.y_names
                for i, array in enumerate(value):
                    out[f"{name}[{keys[i] if keys else i}]"] = array
            elif value is not None:
                out[name] = value
        if self.sample_weight is not None:
            out["sample_weight"] = self.sample_weight
        return out

    @property
    def samples(self) -> int:
        """Number of training samples."""
        return len(self.x_train[0]) if isinstance(self.x_train, list) else len(self.x_train)

    @property
    def val_samples(self) -> int:
        if self.x_val is None:
            return 0
        return len(self.x_val[0]) if isinstance(self.x_val, list) else len(self.x_val)

    @property
    def input_shapes(self) -> list[tuple]:
        """Shape of one sample of each input."""
        arrays = self.x_train if isinstance(self.x_train, list) else [self.x_train]
        return [tuple(a.shape[1:]) for a in arrays]

    @property
    def input_dtypes(self) -> list[str]:
        """"string" for text arrays, else the numpy dtype's name, per input."""
        arrays = self.x_train if isinstance(self.x_train, list) else [self.x_train]
        return ["string" if a.dtype.kind in "USO" else a.dtype.name for a in arrays]

    @property
    def input_shape(self) -> tuple:
        """Shape of one sample (what the model's Input gets); the first input's with several."""
        return self.input_shapes[0]


@dataclass
class RawData:
    """What a source loads, before the validation split and preprocessing.

    `x_test`/`y_test` are set when the source ships its own held-out split (Keras data sets,
    an .npz in Keras layout); load_dataset uses them as validation data unless the preset sets
    `validation_split` itself.
    """

    x: np.ndarray
    y: np.ndarray | None
    x_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    task: str = "classification"
    class_names: list[str] | None = None
    sample_weight: np.ndarray | None = None
    x_names: list[str] | None = None  # names of several x (y) arrays, when the source has its own
    y_names: list[str] | None = None
    notes: list[str] = field(default_factory=list)  # what the source skipped, and why (Dataset.notes)


@dataclass
class SourceCode:
    """How `tuitrain export` reproduces a source: functions to paste in, and statements that set
    `x, y, x_test, y_test` (indented into `load_data()`)."""

    imports: list[str] = field(default_factory=list)
    functions: list[Callable[..., Any]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    has_test: bool | None = False  # the source has its own test split (None: only the file can tell)
    uses_paths: bool = False  # the lines refer to DATA_DIR (the preset's folder)
    x_names: list[str] | None = None  # names of several x (y) arrays the source makes
    y_names: list[str] | None = None
