"""The phases editor's rules: ``[[phases]]`` rows ↔ form values, and what adding the first phase
or removing the last does to ``fit.epochs`` (with phases, the phases set the epochs).

Plain functions on a preset (no widgets); the Compile pane hands them to the app's one edit door.
"""

from __future__ import annotations

from typing import Any

# The phase form's fields, in order: (name, annotation, what it means).
PHASE_FIELDS = (
    ("epochs", "int", "epochs this phase trains (epochs count on from the previous phase)"),
    ("learning_rate", "float", "rebuild the optimizer at this rate (empty: [compile]'s optimizer as written)"),
    ("unfreeze_layer", "str", "a named [[layers]] row to make trainable (a keras.applications backbone)"),
    ("top", "int", "only its last N layers (empty: all of it); BatchNormalization stays frozen"),
)


def phase_rows(p: Any) -> list[dict[str, Any]]:
    """The preset's phases as copies to edit."""
    return [dict(phase, **({"unfreeze": dict(phase["unfreeze"])} if "unfreeze" in phase else {}))
            for phase in p.phases]


def phase_text(phase: dict[str, Any], index: int, start: int) -> str:
    """One line of the list: "2 · epochs 3–4 · unfreeze backbone top 20 · lr 1e-05"."""
    epochs = int(phase.get("epochs", 1))
    span = f"epoch {start + 1}" if epochs == 1 else f"epochs {start + 1}–{start + epochs}"
    parts = [f"{index + 1} · {span}"]
    spec = phase.get("unfreeze")
    if spec:
        parts.append(f"unfreeze {spec.get('layer')}" + (f" top {spec['top']}" if "top" in spec else ""))
    if "learning_rate" in phase:
        parts.append(f"lr {phase['learning_rate']:g}")
    if len(parts) == 1:
        parts.append("layers' own trainable")
    return " · ".join(parts)


def form_values(phase: dict[str, Any] | None) -> dict[str, Any]:
    """A phase as the form's flat fields."""
    phase = phase or {}
    values = {k: phase[k] for k in ("epochs", "learning_rate") if k in phase}
    spec = phase.get("unfreeze") or {}
    if "layer" in spec:
        values["unfreeze_layer"] = spec["layer"]
    if "top" in spec:
        values["top"] = spec["top"]
    return values


def phase_from_form(values: dict[str, Any]) -> dict[str, Any]:
    """The form's fields as a ``[[phases]]`` table (``unfreeze`` only when a layer is named)."""
    phase: dict[str, Any] = {"epochs": int(values.get("epochs") or 1)}
    if values.get("learning_rate") is not None:
        phase["learning_rate"] = float(values["learning_rate"])
    if values.get("unfreeze_layer"):
        phase["unfreeze"] = {"layer": str(values["unfreeze_layer"])}
        if values.get("top") is not None:
            phase["unfreeze"]["top"] = int(values["top"])
    return phase


def set_phases(p: Any, phases: list[dict[str, Any]]) -> None:
    """Replace the phases. The first phase takes over ``fit.epochs`` (they cannot both be set);
    removing the last one gives ``fit`` back the epochs the phases trained."""
    if phases and not p.phases:
        epochs = p.fit.pop("epochs", None)
        p.fit.pop("initial_epoch", None)
        if epochs and phases and "epochs" not in phases[0]:
            phases[0]["epochs"] = epochs
    elif not phases and p.phases:
        p.fit["epochs"] = sum(int(phase.get("epochs", 1)) for phase in p.phases)
    p.phases = phases


def add_phase(p: Any, phase: dict[str, Any]) -> None:
    """A new last phase; the first one added also makes the current ``fit.epochs`` phase 1."""
    phases = phase_rows(p)
    if not phases:
        phases = [{"epochs": int(p.fit.get("epochs", 1))}]
    set_phases(p, [*phases, phase])


def layer_names(p: Any) -> list[str]:
    """The named rows a phase may unfreeze."""
    return [str(layer["name"]) for layer in p.layers if isinstance(layer.get("name"), str)]
