"""``[[phases]]`` on a built Keras model: trainability and the optimizer of each phase.

The Keras transfer-learning guide fine-tunes in two steps: train the new head on a frozen
backbone, then unfreeze (part of) the backbone and recompile with a much lower learning rate.
BatchNormalization layers stay frozen when unfrozen around them: a frozen BatchNormalization
runs in inference mode in Keras 3, so its moving statistics are not wrecked by small batches.
Keras is imported inside functions (the app imports this module before TensorFlow loads).
"""

from __future__ import annotations

import copy
from typing import Any

from tuitrain.common.errors import SpecError
from tuitrain.model.compile import compile_model


def _sublayers(layer: Any) -> list:
    """The layers a container (a Functional/Sequential backbone) holds; ``[]`` for a plain layer."""
    return list(getattr(layer, "layers", None) or [])


def _is_batch_norm(layer: Any) -> bool:
    import keras

    return isinstance(layer, keras.layers.BatchNormalization)


def _target(model: Any, unfreeze: dict[str, Any], *, path: str) -> Any:
    try:
        return model.get_layer(unfreeze["layer"])
    except ValueError:
        raise SpecError(f"the model has no layer named '{unfreeze['layer']}'", path=f"{path}.layer") from None


def check_phases_on_model(model: Any, phases: list[dict[str, Any]]) -> None:
    """``top`` within the number of sublayers Keras built for that layer (errors name the phase)."""
    for i, phase in enumerate(phases):
        unfreeze = phase.get("unfreeze")
        if not unfreeze or "top" not in unfreeze:
            continue
        path = f"phases[{i}].unfreeze"
        layer = _target(model, unfreeze, path=path)
        count = len(_sublayers(layer))
        if count == 0:
            raise SpecError(f"'{unfreeze['layer']}' ({type(layer).__name__}) has no sublayers to count `top` in;"
                            " leave `top` out to unfreeze the whole layer", path=f"{path}.top")
        if unfreeze["top"] > count:
            raise SpecError(f"top = {unfreeze['top']} is out of range: '{unfreeze['layer']}' has {count} layers",
                            path=f"{path}.top")


def unfreeze(model: Any, spec: dict[str, Any], *, path: str = "phases.unfreeze") -> None:
    """Make ``spec['layer']`` trainable: its last ``top`` sublayers (all without ``top``),
    BatchNormalization kept frozen."""
    layer = _target(model, spec, path=path)
    inner = _sublayers(layer)
    if not inner:
        layer.trainable = True
        return
    layer.trainable = True  # Keras sets every sublayer; the ones before `top` are frozen again
    top = int(spec.get("top") or len(inner))
    for position, sub in enumerate(inner):
        if position < len(inner) - top or _is_batch_norm(sub):
            sub.trainable = False


def apply_phase_trainability(model: Any, phases: list[dict[str, Any]], index: int,
                             layers: list[dict[str, Any]] = ()) -> None:
    """The trainability of phase ``index``: the rows' own ``trainable`` as written (``layers``), then
    every unfreeze of the phases up to it, in order (a resumed run replays them on the model it loaded)."""
    named = {unfreeze_spec["layer"] for phase in phases if (unfreeze_spec := phase.get("unfreeze"))}
    for row in layers:
        if row.get("name") in named:
            _target(model, {"layer": row["name"]}, path="layers").trainable = bool(row.get("trainable", True))
    for i, phase in enumerate(phases[: index + 1]):
        if phase.get("unfreeze"):
            unfreeze(model, phase["unfreeze"], path=f"phases[{i}].unfreeze")


def phase_compile_spec(compile_spec: dict[str, Any], phase: dict[str, Any]) -> dict[str, Any]:
    """``[compile]`` with the phase's learning rate set on the optimizer (a bare name becomes a table)."""
    spec = copy.deepcopy(compile_spec)
    if "learning_rate" not in phase:
        return spec
    optimizer = spec.get("optimizer", "rmsprop")  # Keras' compile() default
    table = {"type": optimizer} if isinstance(optimizer, str) else dict(optimizer)
    table["learning_rate"] = float(phase["learning_rate"])
    spec["optimizer"] = table
    return spec


def compile_for_phase(model: Any, compile_spec: dict[str, Any], phase: dict[str, Any], index: int) -> None:
    """Recompile with a fresh optimizer (the trainable set changed), the phase's rate if it has one."""
    compile_model(model, phase_compile_spec(compile_spec, phase), path=f"phases[{index}]")


def frozen_random_warnings(preset: Any) -> list:
    """A backbone frozen with ``weights = "None"`` computes fixed random features: its frozen
    BatchNormalization layers (inference mode) shrink them towards zero, so the layers after it
    learn from almost nothing. That builds and runs, but it is not transfer learning: say so."""
    from tuitrain.model.warnings import Warn

    warns = []
    for i, row in enumerate(preset.layers):
        if row.get("trainable") is False and row.get("weights") == "None":
            name = row.get("name", row.get("type"))
            warns.append(Warn(f"layers[{i}].trainable",
                              f"'{name}' is frozen with random weights (weights = \"None\"): its features are not learned"
                              " from anything, so the layers after it train on noise until a phase unfreezes it."
                              ' Use weights = "imagenet" (from the Keras cache) for real transfer learning.'))
    return warns


def trainable_counts(model: Any) -> tuple[int, int]:
    """(trainable, frozen) parameter counts as Keras counts them now."""
    import numpy as np

    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    frozen = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    return trainable, frozen


def phase_lines(model: Any, preset: Any) -> list[str]:
    """What ``tuitrain check`` says of each phase: its epochs, what it changes, and the parameters
    Keras would train in it (trainability applied in turn, then left as phase 1 has it)."""
    from tuitrain.preset.phases import phase_starts

    lines = []
    for i, (phase, start) in enumerate(zip(preset.phases, phase_starts(preset.phases))):
        apply_phase_trainability(model, preset.phases, i, preset.layers)
        trainable, frozen = trainable_counts(model)
        end = start + int(phase["epochs"])
        what = [f"unfreeze {phase['unfreeze']['layer']}" + (f" top {phase['unfreeze']['top']}"
                                                            if "top" in phase["unfreeze"] else "")] if phase.get("unfreeze") else []
        what += [f"learning rate {float(phase['learning_rate']):g}"] if "learning_rate" in phase else []
        lines.append(f"phase {i + 1}: epochs {start + 1}-{end}" + (f", {', '.join(what)}" if what else "")
                     + f": {trainable:,} trainable, {frozen:,} frozen parameters")
    apply_phase_trainability(model, preset.phases, 0, preset.layers)
    return lines
