"""Tensor statistics for the UI's tensor pane and `tuitrain check`: same numbers in both places.

Works chunk by chunk on the flat array (float64 accumulators, Chan's pairwise merge of mean and
variance), so a 60000×28×28 MNIST tensor never gets a full-size float64 copy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

CHUNK = 1 << 20  # elements per pass: 8 MiB of float64 scratch at most
ROW_HEADERS = ("name", "dtype", "shape", "min", "max", "mean", "std", "nan", "inf")


@dataclass(frozen=True)
class TensorStats:
    """Summary of one array; min/max/mean/std cover the finite values (None when there are none)."""

    name: str
    dtype: str
    shape: tuple
    size: int
    min: float | None
    max: float | None
    mean: float | None
    std: float | None
    nan_count: int
    inf_count: int

    def as_row(self) -> tuple[str, ...]:
        """Cells in ROW_HEADERS order, formatted for a table."""
        return (
            self.name,
            self.dtype,
            "(" + ", ".join(str(d) for d in self.shape) + ("," if len(self.shape) == 1 else "") + ")",
            _num(self.min),
            _num(self.max),
            _num(self.mean),
            _num(self.std),
            str(self.nan_count),
            str(self.inf_count),
        )


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    if value == int(value) and abs(value) < 1e9:
        return str(int(value))
    return f"{value:.4g}"


def describe(name: str, array: np.ndarray) -> TensorStats:
    """dtype, shape, size, min/max/mean/std (population std) and NaN/Inf counts of `array`."""
    array = np.asarray(array)
    # Memory order: a view for any array laid out densely in some axis order, e.g. the channels-last
    # transpose Keras' CIFAR loader returns (reshape(-1) would copy all 600 MB of it). The stats do not
    # depend on the order the elements are read in.
    flat = np.ravel(array, order="K")
    numeric = array.dtype.kind in "biufc"
    count, mean, m2 = 0, 0.0, 0.0
    low, high = math.inf, -math.inf
    nans = infs = 0
    if numeric:
        for start in range(0, flat.size, CHUNK):
            chunk = flat[start:start + CHUNK]
            if chunk.dtype.kind == "c":
                chunk = np.abs(chunk)
            if chunk.dtype.kind == "f":
                finite = np.isfinite(chunk)
                if not finite.all():
                    nan_mask = np.isnan(chunk)
                    nans += int(nan_mask.sum())
                    infs += int((~finite).sum()) - int(nan_mask.sum())
                    chunk = chunk[finite]
            if chunk.size == 0:
                continue
            values = chunk.astype(np.float64, copy=False)
            n = values.size
            c_mean = float(values.mean())
            c_m2 = float(np.square(values - c_mean).sum())
            low = min(low, float(values.min()))
            high = max(high, float(values.max()))
            total = count + n
            delta = c_mean - mean
            mean += delta * n / total
            m2 += c_m2 + delta * delta * count * n / total
            count = total
    have = count > 0
    return TensorStats(
        name=name,
        dtype=str(array.dtype),
        shape=tuple(int(d) for d in array.shape),
        size=int(array.size),
        min=low if have else None,
        max=high if have else None,
        mean=mean if have else None,
        std=math.sqrt(m2 / count) if have else None,
        nan_count=nans,
        inf_count=infs,
    )


def class_counts(y: np.ndarray) -> dict[int, int]:
    """Samples per class for sparse labels (N,) / (N, 1) or one-hot rows (N, C); every class 0..C-1 listed."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        counts = np.bincount(np.argmax(y, axis=1), minlength=y.shape[1])
    else:
        labels = y.reshape(-1).astype(np.int64)
        if labels.size == 0:
            return {}
        if labels.min() < 0:
            raise ValueError("class labels must be non-negative integers")
        counts = np.bincount(labels)
    return {int(i): int(c) for i, c in enumerate(counts)}
