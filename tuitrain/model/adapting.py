"""Layers that learn from the data (`adapt = true`): Normalization, TextVectorization, StringLookup, ….

A layer learns from the data when its Keras class has an `adapt` method. Such a layer left un-adapted
and without its fixed values is an identity or an empty vocabulary that trains silently wrong, so that
is an error. Adapting happens while the model is built, on the training data that reaches the layer
(the input array itself, or what the layers before it make of it), before the layers after it are
called: a lookup's one-hot width or a vectorizer's multi-hot width depends on the vocabulary it learns.
"""

from __future__ import annotations

from typing import Any

from tuitrain.common.errors import SpecError

# Row key that asks for adapting; not a constructor argument.
ADAPT_KEY = "adapt"
# Constructor arguments through which Keras' preprocessing layers take their state instead of adapting.
FIXED_STATE_ARGS = ("mean", "variance", "vocabulary", "bin_boundaries", "idf_weights")
# Adapting reads at most this many samples of the training data (bounded work on huge arrays).
ADAPT_MAX_SAMPLES = 200_000
ADAPT_BATCH = 256


def learns_from_data(cls: type) -> bool:
    return callable(getattr(cls, "adapt", None))


def check_adapt_row(cls: type, layer: dict[str, Any], *, path: str) -> bool:
    """Whether the row adapts; an adapting class neither adapted nor given its state is an error."""
    wants = layer.get(ADAPT_KEY, False)
    if not isinstance(wants, bool):
        raise SpecError(f"expected true or false, got {wants!r}", path=f"{path}.{ADAPT_KEY}")
    if not learns_from_data(cls):
        if wants:
            raise SpecError(
                f"{cls.__name__} does not learn from the data (it has no adapt()); remove adapt = true",
                path=f"{path}.{ADAPT_KEY}",
            )
        return False
    fixed = [k for k in FIXED_STATE_ARGS if layer.get(k) is not None]
    if wants and fixed:
        raise SpecError(
            f"{cls.__name__} is given {', '.join(fixed)} and adapt = true; adapting would replace them: choose one",
            path=f"{path}.{ADAPT_KEY}",
        )
    if not wants and not fixed:
        state = [k for k in FIXED_STATE_ARGS if k in _init_args(cls)]
        given = f" or give its {' and '.join(state)}" if state else ""
        raise SpecError(
            f"{cls.__name__} learns from the data, but this row neither adapts it nor gives its values, so it"
            f" would train as {'an identity' if 'mean' in state else 'an empty vocabulary'}: set adapt = true"
            f" (adapted to the training data before compiling){given}",
            path=path,
        )
    return wants


def _init_args(cls: type) -> list[str]:
    import inspect

    try:
        return list(inspect.signature(cls.__init__).parameters)
    except (TypeError, ValueError):
        return []


def feed_for(tensor: Any, model_inputs: list[Any], arrays: list[Any]) -> Any:
    """The training data that reaches `tensor`: an input's array, or what the layers before it compute."""
    import keras

    for symbolic, array in zip(model_inputs, arrays):
        if tensor is symbolic:
            return _bounded(array)
    sub = keras.Model(model_inputs, tensor)
    data = [_bounded(a) for a in arrays]
    return sub.predict(data if len(data) > 1 else data[0], batch_size=ADAPT_BATCH, verbose=0)


def _bounded(array: Any) -> Any:
    if len(array) > ADAPT_MAX_SAMPLES:
        return array[:ADAPT_MAX_SAMPLES]
    if getattr(array, "dtype", None) is not None and array.dtype.kind in "USO":
        import tensorflow as tf

        return tf.constant(array.astype(str))
    return array


def adapt_layer(layer: Any, feed: Any, *, path: str) -> None:
    from tuitrain.model.messages import clean_keras_message

    try:
        layer.adapt(feed, batch_size=ADAPT_BATCH) if _takes_batch_size(layer) else layer.adapt(feed)
    except Exception as err:  # noqa: BLE001 - Keras raises many types for data it cannot adapt to
        raise SpecError(f"adapting {type(layer).__name__} to the training data failed: {clean_keras_message(err)}", path=path) from None


def _takes_batch_size(layer: Any) -> bool:
    import inspect

    try:
        return "batch_size" in inspect.signature(layer.adapt).parameters
    except (TypeError, ValueError):
        return False
