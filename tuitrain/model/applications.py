"""``keras.applications`` models (EfficientNetB0, MobileNetV2 …) as layer rows.

A row ``type = "EfficientNetB0"`` calls that Keras constructor with the row's arguments (checked
against its signature) and uses the model it returns as a layer. ``weights = "imagenet"`` loads
the file Keras would download, from the Keras cache (``$KERAS_HOME/models``, default
``~/.keras/models``) only: while the constructor runs, Keras' ``get_file`` is replaced by a
look-up that never reaches the network and, when the file is missing, raises an error naming it
and where it comes from. ``weights = "None"`` is random initialisation.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from typing import Any

from tuitrain.common.errors import SpecError

_lock = threading.Lock()


def application_builder(type_name: str) -> Any | None:
    """The ``keras.applications`` constructor called ``type_name``, or None."""
    from tuitrain.catalogue import registry as keras_catalogue

    return keras_catalogue.application_builders().get(type_name)


def keras_cache_file(fname: str, cache_subdir: str = "models", cache_dir: str | None = None) -> str:
    """Where Keras' ``get_file`` keeps ``fname`` (``$KERAS_HOME/models/…``, as Keras computes it)."""
    from keras.src.backend import config

    base = os.path.expanduser(cache_dir or config.keras_home())
    if not os.access(base, os.W_OK):  # Keras falls back to /tmp/.keras, so do we
        base = os.path.join("/tmp", ".keras")
    return os.path.join(base, cache_subdir, fname)


@contextlib.contextmanager
def _cache_only(path: str) -> Iterator[None]:
    """While active, Keras' ``get_file`` returns a cached file or raises; it never downloads."""
    from keras.src.utils import file_utils

    def cached(fname=None, origin=None, cache_subdir="datasets", cache_dir=None, **_: Any) -> str:
        name = fname or os.path.basename(str(origin or ""))
        where = keras_cache_file(name, cache_subdir, cache_dir)
        if not os.path.isfile(where):
            raise SpecError(
                f"the pretrained weights are not in the Keras cache: looked for {where}. tuitrain never downloads;"
                f" place the file there (from {origin}), or use weights = \"None\" for random initialisation",
                path=f"{path}.weights",
            )
        return where

    with _lock:
        original, file_utils.get_file = file_utils.get_file, cached
        try:
            yield
        finally:
            file_utils.get_file = original


# include_top → the arguments every keras.applications model documents as unused then (Keras ignores them).
_IGNORED_WHEN = {True: ("pooling",), False: ("classes", "classifier_activation")}


def _check_ignored(kwargs: dict[str, Any], *, path: str) -> None:
    """Keras silently ignores `classes` without the top and `pooling` with it: here that is an error."""
    top = bool(kwargs.get("include_top", True))
    for key in _IGNORED_WHEN[top]:
        if key in kwargs and kwargs[key] is not None:
            raise SpecError(
                f"{key} is ignored by Keras when include_top = {'true' if top else 'false'}:"
                f" remove it, or set include_top = {'false' if top else 'true'}",
                path=f"{path}.{key}",
            )


def make_application(builder: Any, kwargs: dict[str, Any], *, path: str) -> Any:
    """The model ``builder(**kwargs)`` returns, weights read from the Keras cache only."""
    from tuitrain.catalogue import registry as keras_catalogue
    from tuitrain.model.messages import clean_keras_message

    from tuitrain.model.keras_objects import refuse_unknown_args

    refuse_unknown_args(builder.__name__, kwargs, *keras_catalogue.callable_arg_names(builder), path=path)
    _check_ignored(kwargs, path=path)
    weights = kwargs.get("weights", "imagenet")
    if isinstance(weights, str) and weights != "imagenet":
        raise SpecError(
            f'weights must be "imagenet" (from the Keras cache) or "None" (random initialisation), got {weights!r};'
            " for your own weights use weights_file",
            path=f"{path}.weights",
        )
    from tuitrain.model.guards import weights_bounded

    try:
        with _cache_only(path), weights_bounded(path):  # the model creates its weights here: each is sized first
            return builder(**kwargs)
    except SpecError:
        raise
    except Exception as err:  # noqa: BLE001 - Keras raises ValueError and friends for bad combinations
        raise SpecError(f"Keras cannot create {builder.__name__}: {clean_keras_message(err)}", path=path) from None
