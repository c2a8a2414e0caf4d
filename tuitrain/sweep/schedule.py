"""Where trials run: ``parallel`` slots, each with its own GPU when there are GPUs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Slot:
    """One place a trial runs. Its ``tuner_id`` is how KerasTuner's oracle tells running trials apart."""

    index: int
    gpu: str | None = None  # the CUDA id the trial sees as its only GPU
    prefix: str = ""  # several machines: this worker's name, so tuner ids differ across workers

    @property
    def tuner_id(self) -> str:
        return f"{self.prefix}slot{self.index}"

    def env(self) -> dict[str, str]:
        """What the trial's trainer process gets on top of ours: one visible GPU (or none to hide)."""
        return {} if self.gpu is None else {"CUDA_VISIBLE_DEVICES": self.gpu}


def plan_slots(parallel: int | None, gpus: list[str], *, prefix: str = "") -> list[Slot]:
    """``parallel`` slots (default: one per GPU, or 1 without GPUs); GPUs dealt round-robin."""
    if not gpus:
        return [Slot(i, None, prefix) for i in range(parallel or 1)]
    return [Slot(i, gpus[i % len(gpus)], prefix) for i in range(parallel or len(gpus))]
