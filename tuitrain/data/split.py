"""The validation split: a seeded shuffle, then the first fraction of the shuffled samples."""

from __future__ import annotations

import numpy as np


def split_validation(x, y, fraction, seed):
    """(x_train, y_train, x_val, y_val); fraction 0 keeps every sample for training, in order.

    x and y may be lists of arrays (several inputs or outputs): each is split the same way.
    """
    if fraction <= 0:
        return x, y, None, None
    count = len(x[0]) if isinstance(x, list) else len(x)
    order = np.random.default_rng(seed).permutation(count)
    n_val = int(round(count * fraction))
    val, train = order[:n_val], order[n_val:]

    def take(a, index):
        if a is None:
            return None
        return [part[index] for part in a] if isinstance(a, list) else a[index]

    return take(x, train), take(y, train), take(x, val), take(y, val)


def count_classes(*labels):
    """Number of classes in sparse integer labels (largest index + 1), over every array given."""
    return int(max(int(np.max(y)) for y in labels if y is not None and len(y))) + 1
