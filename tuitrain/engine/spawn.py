"""Start a trainer process that outlives the terminal and the app that started it."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import tuitrain
from tuitrain.engine.control import CONTROL_FILE
from tuitrain.engine.rundir import (
    ACTIVE,
    LAST_CHECKPOINT,
    PRESET_FILE,
    TRAINER_LOG,
    effective_status,
    environment_info,
    new_run_dir,
    process_start_time,
    read_run_json,
    update_run_json,
    write_run_json,
)
from tuitrain.engine.runs import default_runs_dir
from tuitrain.errors import TuitrainError
from tuitrain.fsutil import atomic_write_text

if TYPE_CHECKING:  # pragma: no cover
    from tuitrain.spec import Preset


def start_run(preset: "Preset", *, runs_dir: str | os.PathLike | None = None, resume: str | os.PathLike | None = None) -> Path:
    """Write the run directory and spawn ``python -m tuitrain.engine RUN_DIR``; return at once.

    With ``resume`` (a run directory) the same directory is reused: the trainer continues from
    ``checkpoints/last.keras`` and appends to ``events.jsonl`` and ``metrics.csv``.
    """
    from tuitrain.engine.fit_options import engine_options
    from tuitrain.spec import dumps_preset

    engine_options(preset.fit)  # a bad trainer option is reported now, not in the run's log
    now = time.time()
    if resume is not None:
        run_dir = Path(resume)
        info = read_run_json(run_dir)
        if not info:
            raise TuitrainError(f"{run_dir}: not a run directory (no run.json).")
        if effective_status(info) in ACTIVE:
            raise TuitrainError(f"{run_dir}: the run is still {info.get('status')} (pid {info.get('pid')}); stop it first.")
        if not (run_dir / LAST_CHECKPOINT).is_file():
            raise TuitrainError(f"{run_dir}: no checkpoints/last.keras to resume from.")
        history = list(info.get("attempts", []))
        history.append({k: info.get(k) for k in ("started", "ended", "epochs_done", "error")} | {"status": effective_status(info)})
        info.update(status="starting", pid=None, pid_started=None, error=None, message=None, ended=None,
                    created=now, resumed=True, attempts=history)
    else:
        run_dir = new_run_dir(default_runs_dir(runs_dir), preset.name, now=now)
        info = {
            "name": run_dir.name,
            "preset_name": preset.name,
            "status": "starting",
            "created": now,
            "started": now,
            "ended": None,
            "pid": None,
            "epochs_total": preset.fit.get("epochs", 1),
            "epochs_done": 0,
            "best": {},
            "error": None,
        }
    if resume is None:
        # The trainer resolves the preset's relative data paths where the user's preset would:
        # the original file's folder, or (an unsaved preset) the current directory.
        info["preset_path"] = str(preset.path.resolve()) if preset.path else None
        info["base_dir"] = str(preset.base_dir.resolve())
    info.update(environment_info())
    # Requests from now on are this attempt's, even those sent before the trainer has started reading.
    control = run_dir / CONTROL_FILE
    info["control_offset"] = control.stat().st_size if control.exists() else 0
    atomic_write_text(run_dir / PRESET_FILE, dumps_preset(preset, original_text=preset.source_text))
    write_run_json(run_dir, info)

    env = dict(os.environ)
    package_root = str(Path(tuitrain.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    env.setdefault("PYTHONUNBUFFERED", "1")
    with open(run_dir / TRAINER_LOG, "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tuitrain.engine", str(run_dir.resolve())],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
            env=env,
        )
    update_run_json(run_dir, pid=proc.pid, pid_started=process_start_time(proc.pid))
    # Reap the trainer when it ends, so a long-lived app does not collect zombies.
    threading.Thread(target=proc.wait, name=f"reap-trainer-{proc.pid}", daemon=True).start()
    return run_dir
