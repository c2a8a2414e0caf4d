"""Arrays as `model.fit` takes them: Keras' fit() refuses numpy string arrays (`Invalid dtype: str416`),
so text becomes tf.string tensors (TensorFlow is imported only when there is text)."""

from __future__ import annotations

from typing import Any


def fit_arrays(x: Any) -> Any:
    """x (an array or a list of them) with every text array as a tf.string tensor."""
    if isinstance(x, list):
        return [fit_arrays(a) for a in x]
    if x is None or getattr(x, "dtype", None) is None or x.dtype.kind not in "USO":
        return x
    import tensorflow as tf

    return tf.constant(x.astype(str))


def validation_data(dataset: Any) -> tuple:
    """(x_val, y_val[, sample_weight_val]) for `model.fit(validation_data=...)`."""
    x_val = fit_arrays(dataset.x_val)
    if dataset.sample_weight_val is not None:
        return x_val, dataset.y_val, dataset.sample_weight_val
    return x_val, dataset.y_val
