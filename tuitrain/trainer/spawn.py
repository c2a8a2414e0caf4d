"""Start a trainer process that outlives the terminal and the app that started it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import tuitrain
from tuitrain.runs import lock
from tuitrain.runs.layout import BACKUP_DIR, CONTROL_FILE, LAST_CHECKPOINT, PRESET_FILE, RUN_JSON, TRAINER_LOG
from tuitrain.runs.record import new_record, process_fields, resumed_record
from tuitrain.runs.rundir import ACTIVE, FINAL, effective_status, new_run_dir, read_run_json, record_text, update_run_json
from tuitrain.runs.listing import default_runs_dir
from tuitrain.common.errors import TuitrainError
from tuitrain.common.fsutil import atomic_write_text

if TYPE_CHECKING:  # pragma: no cover
    from tuitrain.preset import Preset


def start_run(preset: "Preset", *, runs_dir: str | os.PathLike | None = None, resume: str | os.PathLike | None = None,
              trusted: bool = False, tf_config: str | None = None, name: str | None = None,
              env: dict[str, str] | None = None, info: dict | None = None) -> Path:
    """Write the run directory and spawn ``python -m tuitrain.trainer RUN_DIR``; return at once.

    With ``resume`` (a run directory) the same directory is reused: the trainer continues from
    ``checkpoints/last.keras`` and appends to ``events.jsonl`` and ``metrics.csv``. ``trusted``
    (``--trust``) lifts the preset's confinement for this attempt (``run.json: trusted``).

    ``tf_config`` (or ``TF_CONFIG`` already set) makes this process one of several machines: the
    chief writes the run directory; any other worker writes its own under ``RUNS/workers/``.

    A sweep's trials: ``name`` names the directory, ``env`` is added to the trainer's environment
    (``CUDA_VISIBLE_DEVICES``), ``info`` goes into ``run.json`` (``sweep``, ``warm_start``).
    """
    from tuitrain.trainer.distribute import cluster_from_env
    from tuitrain.trainer.fit_options import engine_options

    engine_options(preset.fit)  # a bad trainer option is reported now, not in the run's log
    # A malformed TF_CONFIG (set by the user, or --workers) is an error now: a trainer started on it waits forever.
    cluster = cluster_from_env({"TF_CONFIG": tf_config} if tf_config else None)
    now = time.time()
    created: Path | None = None
    if resume is not None:
        run_dir = Path(resume)
        if not read_run_json(run_dir):
            raise TuitrainError(f"{run_dir}: not a run directory (no {RUN_JSON}).")
    else:
        root, name = default_runs_dir(runs_dir), name or preset.name
        if cluster is not None and not cluster.is_chief:  # its own logs, apart from the chief's run
            root, name = root / "workers", f"{name}-worker{cluster.index}"
        try:
            run_dir = created = new_run_dir(root, name, now=now)
        except OSError as err:
            raise TuitrainError(f"{err.filename or root}: cannot create the run directory: {err.strerror or err}") from None
    # Taken before the run is looked at: of two launches of one run, only one gets past here.
    if resume is not None:  # a run that just ended may still be closing: its trainer lets go in a moment
        lock_fd = lock.acquire_after_exit(run_dir, lambda: read_run_json(run_dir).get("status") in FINAL)
    else:
        lock_fd = lock.acquire(run_dir)
    try:
        return _launch(preset, run_dir, resume is not None, now, lock_fd, trusted, tf_config, env or {}, info or {})
    except OSError as err:
        if created is not None:
            shutil.rmtree(created, ignore_errors=True)  # nothing of the run exists yet: leave no empty husk
        where = err.filename or getattr(err, "tuitrain_path", None) or run_dir
        raise TuitrainError(f"{where}: cannot start the run: {err.strerror or err}") from None
    finally:
        os.close(lock_fd)


def _write(path: Path, text: str) -> None:
    """``atomic_write_text`` whose error names the file (a full disk fails in write, which has no name)."""
    try:
        atomic_write_text(path, text)
    except OSError as err:
        err.tuitrain_path = path
        raise


def _launch(preset: "Preset", run_dir: Path, resume: bool, now: float, lock_fd: int, trusted: bool,
            tf_config: str | None, extra_env: dict[str, str], extra_info: dict) -> Path:
    from tuitrain.preset import dumps_preset

    if resume:
        info = read_run_json(run_dir)
        if effective_status(info) in ACTIVE:
            raise TuitrainError(f"{run_dir}: the run is still {info.get('status')} (pid {info.get('pid')}); stop it first.")
        if not (run_dir / LAST_CHECKPOINT).is_file() and not (run_dir / BACKUP_DIR).is_dir():
            raise TuitrainError(f"{run_dir}: no {LAST_CHECKPOINT} to resume from.")
        info = resumed_record(info, now=now)
    else:
        # The trainer resolves the preset's relative data paths where the user's preset would:
        # the original file's folder, or (an unsaved preset) the current directory.
        info = new_record(run_dir.name, preset.name, status="starting", now=now,
                          epochs_total=preset.fit.get("epochs", 1),
                          preset_path=str(preset.path.resolve()) if preset.path else None,
                          base_dir=str(preset.base_dir.resolve()))
    info["trusted"] = bool(trusted)
    info.update(extra_info)
    # Requests from now on are this attempt's, even those sent before the trainer has started reading.
    control = run_dir / CONTROL_FILE
    info["control_offset"] = control.stat().st_size if control.exists() else 0
    _write(run_dir / PRESET_FILE, dumps_preset(preset, original_text=preset.source_text))
    _write(run_dir / RUN_JSON, record_text(info))

    env = dict(os.environ)
    package_root = str(Path(tuitrain.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    env.setdefault("PYTHONUNBUFFERED", "1")
    env[lock.LOCK_FD_ENV] = str(lock_fd)  # the trainer keeps the run locked from here on
    if tf_config:
        env["TF_CONFIG"] = tf_config
    env.update(extra_env)
    with open(run_dir / TRAINER_LOG, "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tuitrain.trainer", str(run_dir.resolve())],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
            pass_fds=(lock_fd,),
            env=env,
        )
    update_run_json(run_dir, **process_fields(proc.pid))
    # Reap the trainer when it ends, so a long-lived app does not collect zombies.
    threading.Thread(target=proc.wait, name=f"reap-trainer-{proc.pid}", daemon=True).start()
    return run_dir
