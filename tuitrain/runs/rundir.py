"""The run directory: ``run.json`` (written atomically) and what it says about a run.

``run.json`` is rewritten whole (temp file + rename, see ``tuitrain.common.fsutil``) so a reader never
sees half of it. Only the launcher (status ``starting``) and then the trainer write it.
"""

from __future__ import annotations

import json
import math
import os
import platform
import re
import socket
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from tuitrain.common.fsutil import UnreadableFile, atomic_write_text, read_bounded
from tuitrain.common.safetext import clean, clean_line

from tuitrain.runs.layout import RUN_JSON, RUN_JSON_LOCK

NO_RUN_JSON = f"no {RUN_JSON}"  # load_run_json's word for a directory that is not a run

ACTIVE = ("starting", "running", "paused", "stopping")
FINAL = ("finished", "stopped", "failed", "crashed")


# Characters of a name in a run directory's name: with the time stamp it stays far under a file name's 255 bytes.
MAX_RUN_NAME = 100


def new_run_dir(runs_dir: Path, preset_name: str, *, now: float | None = None) -> Path:
    """Create ``runs_dir/<preset>-<YYYYmmdd-HHMMSS>`` (``-2``, ``-3``… when taken) and return it."""
    stamp = datetime.fromtimestamp(time.time() if now is None else now).strftime("%Y%m%d-%H%M%S")
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", preset_name)[:MAX_RUN_NAME].strip("._") or "run"
    runs_dir.mkdir(parents=True, exist_ok=True)
    for n in range(1, 1000):
        path = runs_dir / (f"{safe}-{stamp}" if n == 1 else f"{safe}-{stamp}-{n}")
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue
    raise FileExistsError(f"cannot create a run directory under {runs_dir}")


# run.json is a few KB; anything far larger was not written by a trainer.
MAX_RUN_JSON_BYTES = 4 * 1024 * 1024


def load_run_json(run_dir: str | os.PathLike) -> tuple[dict[str, Any], str | None]:
    """``run.json`` as a dict and ``None``, or ``{}`` and a one-line reason it cannot be read.

    Bounded: a huge file, a symlink to a device or JSON nested thousands deep is a reason, not a
    hang or a crash.
    """
    path = Path(run_dir) / RUN_JSON
    try:
        data = json.loads(read_bounded(path, MAX_RUN_JSON_BYTES, what=RUN_JSON).decode("utf-8"))
    except FileNotFoundError:
        return {}, NO_RUN_JSON
    except UnreadableFile as err:
        return {}, str(err).removeprefix(f"{path}: ")
    except OSError as err:
        return {}, f"{RUN_JSON} cannot be read: {err.strerror or err}"
    except RecursionError:
        return {}, f"{RUN_JSON} is nested too deeply"
    except ValueError as err:  # JSON or UTF-8
        return {}, f"{RUN_JSON} is not valid JSON: {str(err)[:80]}"
    if not isinstance(data, dict):
        return {}, f"{RUN_JSON} holds a {type(data).__name__}, not an object"
    return data, None


def read_run_json(run_dir: str | os.PathLike) -> dict[str, Any]:
    """``run.json`` as a dict; ``{}`` when missing or unreadable (a directory that is not a run)."""
    return load_run_json(run_dir)[0]


# Seconds since 1970 a run can have started or ended at (year 5138): a later "time" was not written by a clock.
MAX_TIME = 1e11
MAX_COUNT = 10 ** 9  # epochs: a larger count was not written by a trainer
MAX_BEST = 1000  # metrics in ``best``


