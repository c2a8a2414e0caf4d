"""The Preset dataclass and the names of the keys a preset may hold.

A preset is a TOML file that describes one training job completely; ``layers`` etc. stay
plain dicts and lists as in the file.  No TensorFlow here: the app shows a preset before
TensorFlow has loaded.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TOP_LEVEL_KEYS = ("name", "description", "seed", "outputs", "inputs", "data", "layers", "compile", "fit", "distribute", "phases", "sweep")
COMPILE_KEYS = (
    "optimizer",
    "loss",
    "metrics",
    "loss_weights",
    "weighted_metrics",
    "run_eagerly",
    "steps_per_execution",
    "jit_compile",
    "auto_scale_loss",
)
# Arguments of `model.fit` a preset may set; the data itself comes from [data].
FIT_KEYS = (
    "epochs",
    "batch_size",
    "shuffle",
    "callbacks",
    "class_weight",
    "initial_epoch",
    "steps_per_epoch",
    "validation_steps",
    "validation_batch_size",
    "validation_freq",
)


# Keys under [fit] that the trainer (not `model.fit`) reads: see tuitrain.trainer.fit_options.
# Declared here so that validating a preset never imports the engine package.
# checkpoint_monitor: metric whose best value picks checkpoints/best.keras (default val_loss, else loss)
# checkpoint_mode: "min" | "max" | "auto" (auto: max for accuracy-like names)
# checkpoint_every: at least this many seconds between checkpoint writes during training
#   (default 5; 0 = every epoch). The first epoch and the end of training always write.
# tensorboard: write TensorBoard event files under tensorboard/ (bool)
# flush_interval: seconds between event flushes (default 0.25)
# log_every: batch events every N steps (default 1)
# system_every: seconds between system samples (CPU, memory, GPUs) in system.jsonl (default 2; 0 = none)
ENGINE_FIT_KEYS = (
    "checkpoint_monitor",
    "checkpoint_mode",
    "checkpoint_every",
    "tensorboard",
    "flush_interval",
    "log_every",
    "system_every",
)


@dataclass
class Preset:
    """One training job. ``layers`` etc. are plain dicts/lists as in the TOML file."""

    name: str
    description: str = ""
    seed: int = 0
    data: dict[str, Any] = field(default_factory=dict)
    layers: list[dict[str, Any]] = field(default_factory=list)
    compile: dict[str, Any] = field(default_factory=dict)
    fit: dict[str, Any] = field(default_factory=dict)
    inputs: list[dict[str, Any]] = field(default_factory=list)  # [[inputs]]: name, shape, dtype per model input
    outputs: list[str] = field(default_factory=list)  # the layers whose results the model returns
    distribute: dict[str, Any] = field(default_factory=dict)  # devices and precision: tuitrain.preset.distribute
    phases: list[dict[str, Any]] = field(default_factory=list)  # [[phases]]: fine-tuning steps, tuitrain.preset.phases
    sweep: dict[str, Any] = field(default_factory=dict)  # [sweep]: a hyper-parameter search, checked by tuitrain.sweep
    path: Path | None = None
    # The text the preset was read from: saving merges edits into it to keep comments.
    source_text: str | None = field(default=None, repr=False, compare=False)
    # Trust comes only from the person (``--trust``, the app's confirmation), for one invocation:
    # never read from or saved to the file (DESIGN §1.7; see tuitrain.model.confine).
    trusted: bool = field(default=False, compare=False)

    @property
    def base_dir(self) -> Path:
        """Directory that relative paths in the preset (data files) are resolved against."""
        return self.path.parent if self.path is not None else Path.cwd()

    @property
    def is_functional(self) -> bool:
        return any("inputs" in layer for layer in self.layers)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict in the canonical key order (the order a new file is written in)."""
        out: dict[str, Any] = {"name": self.name}
        if self.description:
            out["description"] = self.description
        out["seed"] = self.seed
        for key in ("outputs", "inputs", "data", "layers", "compile", "fit", "phases", "distribute", "sweep"):
            value = getattr(self, key)
            if value:
                out[key] = copy.deepcopy(value)
        return out

    def copy(self) -> "Preset":
        """A deep copy to edit; the original stays as it was (the app replaces, never mutates)."""
        return Preset(**{**self.to_dict(), "path": self.path, "source_text": self.source_text, "trusted": self.trusted})


def layer_inputs(layer: dict[str, Any]) -> list:
    """A layer's ``inputs`` as a list: the preset may give one name or several."""
    value = layer.get("inputs", [])
    return value if isinstance(value, list) else [value]

