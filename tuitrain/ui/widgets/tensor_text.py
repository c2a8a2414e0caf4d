"""Text for the tensor view: stats lines, index parsing ("0, :, 5"), value previews.

Pure functions (numpy + rich only) so they are easy to test and reuse.
"""

from __future__ import annotations

import numpy as np
from rich.table import Table
from rich.text import Text

from tuitrain.data import ROW_HEADERS, TensorStats


class IndexError_(ValueError):
    """An index the user typed that does not fit the tensor; str() is shown as is."""


def stats_table(stats: TensorStats, *, kind: str = "") -> Table:
    """The numbers `tuitrain check` prints, as a two-row grid (headers, values)."""
    cells = dict(zip(ROW_HEADERS, stats.as_row()))
    table = Table.grid(padding=(0, 2))
    top = ["dtype", "shape", "size"]
    table.add_row(*[Text(h, style="bold") for h in top], Text(kind, style="italic") if kind else "")
    table.add_row(cells["dtype"], cells["shape"], f"{stats.size:,}", "")
    bottom = ["min", "max", "mean", "std", "nan", "inf"]
    grid = Table.grid(padding=(0, 2))
    grid.add_row(*[Text(h, style="bold") for h in bottom])
    grid.add_row(*[cells[h] for h in bottom])
    outer = Table.grid()
    outer.add_row(table)
    outer.add_row(grid)
    return outer


def parse_index(text: str, shape: tuple) -> tuple:
    """``"0"``, ``"0, :, 5"``, ``"10:20"``, ``"-1"`` → an index tuple for ``shape`` (missing axes are ``:``)."""
    text = text.strip().strip("[]")
    if not text:
        return ()
    parts = [p.strip() for p in text.split(",")]
    if len(parts) > len(shape):
        raise IndexError_(f"{len(parts)} indices for a tensor with {len(shape)} axes {tuple(shape)}")
    out: list[int | slice] = []
    for axis, part in enumerate(parts):
        size = shape[axis]
        if part in ("", ":"):
            out.append(slice(None))
            continue
        if ":" in part:
            pieces = part.split(":")
            if len(pieces) > 3:
                raise IndexError_(f"'{part}' is not a slice (use start:stop or start:stop:step)")
            try:
                values = [int(p) if p.strip() else None for p in pieces]
            except ValueError:
                raise IndexError_(f"'{part}' is not a slice of whole numbers") from None
            if len(values) == 3 and values[2] == 0:
                raise IndexError_("a slice step cannot be 0")
            out.append(slice(*values))
            continue
        try:
            value = int(part)
        except ValueError:
            raise IndexError_(f"'{part}' is not a whole number, ':' or a start:stop slice") from None
        if size == 0:
            raise IndexError_(f"(empty): axis {axis} has size 0, so there is no index {value}")
        if not -size <= value < size:
            raise IndexError_(f"index {value} is out of range for axis {axis} with size {size}")
        out.append(value)
    return tuple(out)


def format_index(index: tuple) -> str:
    def one(i: int | slice) -> str:
        if isinstance(i, int):
            return str(i)
        parts = ["" if v is None else str(v) for v in (i.start, i.stop)]
        text = ":".join(parts)
        return text + (f":{i.step}" if i.step is not None else "")

    return ", ".join(one(i) for i in index) if index else ":"


def default_index(shape: tuple) -> str:
    """First sample for batched tensors, everything for vectors and scalars."""
    return "0" if len(shape) >= 2 and shape[0] > 0 else ""


def values_text(array: np.ndarray, width: int) -> str:
    """numpy's own printing, wrapped to ``width`` and summarised when large."""
    array = np.asarray(array)
    if array.size == 0:
        return "(empty)"
    if array.ndim == 0:
        return str(array.item())
    with np.printoptions(precision=4, suppress=True, threshold=400, edgeitems=4, linewidth=max(width, 20)):
        return np.array2string(array, separator=" ")


def step_index(text: str, shape: tuple, delta: int) -> str:
    """The index text with its first whole number moved by ``delta`` (wrapping), for +/-."""
    if not shape or shape[0] == 0:  # nothing to step through (and % 0 would raise)
        return text
    parts = [p.strip() for p in text.strip().strip("[]").split(",")] if text.strip() else []
    if not parts or ":" in parts[0] or not parts[0].lstrip("-").isdigit():
        parts = ["0", *parts[1:]] if parts else ["0"]
        return ", ".join(parts)
    value = (int(parts[0]) + delta) % shape[0]
    return ", ".join([str(value), *parts[1:]])
