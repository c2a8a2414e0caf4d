"""Checks around Keras that need the model: tensor sizes before allocation, dtypes, monitors.

* ``bounded_call`` calls a layer on its input while ``Layer.add_weight`` refuses any weight over
  the one-array limit (``tuitrain.common.limits.MAX_ARRAY_BYTES``) *before* it is allocated:
  ``Dense(units = 10000000000)`` is an error naming the layer, not an out-of-memory crash.
* ``check_layer_dtype``: a layer's ``dtype`` must be a numeric dtype (a "string" layer builds,
  then fails on every batch).
* ``probe`` runs the compiled model on two training samples: the loss must be computable on the
  data (a 3-unit softmax against 2-column one-hot labels fails here, not in the trainer), and the
  names it logs are what ``fit.checkpoint_monitor`` and every callback's ``monitor`` must name.
"""

from __future__ import annotations

import contextlib
import re
import threading
from typing import TYPE_CHECKING, Any, Iterator

from tuitrain.common import limits
from tuitrain.common.errors import SpecError
from tuitrain.common.suggest import did_you_mean

if TYPE_CHECKING:  # pragma: no cover
    from tuitrain.data import Dataset
    from tuitrain.model.warnings import Warn
    from tuitrain.preset import Preset

_state = threading.local()
_patch_lock = threading.Lock()
_patched = 0
_original_add_weight: Any = None



def tensor_bytes(dims, itemsize: int) -> int:
    """Bytes of a tensor of shape ``dims`` (negative dims count as 0), computed before it exists."""
    nbytes = itemsize
    for dim in dims:
        nbytes *= max(0, dim)
    return nbytes


def over_the_limit() -> str:
    """How the one-tensor bound is named in both errors (weights and layer outputs)."""
    return (f"over the {limits.fmt_bytes(limits.MAX_ARRAY_BYTES)} limit for one tensor"
            " (raise it with the environment variable TUITRAIN_MAX_ARRAY_BYTES)")


def _bounded_add_weight(self, *args: Any, **kwargs: Any) -> Any:
    where = getattr(_state, "where", None)
    if where is not None:
        shape = kwargs.get("shape", args[0] if args else None)
        dtype = kwargs.get("dtype") or getattr(self, "variable_dtype", None) or "float32"
        try:
            itemsize = _itemsize(dtype)
            dims = tuple(int(d) for d in (shape or ()))
        except (TypeError, ValueError):
            dims, itemsize = (), 0
        nbytes = tensor_bytes(dims, itemsize)
        if nbytes > limits.MAX_ARRAY_BYTES:
            raise SpecError(f"{type(self).__name__} would create a weight of shape {dims} ({limits.fmt_bytes(nbytes)}),"
                            f" {over_the_limit()}", path=where)
    return _original_add_weight(self, *args, **kwargs)


def _itemsize(dtype: Any) -> int:
    import numpy as np

    name = getattr(dtype, "name", dtype)
    return 2 if str(name) == "bfloat16" else np.dtype(str(name)).itemsize


@contextlib.contextmanager
def _weights_bounded(where: str) -> Iterator[None]:
    """While active (per thread), weights created by any layer are sized before they exist."""
    global _patched, _original_add_weight
    import keras

    with _patch_lock:
        if _patched == 0:
            _original_add_weight = keras.layers.Layer.add_weight
            keras.layers.Layer.add_weight = _bounded_add_weight
        _patched += 1
    previous, _state.where = getattr(_state, "where", None), where
    try:
        yield
    finally:
        _state.where = previous
        with _patch_lock:
            _patched -= 1
            if _patched == 0:
                keras.layers.Layer.add_weight = _original_add_weight


weights_bounded = _weights_bounded  # for code that creates weights outside a call (keras.applications models)


def bounded_call(layer: Any, *args: Any, path: str, **kwargs: Any) -> Any:
    """``layer(*args, **kwargs)`` with its weights and its output for the probe batch bounded; SpecError at ``path``.

    Weights are sized before they exist; the output is symbolic here, so its size for the probe
    (``PROBE_SAMPLES`` samples) is known before ``probe`` runs anything: ``RepeatVector(n = 1e9)``
    is an error naming the layer, not a 16 GB allocation.
    """
    with _weights_bounded(path):
        out = layer(*args, **kwargs)
    check_output_size(out, layer_type=type(layer).__name__, path=path)
    return out


# Samples ``probe`` runs the model on; layer outputs are sized for this batch.
PROBE_SAMPLES = 2


