"""``weights_file``: a row's initial weights from an ``.npy``/``.npz`` (a GloVe matrix for an Embedding).

The file lies inside the preset's folder (unless the preset is trusted), its headers are sized before
anything is loaded, it is read with ``allow_pickle=False``, and its arrays must match the layer's
weights one for one, in ``layer.weights`` order (an ``.npy`` is one array; an ``.npz`` holds its
arrays in the order they were saved): a wrong shape is an error naming both shapes, never a silent
broadcast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from tuitrain.common.errors import DataError, SpecError
from tuitrain.common.limits import check_array_file
from tuitrain.model.confine import TRUST_SWITCH, is_trusted, read_roots
from tuitrain.model.summary import shape_str

if TYPE_CHECKING:  # pragma: no cover
    from tuitrain.preset import Preset


def weights_path(value: str, preset: "Preset", *, path: str) -> Path:
    """The file ``value`` names, relative to the preset's folder and inside its folders unless trusted."""
    roots = read_roots(preset)
    file = (roots[0] / Path(value).expanduser()).resolve()
    if not is_trusted(preset) and not any(file == r or r in file.parents for r in roots):
        shown = " or ".join(str(r) for r in roots)
        raise SpecError(f"{value!r} is outside the preset's folders ({shown}); a preset may only read files there"
                        f" ({TRUST_SWITCH})", path=path)
    if file.suffix.lower() not in (".npy", ".npz"):
        raise SpecError(f"expected an .npy or .npz file, got {value!r}", path=path)
    if not file.is_file():
        raise SpecError(f"{file} does not exist (or is not a regular file)", path=path)
    return file


def read_arrays(file: Path, *, path: str) -> list[Any]:
    """The arrays of ``file`` in order, sized from their headers first, never unpickled."""
    import numpy as np

    try:
        check_array_file(file, where=path)
        loaded = np.load(file, allow_pickle=False)
        if file.suffix.lower() == ".npy":
            return [loaded]
        with loaded:
            return [loaded[name] for name in loaded.files]
    except DataError as err:
        raise SpecError(err.message, path=path) from None
    except ValueError as err:  # an object array asks for pickle
        raise SpecError(f"{file.name} cannot be read as numeric arrays: {err}", path=path) from None


def load_weights_file(layer: Any, value: str, preset: Preset, *, path: str) -> None:
    """Set ``layer``'s weights from the file ``value``, after checking each shape against Keras'."""
    arrays = read_arrays(weights_path(value, preset, path=path), path=path)
    expected = [tuple(w.shape) for w in layer.weights]
    got = [tuple(a.shape) for a in arrays]
    if got != expected:
        names = ", ".join(f"{w.name} {shape_str(tuple(w.shape))}" for w in layer.weights) or "none"
        raise SpecError(
            f"{value} holds {len(got)} array{'s' if len(got) != 1 else ''} of shape {shape_str(got) if got else '-'},"
            f" but {type(layer).__name__} has {len(expected)} weight{'s' if len(expected) != 1 else ''}: {names}",
            path=path,
        )
    layer.set_weights(arrays)
