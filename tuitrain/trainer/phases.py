"""Running a preset's ``[[phases]]`` one after the other in one run directory.

A run without phases is one phase of ``fit.epochs``. Each later phase changes trainability
(``tuitrain.model.phases``), recompiles with a fresh optimizer at the phase's learning rate, and
calls ``fit`` again with ``initial_epoch`` where the previous phase stopped, so epochs count on.
The phase a checkpoint belongs to travels inside it (``Checkpointer.phase``): ``--resume``
continues in that phase with its trainability and the optimizer state the checkpoint holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from tuitrain.preset.phases import phase_at, phase_starts


@dataclass
class Cursor:
    """Where training goes on: phase ``index`` (0-based) began at epoch ``start``."""

    index: int
    start: int


def phase_list(preset: Any, epochs: int, initial_epoch: int) -> list[dict[str, Any]]:
    """The preset's phases, or one phase of ``fit.epochs`` from ``fit.initial_epoch``."""
    return list(preset.phases) or [{"epochs": max(0, epochs - initial_epoch)}]


def resume_cursor(phases: list[dict[str, Any]], state: dict[str, Any], epochs_done: int, first_start: int) -> Cursor:
    """The phase a resumed run continues in: the checkpoint's own record, else the planned one."""
    index, start = state.get("phase"), state.get("phase_start")
    if not (isinstance(index, int) and isinstance(start, int) and 0 <= index < len(phases)):
        index = phase_at(phases, epochs_done - first_start)
        start = first_start + phase_starts(phases)[index]
    if epochs_done >= start + int(phases[index]["epochs"]):  # that phase is complete: the next one begins
        return Cursor(index + 1, epochs_done)
    return Cursor(index, start)


def phases_record(phases: list[dict[str, Any]], first_start: int = 0) -> list[dict[str, Any]]:
    """run.json's ``phases``: each phase's planned start epoch, epochs, rate and unfreeze."""
    record = []
    for phase, start in zip(phases, phase_starts(phases)):
        row = {"start_epoch": first_start + start, "epochs": int(phase["epochs"])}
        row.update({k: phase[k] for k in ("learning_rate", "unfreeze") if k in phase})
        record.append(row)
    return record


def unfreeze_text(phase: dict[str, Any]) -> str | None:
    spec = phase.get("unfreeze")
    if not spec:
        return None
    return f"{spec['layer']}" + (f" top {spec['top']}" if "top" in spec else "")


def continue_csv(live: Any) -> None:
    """A second ``fit`` appends to metrics.csv instead of starting it again."""
    import keras

    for part in getattr(live, "parts", ()):
        if isinstance(part, keras.callbacks.CSVLogger):
            part.append = True


def plan_epochs(live: Any, epochs: int) -> None:
    """Events and progress count against the run's epochs, not the current phase's last one."""
    from tuitrain.trainer.callbacks import StepCounter

    for part in getattr(live, "parts", ()):
        if isinstance(part, StepCounter):
            part.epochs_planned = epochs


class PhaseSwitch:
    """Enters a phase on the model: trainability, optimizer, the event and run.json's record."""

    def __init__(self, model: Any, preset: Any, phases: list[dict[str, Any]], *, scope: Callable[[], Any],
                 writer: Any, record: Callable[..., None]) -> None:
        self.model, self.preset, self.phases = model, preset, phases
        self.scope, self.writer, self.record = scope, writer, record

    def enter(self, cursor: Cursor, *, resumed: bool, step: int) -> None:
        """``resumed``: the model came from a checkpoint of this phase (its optimizer state is kept)."""
        from tuitrain.model.phases import apply_phase_trainability, compile_for_phase, trainable_counts

        phase = self.phases[cursor.index]
        with self.scope():
            before = trainable_counts(self.model)
            apply_phase_trainability(self.model, self.phases, cursor.index, self.preset.layers)
            changed = trainable_counts(self.model) != before
            if changed or (cursor.index > 0 and not resumed):  # a trainable set Keras has not compiled for
                compile_for_phase(self.model, self.preset.compile, phase, cursor.index)
        if not self.preset.phases:
            return
        trainable, frozen = trainable_counts(self.model)
        self.writer.phase(cursor.index + 1, step=step, epoch=cursor.start, phases=len(self.phases),
                          start_epoch=cursor.start, epochs=int(phase["epochs"]),
                          learning_rate=phase.get("learning_rate"), unfreeze=unfreeze_text(phase),
                          trainable_params=trainable, frozen_params=frozen, resumed=resumed or None)
        self.writer.log(f"phase {cursor.index + 1} of {len(self.phases)} from epoch {cursor.start + 1}: "
                        f"{trainable:,} trainable, {frozen:,} frozen parameters")
        self.record(cursor.index, cursor.start, trainable, frozen)
