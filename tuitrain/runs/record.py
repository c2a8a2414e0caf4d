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

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep  # tuitrain's own code
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


def stop_message(note: str | None, *, epoch: int, batches: int, steps: int) -> str:
    """A stop in plain words, as the trainer and ``LiveRun`` record it: "stopped after batch 7 of epoch 2"
    inside an epoch, "stopped after epoch 2" at its end; ``note`` says why when it was not a request
    from the app or the CLI ("SIGTERM received")."""
    if steps and 0 < batches < steps:
        where = f"after batch {batches} of epoch {epoch}"
    elif batches == 0 and epoch > 1:  # stopped as the next epoch began: nothing of it was trained
        where = f"after epoch {epoch - 1}"
    elif epoch >= 1 and (batches or not steps):
        where = f"after epoch {epoch}"
    else:
        where = "before the first batch"
    return f"{note}; stopped {where}" if note else f"stopped {where}"


def partial_batches(event: dict[str, Any]) -> tuple[int, int] | None:
    """(batches trained, batches per epoch) of an epoch row that a stop cut short; None for a whole epoch.

    The trainer writes ``batches``; for rows written before it did, they are counted from the step."""
    if not event.get("partial"):
        return None
    steps, batches = event.get("steps"), event.get("batches")
    if not _count(steps):
        return None
    if not _count(batches):
        step, epoch = event.get("step"), event.get("epoch")
        if not (_count(step) and _count(epoch)):
            return None
        batches = step - (epoch - 1) * steps
    return (batches, steps) if 0 <= batches < steps else None


def exception_text(err: BaseException, limit: int = 600) -> str:
    """``Type: message (file.py:line in function)``: an exception as run.json records it, where it was
    raised named by the innermost frame of the user's own code that is not a library's (kept when a
    long message is cut to ``limit`` characters)."""
    import traceback

    text = f"{type(err).__name__}: {err}".strip().rstrip(":")
    frames = traceback.extract_tb(err.__traceback__) if err.__traceback__ is not None else []
    own = [f for f in frames if not _library_file(f.filename)] or frames
    where = f" ({os.path.basename(own[-1].filename)}:{own[-1].lineno} in {own[-1].name})" if own else ""
    room = max(40, limit - len(where))
    return (text if len(text) <= room else text[: room - 1] + "…") + where


def _library_file(filename: str) -> bool:
    """Keras', TensorFlow's, any installed package's or tuitrain's own code: not where the user's error is."""
    parts = filename.replace("\\", "/").split("/")
    return "site-packages" in parts or "dist-packages" in parts or filename.startswith(_PACKAGE_DIR)


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10**9
