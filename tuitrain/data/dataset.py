"""The arrays a preset's [data] table turns into, and what a source hands to the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np


@dataclass
class Dataset:
    """Train/validation tensors plus what the model builder and the UI need to know about them."""

    x_train: np.ndarray
    y_train: np.ndarray | None
    x_val: np.ndarray | None
    y_val: np.ndarray | None
    num_classes: int | None
    task: str  # "classification" | "regression"
    class_names: list[str] | None
    source: str

    def tensors(self) -> dict[str, np.ndarray]:
        """The arrays that are present, in the order x_train, y_train, x_val, y_val."""
        names = ("x_train", "y_train", "x_val", "y_val")
        return {name: getattr(self, name) for name in names if getattr(self, name) is not None}

    @property
    def input_shape(self) -> tuple:
        """Shape of one sample (what the model's Input gets)."""
        return tuple(self.x_train.shape[1:])


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


@dataclass
class SourceCode:
    """How `tuitrain export` reproduces a source: functions to paste in, and statements that set
    `x, y, x_test, y_test` (indented into `load_data()`)."""

    imports: list[str] = field(default_factory=list)
    functions: list[Callable[..., Any]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    has_test: bool | None = False  # the source has its own test split (None: only the file can tell)
