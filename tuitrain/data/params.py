"""The [data] table as form fields: source options and preprocessing-op arguments as ``keras_params.Param``.

Both come from the declarations the loader checks against (``options_for(source)``, the op
functions' signatures), so an option a source gains shows up in the app's data editor without a
second table. A ``typing.Literal`` annotation gives a field its choices.
"""

from __future__ import annotations

import inspect
import typing
from typing import Any

from tuitrain.data.loader import DEFAULT_VALIDATION_SPLIT, options_for
from tuitrain.data.preprocess import OPS, op_args
from tuitrain.catalogue.params import Param

# Values the loader accepts for options whose defaults cannot say so.
KNOWN_CHOICES = {
    "task": ("classification", "regression"),
    "color_mode": ("rgb", "grayscale", "rgba"),
}


def _annotation_of(default: Any, annotation: Any = inspect.Parameter.empty) -> tuple[str, tuple[str, ...]]:
    """(form annotation, choices) from a declared annotation, else from the default's type."""
    if annotation is not inspect.Parameter.empty:
        if typing.get_origin(annotation) is typing.Literal:
            return "str", tuple(str(a) for a in typing.get_args(annotation))
        words = {w.strip() for w in str(annotation).split("|")} - {"None"}
        for word, form in (("bool", "bool"), ("int", "int"), ("float", "float"), ("str", "str"), ("list", "list")):
            if words == {word}:
                return form, ()
    if isinstance(default, bool):
        return "bool", ()
    if isinstance(default, int):
        return "int", ()
    if isinstance(default, float):
        return "float", ()
    if isinstance(default, str):
        return "str", ()
    if isinstance(default, (list, tuple)):
        return "list", ()
    return "any", ()


def _param(name: str, default: Any, annotation: Any = inspect.Parameter.empty, doc: str = "") -> Param:
    required = default is inspect.Parameter.empty
    form, choices = _annotation_of(None if required else default, annotation)
    choices = choices or KNOWN_CHOICES.get(name, ())
    return Param(name, None if required else default, has_default=not required, annotation=form, choices=choices, doc=doc)


def source_params(source: str) -> list[Param]:
    """The options `source` takes besides source/validation_split/preprocess, as form fields."""
    return [_param(name, default) for name, default in options_for(source).items()]


def split_param() -> Param:
    return Param(
        "validation_split",
        None,
        annotation="float",
        doc=f"Fraction of the samples held out for validation (0: none). Unset: the source's own test split,"
        f" else {DEFAULT_VALIDATION_SPLIT}.",
    )


def op_params(op: str) -> list[Param]:
    """The arguments of one preprocessing op (and its `target` when it may apply to x or y)."""
    fn = OPS[op]
    out = [_param(name, p.default, p.annotation) for name, p in op_args(fn).items()]
    if len(getattr(fn, "targets", ())) > 1:
        out.append(Param("target", fn.default_target, annotation="str", choices=tuple(fn.targets), doc="the array the op applies to"))
    return out


def op_summary(op: str) -> str:
    """The first line of the op's docstring (what it does), for pickers."""
    doc = (OPS[op].__doc__ or "").strip()
    return doc.splitlines()[0] if doc else ""


def step_text(step: Any) -> str:
    """`rescale(factor=0.0039)`: one preprocessing step as a list row shows it."""
    if isinstance(step, str):
        return step
    if not isinstance(step, dict):
        return repr(step)
    args = ", ".join(f"{k}={v!r}" for k, v in step.items() if k != "op")
    return f"{step.get('op', '?')}({args})"
