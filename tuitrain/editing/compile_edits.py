"""The Compile pane's fields → the preset: what each field's change does to ``[compile]``/``[fit]``.

The other direction of ``compile_values``.  Each function changes the preset it is given in place;
the pane hands it to the app's one edit door (``app.edit_preset``), which runs it on a copy and
records undo.  Plain functions (no widgets), so the rules (an optimizer keeps its schedule when its
arguments change, ticks hidden by a search stay, an empty list removes the key) read in one place.
"""

from __future__ import annotations

from typing import Any

from tuitrain.editing.compile_values import loss_choice, metric_names, optimizer_class
from tuitrain.preset.values import optimizer_value, typed


def _optimizer_entry(cls: str, args: dict[str, Any]) -> str | dict[str, Any]:
    """``"Adam"`` alone, or ``{type = "Adam", ...}`` once it has arguments."""
    return {"type": cls, **args} if args else cls


def set_optimizer(p: Any, cls: str, args: dict[str, Any]) -> None:
    """Another optimizer class, with the old arguments it still accepts (``args``)."""
    p.compile["optimizer"] = _optimizer_entry(cls, args)


def set_optimizer_args(p: Any, args: dict[str, Any]) -> None:
    """The optimizer form's values; a learning-rate schedule set beside the form stays."""
    name, old = typed(optimizer_value(p.compile))
    kept = {k: v for k, v in old.items() if isinstance(v, dict) and k not in args}  # a schedule
    p.compile["optimizer"] = _optimizer_entry(optimizer_class(name), {**args, **kept})


def set_learning_rate(p: Any, value: Any) -> None:
    """The optimizer's ``learning_rate``: a number, a schedule table, or None for Keras' default."""
    name, args = typed(optimizer_value(p.compile))
    args = {k: v for k, v in args.items() if k != "learning_rate"}
    if value is not None:
        args["learning_rate"] = value
    p.compile["optimizer"] = _optimizer_entry(optimizer_class(name), args)


def set_loss(p: Any, name: str) -> None:
    p.compile["loss"] = name


def set_loss_args(p: Any, args: dict[str, Any]) -> None:
    """The loss form's values: the loss becomes its class with arguments, or its name without."""
    from tuitrain.catalogue import registry as I

    name, _ = loss_choice(p.compile.get("loss"))
    if name is None:
        return
    p.compile["loss"] = {"type": I.loss_class_name(name), **args} if args else name


def set_metrics(p: Any, shown: set[str], ticked: list[str]) -> None:
    """The ticks of the metrics list showing ``shown``; per-output tables in the list are kept."""
    old = metric_names(p)
    tables = [m for m in p.compile.get("metrics", []) if not isinstance(m, str)]
    # Ticks hidden by the search stay as they were; the order already chosen is kept.
    metrics = [m for m in old if m not in shown or m in ticked] + [m for m in ticked if m not in old] + tables
    if metrics:
        p.compile["metrics"] = metrics
    else:
        p.compile.pop("metrics", None)


def compile_arg(name: str, value: Any) -> Any:
    """The preset's value for a compile form field (None: leave it to Keras)."""
    if name == "weighted_metrics" and isinstance(value, str):
        return [value]
    if name == "jit_compile":
        return {"true": True, "false": False}.get(value)  # "auto"/default: leave it to Keras
    return value


def set_compile_arg(p: Any, name: str, value: Any) -> None:
    if value is None:
        p.compile.pop(name, None)
    else:
        p.compile[name] = value


def set_fit_arg(p: Any, name: str, value: Any) -> None:
    """A fit form field; ``validation_split`` lives in ``[data]``, the rest in ``[fit]``."""
    section = p.data if name == "validation_split" else p.fit
    if value is None:
        section.pop(name, None)
    else:
        section[name] = value


def callback_rows(p: Any) -> list[dict[str, Any]]:
    """The preset's callbacks as tables (a bare name becomes ``{type = name}``), copies to edit."""
    return [dict(cb) if isinstance(cb, dict) else {"type": cb} for cb in p.fit.get("callbacks", [])]


def set_callbacks(p: Any, callbacks: list) -> None:
    if callbacks:
        p.fit["callbacks"] = callbacks
    else:
        p.fit.pop("callbacks", None)
