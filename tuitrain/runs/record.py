"""The run record (``run.json``): what it holds when a run is created, resumed, taken over by a
process, and when it ends — built here for the launcher (``trainer/spawn.py``), the trainer
(``trainer/process.py``) and ``LiveRun`` in a user's script (``trainer/liverun.py``) alike, so every
run directory says the same things the same way (DESIGN §2).
"""

from __future__ import annotations

import os
import time
from typing import Any

from tuitrain.runs.rundir import effective_status, environment_info, process_start_time

# What a resumed run keeps of each earlier attempt.
ATTEMPT_KEYS = ("started", "ended", "epochs_done", "error")


def new_record(name: str, preset_name: str, *, status: str, now: float, **fields: Any) -> dict[str, Any]:
    """A fresh run: its names, status and times, no progress yet, where it runs (host, versions)."""
    return {
        "name": name,
        "preset_name": preset_name,
        "status": status,
        "created": now,
        "started": now,
        "ended": None,
        "pid": None,
        "epochs_done": 0,
        "best": {},
        "error": None,
        **fields,
        **environment_info(),
    }


def resumed_record(info: dict[str, Any], *, now: float) -> dict[str, Any]:
    """``info`` of an ended run, started again: the last attempt joins ``attempts``, the outcome is cleared."""
    history = list(info.get("attempts", []))
    history.append({k: info.get(k) for k in ATTEMPT_KEYS} | {"status": effective_status(info)})
    return {**info, "status": "starting", "pid": None, "pid_started": None, "error": None, "message": None,
            "ended": None, "created": now, "resumed": True, "attempts": history, **environment_info()}


def process_fields(pid: int | None = None) -> dict[str, Any]:
    """The process that now owns the run (its pid and start time tell a reused pid from it)."""
    pid = os.getpid() if pid is None else pid
    return {"pid": pid, "pid_started": process_start_time(pid)}


def outcome_fields(status: str, *, error: str | None, message: str | None, events: Any, **fields: Any) -> dict[str, Any]:
    """How the run ended: its final status, when, why, and the event file's counts."""
    return {"status": status, "ended": time.time(), "error": error, "message": message, "events": events, **fields}
