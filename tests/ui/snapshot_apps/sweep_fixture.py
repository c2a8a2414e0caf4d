"""A sweep directory with fixed content: 5 trials (3 finished, 1 running, 1 failed) with their runs.

The running trial and the controller carry this process's pid (with its start time), so they read
as alive while the test runs; everything else (values, scores, epochs) is fixed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from tuitrain.runs.events import EventWriter
from tuitrain.runs.layout import EVENTS_FILE
from tuitrain.runs.rundir import process_start_time, write_run_json

KEYS = ["layers.0.units", "layers.1.rate", "compile.optimizer.learning_rate"]
# trial id → (values, status, per-epoch val_accuracy, error)
TRIALS = {
    "0": ((8, 0.1, 0.003), "finished", [0.55, 0.66, 0.74, 0.78, 0.80, 0.81, 0.82, 0.82], None),
    "1": ((64, 0.0, 0.02), "finished", [0.62, 0.78, 0.85, 0.88, 0.90, 0.91, 0.91, 0.91], None),
    "2": ((32, 0.4, 0.03), "failed", [], "ValueError: NaN loss at step 12"),
    "3": ((32, 0.2, 0.008), "running", [0.60, 0.72], None),
    "4": ((8, 0.3, 0.001), "finished", [0.50, 0.58, 0.64, 0.69, 0.72, 0.73, 0.75, 0.75], None),
}


def _alive() -> dict:
    return {"pid": os.getpid(), "pid_started": process_start_time(os.getpid())}


def _write_run(run: Path, status: str, accuracy: list[float], error: str | None, values: dict) -> None:
    run.mkdir(parents=True)
    writer = EventWriter(run / EVENTS_FILE, t0=0.0)
    for epoch, acc in enumerate(accuracy, start=1):
        writer.epoch(epoch * 10, epoch, {"loss": round(1.2 - acc, 4), "accuracy": acc + 0.01,
                                         "val_loss": round(1.25 - acc, 4), "val_accuracy": acc},
                     samples_per_s=1000.0, epochs=8, steps=10)
    writer.close()
    info = {"name": run.name, "preset_name": "sweep_spiral", "status": status, "started": 1.0e9,
            "ended": None if status == "running" else 1.0e9 + 30, "epochs_done": len(accuracy), "epochs_total": 8,
            "error": error, "best": {"val_accuracy": max(accuracy)} if accuracy else {},
            "sweep": {"dir": str(run.parent), "trial": run.name.split("-")[1], "values": values}}
    info.update(_alive() if status == "running" else {"pid": None})
    write_run_json(run, info)


def write_sweep(root: str | os.PathLike, *, status: str = "running") -> Path:
    sweep_dir = Path(root) / "sweep_spiral-sweep-20261205-120000"
    sweep_dir.mkdir(parents=True)
    trials = {}
    for trial_id, (values, trial_status, accuracy, error) in TRIALS.items():
        named = dict(zip(KEYS, values))
        run = sweep_dir / f"trial-{trial_id}-20261205-12000{trial_id}"
        _write_run(run, trial_status, accuracy, error, named)
        trials[trial_id] = {"run": run.name, "values": named, "status": trial_status, "error": error,
                            "score": max(accuracy) if trial_status == "finished" else None}
    data = {"kind": "sweep", "name": sweep_dir.name, "status": status, "objective": "val_accuracy",
            "direction": "max", "algorithm": "random", "max_trials": 6, "keys": KEYS, "started": 1.0e9,
            "trials": trials, **(_alive() if status == "running" else {"pid": None})}
    (sweep_dir / "sweep.json").write_text(json.dumps(data, indent=1))
    return sweep_dir
