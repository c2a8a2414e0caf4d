"""Several inputs and outputs: `[[inputs]]`, `outputs = [...]`, and what follows from them.

* `[[inputs]]` declares the model's inputs (name, optional shape with "None" for any length, dtype);
  without it the model has one input named "input" whose shape and dtype come from the data.
* `outputs` names the layers whose results the model returns (default: the last layer). A layer whose
  result reaches no output would be built, counted in no parameter and trained by nothing: an error.

The compile values given per output and `class_weight` are checked against the model and the data:
`tuitrain/model/per_output.py`, `tuitrain/model/class_weight.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tuitrain.common.errors import SpecError
from tuitrain.common.suggest import did_you_mean
from tuitrain.preset.values import DEFAULT_INPUT

INPUT_KEYS = ("name", "shape", "dtype")


@dataclass(frozen=True)
class InputDecl:
    name: str
    shape: tuple | None  # None: from the data; entries None for "any length"
    dtype: str | None  # None: from the data


def check_inputs_table(value: Any, *, file: str) -> list[dict[str, Any]]:
    """Structure of `[[inputs]]` (no Keras needed): names unique identifiers, shapes lists of sizes or "None"."""
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise SpecError("expected [[inputs]] tables (name, shape, dtype)", file=file, path="inputs")
    names: set[str] = set()
    for i, table in enumerate(value):
        where = f"inputs[{i}]"
        for key in table:
            if key not in INPUT_KEYS:
                raise SpecError(f"unknown key '{key}'. Valid keys here: {', '.join(INPUT_KEYS)}.", file=file, path=f"{where}.{key}")
        name = table.get("name", DEFAULT_INPUT if len(value) == 1 else None)
        if not isinstance(name, str) or not name.isidentifier():
            raise SpecError(
                "each of several inputs needs a name (a word such as \"title\") that layers refer to with inputs = [...]",
                file=file,
                path=f"{where}.name",
            )
        if name in names:
            raise SpecError(f"the input name '{name}' is used twice", file=file, path=f"{where}.name")
        names.add(name)
        shape = table.get("shape")
        if shape is not None:
            ok = isinstance(shape, list) and all(
                (isinstance(d, int) and not isinstance(d, bool) and d > 0) or d == "None" for d in shape
            )
            if not ok:
                raise SpecError(
                    f'expected a list of sizes, "None" for any length (e.g. ["None", 8]), got {shape!r}',
                    file=file,
                    path=f"{where}.shape",
                )
        dtype = table.get("dtype")
        if dtype is not None and not isinstance(dtype, str):
            raise SpecError(f'expected a dtype name such as "int32" or "string", got {dtype!r}', file=file, path=f"{where}.dtype")
    return value


def check_outputs_value(value: Any, *, file: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise SpecError('expected a list of layer names, e.g. outputs = ["priority", "department"]', file=file, path="outputs")
    if len(set(value)) != len(value):
        raise SpecError("an output is listed twice", file=file, path="outputs")
    return value


def input_decls(preset: Any) -> list[InputDecl]:
    tables = getattr(preset, "inputs", None) or [{}]
    out = []
    for table in tables:
        shape = table.get("shape")
        out.append(
            InputDecl(
                name=table.get("name", DEFAULT_INPUT),
                shape=None if shape is None else tuple(None if d == "None" else int(d) for d in shape),
                dtype=table.get("dtype"),
            )
        )
    return out


def input_names(preset: Any) -> list[str]:
    return [decl.name for decl in input_decls(preset)]


def output_names(preset: Any) -> list[str] | None:
    """The declared outputs, or None for "the last layer"."""
    value = getattr(preset, "outputs", None)
    if not value:
        return None
    return [value] if isinstance(value, str) else list(value)


def check_output_refs(preset: Any, *, known: list[str]) -> None:
    for j, name in enumerate(output_names(preset) or []):
        if name not in known:
            raise SpecError(
                f"'{name}' is not the name of a layer.{did_you_mean(name, known)} Named layers: {', '.join(known) or 'none'}.",
                path=f"outputs[{j}]",
            )


def unreached_rows(layers: list[dict[str, Any]], outputs: list[int], refs_of: Any) -> list[int]:
    """Rows whose result feeds no output; `outputs` are row indices, `refs_of(i)` the rows/inputs row i reads."""
    reached: set[int] = set()
    stack = list(outputs)
    while stack:
        row = stack.pop()
        if row in reached:
            continue
        reached.add(row)
        stack.extend(r for r in refs_of(row) if isinstance(r, int))
    return [i for i in range(len(layers)) if i not in reached]


def unreached_error(layers: list[dict[str, Any]], row: int, outputs: list[str], sinks: list[int]) -> SpecError:
    """`row` feeds no output; `sinks` are the rows no other row reads (the heads the user may have meant)."""
    name = layers[row].get("name")
    label = f" ('{name}')" if name else ""
    if name and row in sinks:
        suggested = [layers[i].get("name") for i in sinks]
        hint = f"; to return it too: outputs = {[n for n in suggested if n]!r}"
    else:
        hint = "; give it a name and list it in outputs to return it too" if not name else ""
    return SpecError(
        f"this layer{label} reaches no output, so it would be built and never trained{hint}"
        f" (the model returns {', '.join(repr(o) for o in outputs)}), or remove it.",
        path=f"layers[{row}]",
    )
