"""Keys under ``[fit]`` that the trainer reads itself rather than passing to ``model.fit``.

Kept apart from the trainer so that ``tuitrain.spec`` can validate a preset without importing
the engine (or TensorFlow).
"""

from __future__ import annotations

# checkpoint_monitor: metric whose best value picks checkpoints/best.keras (default val_loss, else loss)
# checkpoint_mode: "min" | "max" | "auto" (auto: max for accuracy-like names)
# tensorboard: write TensorBoard event files under tensorboard/ (bool)
# flush_interval: seconds between event flushes (default 0.25)
# log_every: batch events every N steps (default 1)
ENGINE_FIT_KEYS = ("checkpoint_monitor", "checkpoint_mode", "tensorboard", "flush_interval", "log_every")