def _is_number(value: Any) -> bool:
    """A finite int or float (a 400-digit integer is not: it has no float, and ``isfinite`` would raise)."""
    if type(value) not in (int, float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _is_time(value: Any) -> bool:
    return _is_number(value) and 0 <= value <= MAX_TIME


def _is_count(value: Any) -> bool:
    return type(value) is int and 0 <= value <= MAX_COUNT


def _is_best(value: Any) -> bool:
    return isinstance(value, dict) and len(value) <= MAX_BEST and all(
        isinstance(k, str) and len(k) <= 200 and _is_number(v) and abs(v) <= 1e300 for k, v in value.items())


_RUN_FIELDS: dict[str, tuple[Any, str]] = {
    "status": (lambda v: isinstance(v, str) and 0 < len(v) <= 32, "a status word"),
    "name": (lambda v: isinstance(v, str), "text"),
    "preset_name": (lambda v: isinstance(v, str), "text"),
    "monitor": (lambda v: isinstance(v, str), "a metric name"),
    "error": (lambda v: isinstance(v, str), "text"),
    "message": (lambda v: isinstance(v, str), "text"),
    "created": (_is_time, "a time in seconds since 1970"),
    "started": (_is_time, "a time in seconds since 1970"),
    "ended": (_is_time, "a time in seconds since 1970"),
    "updated": (_is_time, "a time in seconds since 1970"),
    "pid_started": (_is_time, "a time in seconds since 1970"),
    "pid": (lambda v: type(v) is int and 0 < v < 2**31, "a process id"),
    "epochs_done": (_is_count, "a count of epochs"),
    "epochs_total": (_is_count, "a count of epochs"),
    "best": (_is_best, "metric names and finite numbers"),
    "attempts": (lambda v: isinstance(v, list), "a list"),
    "system": (lambda v: isinstance(v, dict), "a table of system peaks"),
}


def run_json_problem(info: dict[str, Any]) -> str | None:
    """Why a parsed ``run.json`` cannot be shown as a run (a wrong type, a time that is text…), or None."""
    for key, (ok, what) in _RUN_FIELDS.items():
        value = info.get(key)
        if value is not None and not ok(value):
            shown = repr(value)
            return f"{RUN_JSON}: {key} is {shown[:40] + '…' if len(shown) > 40 else shown}, expected {what}"
    return None


def record_text(info: dict[str, Any]) -> str:
    """``run.json``'s text for ``info`` (indented, in the order the fields were added)."""
    return json.dumps(info, indent=2, sort_keys=False, default=str) + "\n"


def write_run_json(run_dir: str | os.PathLike, info: dict[str, Any]) -> None:
    atomic_write_text(Path(run_dir) / RUN_JSON, record_text(info))


def update_run_json(run_dir: str | os.PathLike, **fields: Any) -> dict[str, Any]:
    """Read, merge ``fields``, write back atomically; returns the new content.

    Every update stamps ``updated``: the last sign of life of a trainer that later crashes
    (its end time and duration in ``tuitrain runs``).

    The launcher (pid) and the starting trainer (pid, session) may update at the same moment;
    a lock file serialises the read-modify-write so neither loses the other's fields. Readers
    need no lock: they only ever see a whole file (rename).
    """
    with open(Path(run_dir) / RUN_JSON_LOCK, "a") as lock:
        try:
            import fcntl

            fcntl.flock(lock, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - not POSIX: best effort
            pass
        info = read_run_json(run_dir)
        key = os.path.abspath(run_dir)
        if not info and key in _written and not (Path(run_dir) / RUN_JSON).exists():
            # Removed under a live run: rewrite what this process last wrote rather than lose the
            # run's name and start time, and say so (run.json's warnings, trainer.log).
            info = dict(_written[key])
            note = f"{RUN_JSON} was removed while the run was live; rewritten from the trainer's copy at {time.strftime('%H:%M:%S')}"
            info["warnings"] = list(info.get("warnings") or []) + [note]
            print(f"tuitrain: warning: {note}", file=sys.stderr, flush=True)
        info.update(fields)
        info["updated"] = time.time()
        write_run_json(run_dir, info)
        _written[key] = info
    return info


# What each run.json this process updated last held (to recreate one removed under a live run).
_written: dict[str, dict[str, Any]] = {}


# ---------------------------------------------------------------------------
# Processes: is the trainer that wrote run.json still alive?


def process_start_time(pid: int) -> float | None:
    """When ``pid`` started (to tell it from a later process that reused the number)."""
    try:
        import psutil

        return psutil.Process(pid).create_time()
    except Exception:
        return None


def process_alive(pid: int | None, start_time: float | None = None) -> bool:
    """True while ``pid`` runs and is the same process (not a zombie, not a reused pid).

    ``run.json`` may come from another machine or be crafted, so a pid is trusted only with the
    start time recorded beside it (``effective_status``): ``"pid": 1`` alone proves nothing.
    """
    if not isinstance(pid, int) or isinstance(pid, bool) or not 0 < pid < 2**31:
        return False
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil is a dependency
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        if start_time is not None and abs(proc.create_time() - start_time) > 1.0:
            return False
        return True
    except psutil.AccessDenied:  # exists, but another user's: we cannot say more
        return True
    except psutil.NoSuchProcess:
        return False


def effective_status(info: dict[str, Any]) -> str:
    """``run.json``'s status, or ``crashed`` when it says active but its trainer is gone."""
    status = info.get("status", "unknown")
    if not isinstance(status, str):
        return "unknown"
    if status in ACTIVE:
        pid = info.get("pid")
        if pid is None:
            # The launcher writes the pid right after spawning; give it a moment.
            created = info.get("created")
            if status == "starting" and _is_number(created) and time.time() - created < 30:
                return status
            return "crashed"
        started = info.get("pid_started")
        if not _is_number(started) or not process_alive(pid, started):
            return "crashed"  # without its start time a pid could be any process's
    return status


def environment_info() -> dict[str, Any]:
    """Host and versions (without importing TensorFlow: the trainer adds TF/Keras and devices)."""
    import numpy

    from tuitrain import __version__ as tuitrain_version

    return {
        "host": socket.gethostname(),
        "platform": platform.platform(),
        "versions": {
            "python": platform.python_version(),
            "numpy": numpy.__version__,
            "tuitrain": tuitrain_version,
        },
        "python": sys.executable,
    }


# ---------------------------------------------------------------------------
# RunInfo: what a list of runs shows


SYSTEM_PEAKS = ("gpu_mem_peak", "gpu_util_peak", "gpu_util_mean", "rss_peak", "cpu_peak")


def system_peaks(summary: Any) -> dict[str, float]:
    """The numeric peaks of ``run.json``'s ``system`` summary (a hand-edited file may hold anything)."""
    if not isinstance(summary, dict):
        return {}
    return {key: summary[key] for key in SYSTEM_PEAKS if _is_number(summary.get(key)) and 0 <= summary[key] < 2**62}


BEST_FALLBACKS = ("val_loss",)  # Keras' own default monitor (ModelCheckpoint, EarlyStopping)


def pick_best(best: dict[str, float], monitor: str | None) -> tuple[str, float] | None:
    """The one "best" a list of runs shows, not every validation metric: ``monitor`` when it has a best
    value; else ``val_loss``; else the first validation metric; else ``loss``, else the first recorded."""
    if not best:
        return None
    if monitor and monitor in best:
        return monitor, best[monitor]
    for key in BEST_FALLBACKS:
        if key in best:
            return key, best[key]
    key = next((k for k in best if k.startswith("val_")), None) or ("loss" if "loss" in best else next(iter(best)))
    return key, best[key]


@dataclass
class RunInfo:
    """One run as the runs table and the Train pane show it."""

    path: Path
    name: str
    preset_name: str
    status: str
    started: float | None
    ended: float | None
    epochs_done: int
    epochs_total: int | None
    best: dict[str, float] = field(default_factory=dict)
    duration_s: float | None = None
    monitor: str | None = None
    error: str | None = None
    pid: int | None = None
    message: str | None = None  # how an ended run ended when it was no error ("stopped after batch 7 of epoch 2")
    source: str | None = None  # "script" for LiveRun in a user's script; None for the trainer's runs
    # Peaks the trainer's system sampler recorded at the end (gpu_mem_peak bytes, gpu_util_peak %,
    # rss_peak bytes, cpu_peak %, gpu_util_mean %); numbers only, empty while a run lives.
    system: dict[str, float] = field(default_factory=dict)

    @classmethod
    def invalid(cls, path: Path, reason: str) -> "RunInfo":
        """A run directory that cannot be read: listed with status ``invalid`` and the reason as its error."""
        return cls(path=path, name=clean_line(path.name), preset_name="", status="invalid", started=None, ended=None,
                   epochs_done=0, epochs_total=None, error=clean_line(reason))

    @property
    def valid(self) -> bool:
        return self.status != "invalid"

    @classmethod
    def from_dir(cls, run_dir: str | os.PathLike) -> "RunInfo":
        path = Path(run_dir)
        info, problem = load_run_json(path)
        problem = problem or run_json_problem(info)
        if problem:
            return cls.invalid(path, problem)
        status = effective_status(info) if info else "unknown"
        started = info.get("started")
        ended = info.get("ended")
        if ended is None and status in ("crashed",):
            ended = info.get("updated")
        duration = None
        if started is not None:
            end = ended if ended is not None else (time.time() if status in ACTIVE else info.get("updated"))
            if end is not None:
                duration = max(0.0, float(end) - float(started))
        return cls(
            path=path,
            name=clean_line(path.name),  # display texts: a copied run may have any name
            preset_name=clean_line(info.get("preset_name", "")),
            status=status,
            started=started,
            ended=ended,
            epochs_done=int(info.get("epochs_done", 0) or 0),
            epochs_total=info.get("epochs_total"),
            best=dict(info.get("best") or {}),
            duration_s=duration,
            monitor=info.get("monitor"),
            error=clean(info["error"]) if info.get("error") else None,
            pid=info.get("pid"),
            message=clean_line(info["message"]) if isinstance(info.get("message"), str) and info["message"] else None,
            source=info.get("source") if isinstance(info.get("source"), str) else None,
            system=system_peaks(info.get("system")),
        )

    @property
    def best_monitor(self) -> tuple[str, float] | None:
        """The monitored metric's best value, the one number the runs table shows (``pick_best``)."""
        return pick_best(self.best, self.monitor)
