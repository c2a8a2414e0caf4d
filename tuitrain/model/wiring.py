"""How one preset row is called: its tensors, its call arguments, a layer called again.

* References: ``"encoder"`` names a row's (or an input's) tensor; ``"encoder[1]"`` one of the
  tensors a layer returns when it returns several (``LSTM(return_state = true)``).
* Several ``inputs`` reach a merge layer (``Concatenate``, ``Attention`` …: its ``call`` has one
  required argument) as one list, and any other layer as positional arguments
  (``MultiHeadAttention(query, value, key)``), as Keras' own ``call`` signature says.
* ``call = { ... }``: keyword arguments of the layer's ``call``, checked against its signature;
  strings that name tensors are those tensors, ``"None"`` is None where Keras allows it.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from typing import Any

from tuitrain.common.errors import SpecError
from tuitrain.common.suggest import did_you_mean

_INDEXED = re.compile(r"(.+)\[(\d+)\]")


def split_ref(ref: str) -> tuple[str, int | None]:
    """``"encoder[1]"`` → ``("encoder", 1)``; ``"encoder"`` → ``("encoder", None)``."""
    match = _INDEXED.fullmatch(ref)
    return (match.group(1), int(match.group(2))) if match else (ref, None)


@dataclass
class Wiring:
    """What the rows built so far offer later rows: tensors by name, who made them, their layers."""

    tensors: dict[str, Any] = field(default_factory=dict)  # name → tensor, or list of tensors
    producers: dict[str, Any] = field(default_factory=dict)  # name → row index or ("input", name)
    layers: dict[str, Any] = field(default_factory=dict)  # row name → the Keras layer built there

    def known(self) -> list[str]:
        return list(self.tensors)

    def tensor(self, ref: str, *, path: str) -> Any:
        """The one tensor ``ref`` names; a layer with several results must be indexed."""
        name, index = split_ref(ref)
        if name not in self.tensors:
            raise SpecError(
                f"'{ref}' names no layer or input available here (its layer failed or comes later).{did_you_mean(name, self.known())}",
                path=path,
            )
        value = self.tensors[name]
        several = isinstance(value, list)
        if index is None and several:
            raise SpecError(
                f"'{name}' returns {len(value)} tensors; name one of them: "
                + ", ".join(f'"{name}[{i}]"' for i in range(len(value))),
                path=path,
            )
        if index is not None and not several:
            raise SpecError(f"'{name}' returns one tensor, so '{ref}' names nothing: write \"{name}\"", path=path)
        if index is not None and index >= len(value):
            raise SpecError(
                f"'{name}' returns {len(value)} tensors ({name}[0] … {name}[{len(value) - 1}]), so '{ref}' is past its outputs",
                path=path,
            )
        return value if index is None else value[index]

    def source(self, ref: str) -> Any:
        """The row index (or ``("input", name)``) a reference reads, for the graph's reach checks."""
        return self.producers.get(split_ref(ref)[0])

    def add(self, names: list[str], out: Any, producer: Any) -> None:
        for name in names:
            self.tensors[name] = list(out) if isinstance(out, (list, tuple)) else out
            self.producers[name] = producer


def call_refs(value: Any) -> list[str]:
    """Every string of a ``call`` table (the ones that name tensors, and "None")."""
    if isinstance(value, str):
        return [value] if value != "None" else []
    if isinstance(value, list):
        return [r for v in value for r in call_refs(v)]
    if isinstance(value, dict):
        return [r for v in value.values() for r in call_refs(v)]
    return []


def _call_params(layer: Any) -> tuple[list[inspect.Parameter], bool]:
    try:
        params = list(inspect.signature(layer.call).parameters.values())
    except (TypeError, ValueError):  # pragma: no cover - every Keras layer has a call()
        return [], True
    named = [p for p in params if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]
    return named, any(p.kind is p.VAR_KEYWORD for p in params)


def positional_inputs(layer: Any, tensors: list[Any], refs: list[str], *, path: str) -> list[Any]:
    """The positional arguments ``layer`` is called with: one list for a merge layer, else one each."""
    if len(tensors) == 1:
        return tensors
    params, _ = _call_params(layer)
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = [p for p in positional if p.default is inspect.Parameter.empty]
    if len(required) < 2:  # call(inputs): a merge layer takes the list
        return [tensors]
    if len(tensors) > len(positional):
        raise SpecError(
            f"{type(layer).__name__} takes at most {len(positional)} inputs ({', '.join(p.name for p in positional)}),"
            f" got {len(refs)}: {', '.join(refs)}",
            path=f"{path}.inputs",
        )
    return tensors


def call_kwargs(layer: Any, table: dict[str, Any], wiring: Wiring, n_inputs: int, *, path: str) -> dict[str, Any]:
    """The ``call = { ... }`` table as keyword arguments, each key checked against ``layer.call``."""
    from tuitrain.catalogue.registry import takes_none

    params, open_ended = _call_params(layer)
    by_name = {p.name: p for p in params}
    positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    taken = positional[: max(1, n_inputs)]
    out = {}
    for key, value in table.items():
        where = f"{path}.call.{key}"
        if key in taken:
            raise SpecError(f"{key} is what the row's inputs give {type(layer).__name__}; set it with inputs = [...]", path=where)
        if key not in by_name and not open_ended:
            choices = [n for n in by_name if n not in taken]
            raise SpecError(
                f"{type(layer).__name__}.call() takes no argument '{key}'.{did_you_mean(key, choices)}"
                f" It takes: {', '.join(choices)}.",
                path=where,
            )
        param = by_name.get(key)
        out[key] = _call_value(value, wiring, nullable=param is None or takes_none(param), path=where)
    return out


def _call_value(value: Any, wiring: Wiring, *, nullable: bool, path: str) -> Any:
    if isinstance(value, list):
        return [_call_value(v, wiring, nullable=False, path=f"{path}[{i}]") for i, v in enumerate(value)]
    if value == "None":
        if not nullable:
            raise SpecError("Keras does not take None here (its default is not None)", path=path)
        return None
    if isinstance(value, str):
        return wiring.tensor(value, path=path)
    if isinstance(value, dict):
        raise SpecError("expected a tensor name, a list of them, a number or true/false", path=path)
    return value
