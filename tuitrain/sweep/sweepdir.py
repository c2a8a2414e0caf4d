"""The sweep directory: ``sweep.json``, KerasTuner's saved oracle (``oracle/``) and one run directory per trial.

Only the controller writes ``sweep.json`` (atomically); the app, ``tuitrain sweeps`` and ``tuitrain
runs`` read it without TensorFlow. A copied or crafted directory is untrusted: reads are bounded
and a malformed file is a reason, not a crash.
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tuitrain.common.fsutil import UnreadableFile, atomic_write_text, read_bounded
from tuitrain.common.safetext import clean_line
from tuitrain.runs.listing import default_runs_dir
from tuitrain.runs.layout import RUN_JSON
from tuitrain.runs.rundir import RunInfo, process_alive

SWEEP_JSON = "sweep.json"
ORACLE_DIR = "oracle"  # KerasTuner's project directory: oracle.json and trial_*/trial.json
CONTROLLER_LOG = "controller.log"
MAX_SWEEP_JSON_BYTES = 16 * 1024 * 1024
ACTIVE = ("starting", "running", "paused", "stopping")
TRIAL_RUNNING = "running"


def plain_name(name: object) -> str | None:
    """A trial's run directory name from sweep.json, only when it names a folder right inside the sweep."""
    ok = isinstance(name, str) and name and "/" not in name and "\\" not in name and name not in (".", "..")
    return name if ok else None


def is_sweep(path: str | os.PathLike) -> bool:
    return (Path(path) / SWEEP_JSON).is_file()


def load_sweep_json(sweep_dir: str | os.PathLike) -> tuple[dict[str, Any], str | None]:
    """``sweep.json`` and ``None``, or ``{}`` and why it cannot be read."""
    path = Path(sweep_dir) / SWEEP_JSON
    try:
        data = json.loads(read_bounded(path, MAX_SWEEP_JSON_BYTES, what=SWEEP_JSON).decode("utf-8"))
    except FileNotFoundError:
        return {}, "no sweep.json"
    except (UnreadableFile, OSError, RecursionError, ValueError) as err:
        return {}, f"sweep.json cannot be read: {str(err).removeprefix(f'{path}: ')[:80]}"
    if not isinstance(data, dict) or not isinstance(data.get("trials", {}), dict):
        return {}, "sweep.json is not a sweep's record"
    return data, None


def write_sweep_json(sweep_dir: str | os.PathLike, data: dict[str, Any]) -> None:
    data["updated"] = time.time()
    atomic_write_text(Path(sweep_dir) / SWEEP_JSON, json.dumps(data, indent=1, default=str) + "\n")


def sweep_status(data: dict[str, Any]) -> str:
    """The recorded status, or ``interrupted`` when it says active but its controller is gone."""
    status = data.get("status")
    if not isinstance(status, str):
        return "unknown"
    updated = data.get("updated")
    if status == "starting" and data.get("pid") is None and isinstance(updated, (int, float)) and time.time() - updated < 60:
        return status  # the controller is importing TensorFlow; it writes its pid next
    started = data.get("pid_started")  # a pid counts only with its start time (sweep.json may be crafted)
    if status in ACTIVE and (not isinstance(started, (int, float)) or not process_alive(data.get("pid"), started)):
        return "interrupted"  # `tuitrain sweep --resume DIR` goes on
    return status


@dataclass
class Trial:
    """One trial as the app and the CLI show it."""

    trial_id: str
    run_dir: Path | None
    values: dict[str, Any]
    status: str
    score: float | None
    error: str | None = None
    epochs_done: int = 0
    epochs_total: int | None = None


@dataclass
class SweepInfo:
    path: Path
    name: str
    status: str
    objective: str
    direction: str
    algorithm: str
    keys: list[str]
    max_trials: int
    trials: list[Trial] = field(default_factory=list)
    error: str | None = None
    started: float | None = None

    @classmethod
    def from_dir(cls, sweep_dir: str | os.PathLike) -> "SweepInfo":
        path = Path(sweep_dir)
        data, problem = load_sweep_json(path)
        if problem:
            return cls(path, clean_line(path.name), "invalid", "", "min", "", [], 0, error=problem)
        direction = "max" if data.get("direction") == "max" else "min"
        trials = [_trial(path, tid, t) for tid, t in data.get("trials", {}).items() if isinstance(t, dict)]
        keys = [k for k in data.get("keys", []) if isinstance(k, str)]
        return cls(path, clean_line(path.name), sweep_status(data), clean_line(str(data.get("objective", ""))),
                   direction, clean_line(str(data.get("algorithm", ""))), keys, _int(data.get("max_trials")),
                   rank(trials, direction), _text(data.get("error")), _num(data.get("started")))

    @property
    def best(self) -> Trial | None:
        return next((t for t in self.trials if t.status == "finished" and t.score is not None), None)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for t in self.trials:
            out[t.status] = out.get(t.status, 0) + 1
        return out


def _trial(sweep_dir: Path, trial_id: str, record: dict[str, Any]) -> Trial:
    run = plain_name(record.get("run"))
    run_dir = sweep_dir / run if run else None
    status = record.get("status") if isinstance(record.get("status"), str) else "unknown"
    done, total = 0, None
    if run_dir is not None and (run_dir / RUN_JSON).exists():
        info = RunInfo.from_dir(run_dir)
        done, total = info.epochs_done, info.epochs_total
        if status == TRIAL_RUNNING and info.status in ("crashed", "failed", "finished", "stopped"):
            status = info.status if info.status != "finished" else "ending"  # the controller has not looked yet
    values = record.get("values") if isinstance(record.get("values"), dict) else {}
    return Trial(clean_line(str(trial_id)), run_dir, values, clean_line(status), _num(record.get("score")),
                 _text(record.get("error")), done, total if isinstance(total, int) else None)


def rank(trials: list[Trial], direction: str) -> list[Trial]:
    """Scored trials best first (by the objective's direction), then running, then the rest by id."""
    sign = -1.0 if direction == "max" else 1.0

    def key(t: Trial) -> tuple:
        if t.score is not None:
            return (0, sign * t.score, t.trial_id)
        return (1 if t.status in (TRIAL_RUNNING, "ending") else 2, 0.0, t.trial_id)

    return sorted(trials, key=key)


def list_sweeps(runs_dir: str | os.PathLike | None = None) -> list[SweepInfo]:
    """Every sweep directly under the runs root, newest first."""
    root = default_runs_dir(runs_dir)
    try:
        dirs = [p for p in root.iterdir() if p.is_dir() and (p / SWEEP_JSON).exists()]
    except (FileNotFoundError, NotADirectoryError):
        return []
    infos = [SweepInfo.from_dir(p) for p in dirs]
    infos.sort(key=lambda s: (s.started or 0.0, s.name), reverse=True)
    return infos


def _num(value: Any) -> float | None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    return float(value) if ok else None


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _text(value: Any) -> str | None:
    return clean_line(value) if isinstance(value, str) and value else None