def check_output_size(out: Any, *, layer_type: str, path: str, batch: int = PROBE_SAMPLES) -> None:
    """A layer's output (a symbolic tensor) for ``batch`` samples must fit the one-tensor limit.

    Unknown dimensions other than the batch (a sequence of any length) cannot be sized and are
    counted as 1: the data decides them, and its arrays are bounded when they are read.
    """
    for tensor in out if isinstance(out, (list, tuple)) else [out]:
        shape = getattr(tensor, "shape", None)
        if shape is None:
            continue
        try:
            itemsize = _itemsize(getattr(tensor, "dtype", "float32"))
        except TypeError:
            itemsize = 4
        dims = [batch if i == 0 and d is None else (1 if d is None else int(d)) for i, d in enumerate(tuple(shape))]
        nbytes = tensor_bytes(dims, itemsize)
        if nbytes > limits.MAX_ARRAY_BYTES:
            raise SpecError(f"{layer_type} would output a tensor of shape {tuple(dims)} ({limits.fmt_bytes(nbytes)}) for the"
                            f" {batch} samples the check runs, {over_the_limit()}", path=path)


NUMERIC_DTYPES = ("bool", "int", "uint", "float", "bfloat", "mixed_")


def check_layer_dtype(layer: dict[str, Any], *, path: str) -> None:
    """A layer's ``dtype`` (or dtype policy name) must compute in numbers."""
    dtype = layer.get("dtype")
    if dtype is None or isinstance(dtype, dict):
        return
    if not isinstance(dtype, str) or not dtype.startswith(NUMERIC_DTYPES):
        raise SpecError(f"dtype {dtype!r} is not a numeric dtype a layer can compute in"
                        " (e.g. \"float32\", \"float16\", \"mixed_float16\", \"int32\")", path=f"{path}.dtype")


def _head(value: Any, n: int = PROBE_SAMPLES) -> Any:
    if isinstance(value, dict):
        return {k: v[:n] for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [v[:n] for v in value]
    return value[:n]


def probe(model: Any, dataset: "Dataset", *, path: str) -> list[str]:
    """The metric names ``fit`` will log (``val_`` ones included when there is validation data).

    Runs ``test_on_batch`` on two training samples: a loss that cannot be computed on the labels
    is an error here (``path``: the output layer), not a crash in the trainer.
    """
    import warnings

    if dataset.x_train is None or dataset.y_train is None or not len(dataset.y_train):
        return []
    try:
        with warnings.catch_warnings():  # Keras' UserWarnings would repeat what the error says
            warnings.simplefilter("ignore")
            logs = model.test_on_batch(_head(dataset.x_train), _head(dataset.y_train), return_dict=True)
    except Exception as err:  # noqa: BLE001 - Keras raises many types for shape mismatches
        raise SpecError(f"the model's loss cannot be computed on the data: {graph_error_text(err)}", path=path) from None
    names = list(logs)
    if dataset.x_val is not None and dataset.y_val is not None:
        names += [f"val_{n}" for n in logs]
    return names + ["learning_rate"]


def graph_error_text(err: BaseException) -> str:
    """The sentence of a TensorFlow graph error, without the Python stack and node names it carries."""
    text = getattr(err, "message", None) or str(err)
    if "Detected at node" in text:
        text = text.strip().split("\n\n")[-1]
    text = re.sub(r"\s*\[\[\{\{node .*?\}\}\]\]", "", text)
    text = re.sub(r"\s*\[Op:[^\]]*\]", "", text)
    return re.sub(r"\s+", " ", text).strip()[:600]


def check_monitors(preset: "Preset", logged: list[str], callback_classes: dict[str, type]) -> list["Warn"]:
    """``fit.checkpoint_monitor`` and each callback's ``monitor`` must be a logged name.

    Given explicitly: an error. Left at a Keras default the run does not log (``val_loss`` without
    validation data): a warning, since Keras would only warn at every epoch and never act.
    """
    from tuitrain.model.confine import _parameters
    from tuitrain.model.warnings import Warn

    if not logged:
        return []
    shown = ", ".join(n for n in logged if n != "learning_rate")
    warns: list[Warn] = []
    monitor = preset.fit.get("checkpoint_monitor")
    if isinstance(monitor, str) and monitor not in logged:
        raise SpecError(f"{monitor!r} is not a metric this run logs.{did_you_mean(monitor, logged)} It logs: {shown}",
                        path="fit.checkpoint_monitor")
    for i, callback in enumerate(preset.fit.get("callbacks") or []):
        if not isinstance(callback, dict):
            continue
        cls = callback_classes.get(str(callback.get("type")))
        param = _parameters(cls).get("monitor") if cls is not None else None
        if param is None:
            continue
        value = callback.get("monitor", param.default)
        if not isinstance(value, str) or value in logged:
            continue
        where = f"fit.callbacks[{i}].monitor"
        if "monitor" in callback:
            raise SpecError(f"{value!r} is not a metric this run logs.{did_you_mean(value, logged)} It logs: {shown}", path=where)
        warns.append(Warn(where, f"{callback.get('type')} watches {value!r} by default, which this run does not log"
                                 f" (it logs: {shown}); set monitor to one of those"))
    return warns
