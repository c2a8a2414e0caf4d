"""The validation split: a seeded shuffle, then the first fraction of the shuffled samples."""

from __future__ import annotations

import numpy as np


def split_validation(x, y, fraction, seed):
    """(x_train, y_train, x_val, y_val); fraction 0 keeps every sample for training, in order."""
    if fraction <= 0:
        return x, y, None, None
    order = np.random.default_rng(seed).permutation(len(x))
    n_val = int(round(len(x) * fraction))
    val, train = order[:n_val], order[n_val:]
    if y is None:
        return x[train], None, x[val], None
    return x[train], y[train], x[val], y[val]


def count_classes(*labels):
    """Number of classes in sparse integer labels (largest index + 1), over every array given."""
    return int(max(int(np.max(y)) for y in labels if y is not None and len(y))) + 1
