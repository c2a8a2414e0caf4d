"""Runs written straight to disk (run.json and preset.toml, no trainer): what `tuitrain runs` lists."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write_preset
from tests.tiny_preset import TINY
from tuitrain.runs.rundir import write_run_json


def fake_run(root: Path, name: str, *, units: int = 8, started: float = 100.0, description: str = "",
             **fields) -> Path:
    """A finished run ``root/name`` of the tiny preset with ``units`` in its first layer (and ``description``);
    ``fields`` replace those of its run.json."""
    path = root / name
    path.mkdir(parents=True)
    text = TINY.replace("units = 8", f"units = {units}")
    if description:
        text = text.replace("seed = 3\n", f"seed = 3\ndescription = {description!r}\n")
    write_preset(path, text, "preset.toml")
    info = {"name": name, "preset_name": "tiny", "status": "finished", "started": started, "ended": started + 65.0,
            "epochs_total": 5, "epochs_done": 5, "best": {"val_accuracy": 0.93, "val_loss": 0.2}, "monitor": "val_loss"}
    write_run_json(path, info | fields)
    return path
