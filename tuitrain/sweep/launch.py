"""Starting a sweep: its directory, ``sweep.json``, and the controller as a detached process."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import tuitrain
from tuitrain.common.errors import TuitrainError
from tuitrain.common.fsutil import atomic_write_text
from tuitrain.runs.layout import CONTROL_FILE
from tuitrain.runs.listing import default_runs_dir
from tuitrain.runs.rundir import new_run_dir
from tuitrain.runs.layout import PRESET_FILE
from tuitrain.sweep.config import SweepConfig
from tuitrain.sweep.sweepdir import ACTIVE, CONTROLLER_LOG, ORACLE_DIR, load_sweep_json, sweep_status, write_sweep_json

if TYPE_CHECKING:  # pragma: no cover
    from tuitrain.preset import Preset


def new_sweep(preset: "Preset", config: SweepConfig, *, runs_dir: str | os.PathLike | None = None,
              role: str | None = None, chief: str | None = None) -> Path:
    """``RUNS/<preset>-sweep-<time>/`` with the resolved preset and a ``sweep.json`` that has no trials yet.

    ``role``: ``chief`` (serves the oracle at ``chief``, HOST:PORT) or ``worker`` (runs trials for it)."""
    from tuitrain.preset import dumps_preset

    now = time.time()
    try:
        name = f"{preset.name}-sweep" + ("-worker" if role == "worker" else "")
        sweep_dir = new_run_dir(default_runs_dir(runs_dir), name, now=now)
    except OSError as err:
        raise TuitrainError(f"{err.filename or runs_dir}: cannot create the sweep directory: {err.strerror or err}") from None
    atomic_write_text(sweep_dir / PRESET_FILE, dumps_preset(preset, original_text=preset.source_text))
    write_sweep_json(sweep_dir, {
        "kind": "sweep", "name": sweep_dir.name, "preset_name": preset.name, "status": "starting",
        "preset_path": str(preset.path.resolve()) if preset.path else None, "created": now, "started": now,
        "ended": None, "objective": config.objective, "direction": config.direction, "algorithm": config.algorithm,
        "max_trials": config.max_trials, "parallel": config.parallel, "seed": config.seed, "keys": config.keys,
        "space": preset.sweep.get("space", {}), "oracle_dir": ORACLE_DIR, "control_offset": 0, "trials": {},
        "pid": None, "error": None, "role": role, "chief": chief,
    })
    return sweep_dir


def spawn_controller(sweep_dir: Path) -> int:
    """Start ``python -m tuitrain.sweep SWEEP_DIR`` in its own session (it outlives the terminal); its pid."""
    data, problem = load_sweep_json(sweep_dir)
    if problem:
        raise TuitrainError(f"{sweep_dir}: {problem}")
    if data.get("pid") and sweep_status(data) in ACTIVE:
        raise TuitrainError(f"{sweep_dir}: its controller is still running (pid {data['pid']}); stop it first.")
    control = sweep_dir / CONTROL_FILE
    data.update(status="starting", pid=None, pid_started=None, control_offset=control.stat().st_size if control.exists() else 0)
    write_sweep_json(sweep_dir, data)
    env = dict(os.environ)
    package_root = str(Path(tuitrain.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    env.setdefault("PYTHONUNBUFFERED", "1")
    with open(sweep_dir / CONTROLLER_LOG, "ab") as log:
        proc = subprocess.Popen([sys.executable, "-m", "tuitrain.sweep", str(sweep_dir.resolve())],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True, close_fds=True, env=env)
    import threading

    threading.Thread(target=proc.wait, name=f"reap-sweep-{proc.pid}", daemon=True).start()
    return proc.pid
