"""A runs folder with fixed content: five finished spiral runs that differ in optimizer, width and rate.

Each run is the 12-epoch run of ``train_fixture`` (seeded curves, fixed timestamps) with its
``preset.toml`` changed, so the runs list has settings to compare, filter and group by.
"""

from __future__ import annotations

from pathlib import Path

from tests.ui.snapshot_apps.train_fixture import STARTED, write_finished_run
from tuitrain.runs.layout import PRESET_FILE
from tuitrain.runs.rundir import read_run_json, write_run_json

# name → (optimizer, units of the first layer, learning rate, curve speed)
RUNS = {
    "spiral_mlp-20260101-120000": ("Adam", 64, 0.01, 1.0),
    "spiral_mlp-20260102-120000": ("Adam", 32, 0.01, 1.4),
    "spiral_mlp-20260103-120000": ("SGD", 64, 0.05, 2.0),
    "spiral_mlp-20260104-120000": ("SGD", 32, 0.1, 2.6),
    "spiral_mlp-20260105-120000": ("Adam", 64, 0.001, 3.0),
}
DAY = 86400.0


def write_runs(root: str | Path) -> list[Path]:
    """Write the five runs under ``root``; return their paths, oldest first."""
    paths = []
    for i, (name, (optimizer, units, rate, speed)) in enumerate(RUNS.items()):
        run = write_finished_run(root, name=name, seed=i, speed=speed)
        preset = run / PRESET_FILE
        text = preset.read_text(encoding="utf-8")
        text = text.replace('optimizer = { type = "Adam", learning_rate = 0.01 }',
                            f'optimizer = {{ type = "{optimizer}", learning_rate = {rate} }}')
        text = text.replace("units = 64", f"units = {units}", 1)
        preset.write_text(text, encoding="utf-8")
        info = read_run_json(run)
        info["started"] = info["created"] = STARTED + i * DAY
        info["ended"] = info["updated"] = info["started"] + 16.0
        write_run_json(run, info)
        paths.append(run)
    return paths
