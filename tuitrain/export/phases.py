"""``[[phases]]`` in an exported script: one ``fit`` per phase, the unfreeze and the recompile
between them written out as the Keras transfer-learning guide writes them."""

from __future__ import annotations

from typing import Any, Callable

from tuitrain.common.pycode import literal
from tuitrain.preset.phases import phase_starts


def unfreeze_lines(spec: dict[str, Any]) -> list[str]:
    """Make ``spec['layer']`` trainable (its last ``top`` sublayers), BatchNormalization kept frozen."""
    name = literal(spec["layer"]).flat()
    lines = [f"    unfrozen = model.get_layer({name})", "    unfrozen.trainable = True"]
    inner = "getattr(unfrozen, \"layers\", [])"
    if "top" in spec:
        lines += [f"    for layer in unfrozen.layers[:-{int(spec['top'])}]:", "        layer.trainable = False"]
    lines += [f"    for layer in {inner}:  # BatchNormalization stays in inference mode",
              "        if isinstance(layer, keras.layers.BatchNormalization):",
              "            layer.trainable = False"]
    return lines


def _title(i: int, phase: dict[str, Any], count: int) -> str:
    what = []
    if phase.get("unfreeze"):
        spec = phase["unfreeze"]
        # The name as a Python literal: preset text never reaches the script unquoted, not even a comment.
        what.append(f"unfreeze {literal(spec['layer']).flat()}" + (f" (its last {int(spec['top'])} layers)" if "top" in spec else ""))
    if "learning_rate" in phase:
        what.append(f"learning rate {float(phase['learning_rate']):g}")
    if not what:
        what.append("the layers' own `trainable` as written")
    return f"    # Phase {i + 1} of {count}: {int(phase['epochs'])} epochs; {', '.join(what)}"


def phases_lines(preset: Any, *, compile_lines: Callable[[dict[str, Any]], list[str]],
                 fit_lines: Callable[[int, int], list[str]]) -> list[str]:
    """Every phase in order: its unfreeze, a recompile (fresh optimizer, its rate) and its ``fit``,
    epochs counted on with ``initial_epoch``."""
    from tuitrain.model.phases import phase_compile_spec

    out: list[str] = []
    phases = preset.phases
    for i, (phase, start) in enumerate(zip(phases, phase_starts(phases))):
        out.append(_title(i, phase, len(phases)))
        if phase.get("unfreeze"):
            out += unfreeze_lines(phase["unfreeze"])
        if i > 0 or phase.get("unfreeze"):
            out += compile_lines(phase_compile_spec(preset.compile, phase))
        out += fit_lines(start, start + int(phase["epochs"]))
    return out
