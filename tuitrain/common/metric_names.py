"""Which keys of a training event are metrics, and which direction is better for a metric.

Shared by the trainer (checkpoints), the CLI progress printer and the app's charts, so a
new non-metric event field is declared once.  No Textual, no engine, no TensorFlow.
"""

from __future__ import annotations

# Keys of an event (see docs/internals.md, events.jsonl) that are bookkeeping, not metrics.
NOT_METRICS = frozenset({
    "kind", "step", "epoch", "time", "status", "message", "request", "partial", "batches",
    "epochs", "steps", "steps_per_epoch", "initial_epoch", "samples", "batch_size",
    "samples_per_s", "lr", "learning_rate", "batch", "size", "wall", "pid",
})

# Metric names for which a larger value is better (checkpoint_mode = "auto"), as Keras' ModelCheckpoint decides.
_MAX_HINTS = ("acc", "auc", "precision", "recall", "f1", "fmeasure", "iou", "r2")


def better_direction(metric: str) -> str:
    """``"max"`` for accuracy-like metric names, else ``"min"`` (losses, errors)."""
    name = metric.lower().removeprefix("val_")
    return "max" if any(h in name for h in _MAX_HINTS) else "min"
