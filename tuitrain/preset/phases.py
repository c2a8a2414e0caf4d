"""``[[phases]]``: fine-tuning in one run, checked for structure (no Keras here).

Each phase continues the same run for ``epochs`` more epochs; a later phase may make more of
the model trainable (``unfreeze = { layer, top }``) and rebuild the optimizer with its own
``learning_rate``. Whether ``top`` fits the layer's sublayers is Keras' business:
``tuitrain.model.phases`` checks it once the model is built.
"""

from __future__ import annotations

import math
from typing import Any

from tuitrain.common.errors import SpecError
from tuitrain.common.suggest import did_you_mean

PHASE_KEYS = ("epochs", "learning_rate", "unfreeze")
UNFREEZE_KEYS = ("layer", "top")
MAX_PHASES = 100  # a bound before any work: each phase is a recompile


def _fail(message: str, *, file: str, path: str) -> SpecError:
    return SpecError(message, file=file, path=path)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _unknown(table: dict, allowed: tuple[str, ...], *, file: str, prefix: str) -> None:
    for key in table:
        if key not in allowed:
            raise _fail(f"unknown key '{key}'.{did_you_mean(key, allowed)} Valid keys here: {', '.join(allowed)}.",
                        file=file, path=f"{prefix}.{key}")


def _positive_int(value: Any, *, what: str, file: str, path: str) -> int:
    if not _is_int(value) or value <= 0:
        raise _fail(f"expected {what} (a positive integer), got {value!r}", file=file, path=path)
    return value


def _check_unfreeze(value: Any, layer_names: list[str], *, file: str, path: str) -> None:
    if not isinstance(value, dict):
        raise _fail(f'expected a table such as {{ layer = "backbone", top = 20 }}, got {value!r}', file=file, path=path)
    _unknown(value, UNFREEZE_KEYS, file=file, prefix=path)
    if "layer" not in value:
        raise _fail('missing key \'layer\': the `name` of the [[layers]] row to unfreeze', file=file, path=f"{path}.layer")
    name = value["layer"]
    if name not in layer_names:
        known = ", ".join(layer_names) or "(no [[layers]] row has a `name`)"
        raise _fail(f"'{name}' is not the name of a [[layers]] row.{did_you_mean(str(name), layer_names)}"
                    f" Named rows: {known}.", file=file, path=f"{path}.layer")
    if "top" in value:
        _positive_int(value["top"], what="the number of the layer's last sublayers to unfreeze", file=file,
                      path=f"{path}.top")


def _check_phase(phase: Any, layer_names: list[str], *, file: str, path: str) -> None:
    if not isinstance(phase, dict):
        raise _fail(f"expected a [[phases]] table, got {phase!r}", file=file, path=path)
    _unknown(phase, PHASE_KEYS, file=file, prefix=path)
    if "epochs" not in phase:
        raise _fail("missing key 'epochs': how many epochs this phase trains", file=file, path=f"{path}.epochs")
    _positive_int(phase["epochs"], what="the phase's epochs", file=file, path=f"{path}.epochs")
    if "learning_rate" in phase:
        rate = phase["learning_rate"]
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not math.isfinite(rate) or rate <= 0:
            raise _fail(f"expected a positive learning rate, got {rate!r}", file=file, path=f"{path}.learning_rate")
    if "unfreeze" in phase:
        _check_unfreeze(phase["unfreeze"], layer_names, file=file, path=f"{path}.unfreeze")


def check_phases(raw: dict[str, Any], *, file: str = "<string>") -> list[dict[str, Any]]:
    """The document's ``[[phases]]`` checked against its ``[[layers]]`` rows; ``[]`` when absent.

    With phases, the phases set the epochs: ``fit.epochs``/``fit.initial_epoch`` beside them would
    be silently overruled, so they are errors.
    """
    phases = raw.get("phases", [])
    if not isinstance(phases, list) or not phases:
        raise _fail("expected one or more [[phases]] tables", file=file, path="phases")
    if len(phases) > MAX_PHASES:
        raise _fail(f"{len(phases)} phases is over the limit of {MAX_PHASES}", file=file, path="phases")
    layers = raw.get("layers") or []
    names = [layer["name"] for layer in layers if isinstance(layer, dict) and isinstance(layer.get("name"), str)]
    for i, phase in enumerate(phases):
        _check_phase(phase, names, file=file, path=f"phases[{i}]")
    fit = raw.get("fit") or {}
    for key in ("epochs", "initial_epoch"):
        if isinstance(fit, dict) and key in fit:
            raise _fail(f"with [[phases]] each phase sets its own epochs; remove fit.{key}", file=file, path=f"fit.{key}")
    return phases


def phase_starts(phases: list[dict[str, Any]]) -> list[int]:
    """The epoch (0-based, as Keras' ``initial_epoch``) at which each phase begins."""
    starts, total = [], 0
    for phase in phases:
        starts.append(total)
        total += int(phase["epochs"])
    return starts


def total_epochs(phases: list[dict[str, Any]]) -> int:
    return sum(int(phase["epochs"]) for phase in phases)


def phase_at(phases: list[dict[str, Any]], epochs_done: int) -> int:
    """The index of the phase that trains the epoch after ``epochs_done`` (the last one when all are done)."""
    index = 0
    for i, start in enumerate(phase_starts(phases)):
        if epochs_done >= start:
            index = i
    return index
