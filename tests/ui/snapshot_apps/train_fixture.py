"""A finished run directory with fixed content, written with the engine's own writers.

Snapshots and attach tests need a run whose every number and timestamp is the same on every
machine, which a live training run cannot give; the curves follow a seeded formula instead.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np

from tuitrain.runs.events import EventWriter
from tuitrain.runs.layout import EVENTS_FILE
from tuitrain.runs.layout import PRESET_FILE, TRAINER_LOG
from tuitrain.runs.rundir import write_run_json

STARTED = 1767268800.0  # 2026-01-01 12:00:00 UTC
RUN_NAME = "spiral_mlp-20260101-120000"
EPOCHS = 12
STEPS = 25
SECONDS_PER_STEP = 0.05


def _curves(seed: int, speed: float):
    rng = np.random.default_rng(seed)
    total = EPOCHS * STEPS
    step = np.arange(1, total + 1)
    loss = 0.08 + 0.62 * np.exp(-step / (60 * speed)) + 0.03 * rng.standard_normal(total)
    loss[int(total * 0.55)] += 0.35  # one bad batch: the downsampler must keep it
    acc = np.clip(1.0 - loss / 1.4 + 0.01 * rng.standard_normal(total), 0.0, 1.0)
    return step, np.round(loss, 5), np.round(acc, 5)


def write_finished_run(root: str | Path, *, name: str = RUN_NAME, seed: int = 0, speed: float = 1.0) -> Path:
    """Create ``root/name`` as a finished 12-epoch spiral run; return its path."""
    from tuitrain.preset import find_preset

    run_dir = Path(root) / name
    run_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(find_preset("spiral_mlp"), run_dir / PRESET_FILE)
    writer = EventWriter(run_dir / EVENTS_FILE, flush_interval=3600.0, t0=0.0)
    clock = {"t": 0.0}
    writer.now = lambda: clock["t"]  # fixed timestamps instead of the wall clock
    writer.status("running", epochs=EPOCHS, steps_per_epoch=STEPS)
    step, loss, acc = _curves(seed, speed)
    best: dict[str, float] = {}
    for e in range(1, EPOCHS + 1):
        for i in range((e - 1) * STEPS, e * STEPS):
            clock["t"] = round(0.8 + step[i] * SECONDS_PER_STEP, 2)
            writer.batch(int(step[i]), e, {"loss": float(loss[i]), "accuracy": float(acc[i])}, 500.0 + 10 * (i % 7))
        sl = slice((e - 1) * STEPS, e * STEPS)
        metrics = {
            "loss": round(float(loss[sl].mean()), 5),
            "accuracy": round(float(acc[sl].mean()), 5),
            "val_loss": round(float(loss[sl].mean()) * 1.08 + 0.01, 5),
            "val_accuracy": round(float(acc[sl].mean()) * 0.98, 5),
            "lr": 0.01 if e <= 8 else 0.005,
        }
        for key in ("val_loss", "loss"):
            best[key] = min(best.get(key, math.inf), metrics[key])
        for key in ("val_accuracy", "accuracy"):
            best[key] = max(best.get(key, -math.inf), metrics[key])
        writer.epoch(e * STEPS, e, metrics, samples_per_s=505.0, epochs=EPOCHS, steps=STEPS)
    writer.status("finished", step=EPOCHS * STEPS, epoch=EPOCHS)
    writer.close()
    duration = clock["t"] + 0.4
    write_run_json(run_dir, {
        "name": name, "preset_name": "spiral_mlp", "status": "finished",
        "created": STARTED, "started": STARTED, "ended": STARTED + duration, "updated": STARTED + duration,
        "pid": None, "epochs_total": EPOCHS, "epochs_done": EPOCHS, "best": best,
        "monitor": "val_loss", "error": None,
    })
    (run_dir / TRAINER_LOG).write_text(
        "tuitrain trainer: spiral_mlp (800 training samples, 200 validation)\n"
        "model: 4,546 parameters\n"
        f"epoch {EPOCHS}/{EPOCHS} done\n"
        "saved model.keras\n"
        "finished\n",
        encoding="utf-8",
    )
    return run_dir


COMPARE_NAMES = ("spiral_mlp-20260101-120000", "spiral_mlp-20260101-130000")


def write_compare_runs(root: str | Path) -> list[Path]:
    """Two finished runs under ``root`` that learn at different speeds (the runs screen's overlay)."""
    return [write_finished_run(root, name=name, seed=seed, speed=1.0 + seed) for seed, name in enumerate(COMPARE_NAMES)]
