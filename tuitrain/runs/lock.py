"""One run, one trainer: an exclusive ``flock`` on ``RUN_DIR/.trainer.lock`` held for the trainer's life.

The launcher takes the lock *before* it looks at the run or writes anything, then hands the
locked file to the trainer process it spawns (an inherited descriptor shares the lock) and
closes its own copy. So two ``--resume`` of one run started at the same moment cannot both
start: the second finds the lock taken. The kernel drops the lock when the trainer exits, even
on ``kill -9``, so a crashed run never stays locked.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from tuitrain.common.errors import TuitrainError

from tuitrain.runs.layout import TRAINER_LOCK
LOCK_FD_ENV = "TUITRAIN_TRAINER_LOCK_FD"


class RunLocked(TuitrainError):
    """Another trainer (or a launcher starting one) holds the run."""


def acquire(run_dir: str | os.PathLike) -> int:
    """The locked descriptor (not inheritable); ``RunLocked`` when another process holds it."""
    import fcntl

    path = Path(run_dir) / TRAINER_LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise RunLocked(f"{run_dir}: another trainer is running this run (or starting it); "
                        "stop it first, or wait for it to end.") from None
    return fd


def acquire_after_exit(run_dir: str | os.PathLike, ended: Callable[[], bool], *, wait_s: float = 15.0) -> int:
    """``acquire``, but a trainer whose run has ``ended`` (its last status written) is still exiting
    (closing files, releasing TensorFlow): give it ``wait_s`` to let go before refusing."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            return acquire(run_dir)
        except RunLocked:
            if not ended() or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def is_locked(run_dir: str | os.PathLike) -> bool:
    """True while a trainer holds the run (a reader's check; takes and drops the lock at once)."""
    if not (Path(run_dir) / TRAINER_LOCK).exists():
        return False
    try:
        os.close(acquire(run_dir))
    except RunLocked:
        return True
    except OSError:
        return False
    return False


def inherited(run_dir: str | os.PathLike) -> int | None:
    """The lock a launcher passed down (``$TUITRAIN_TRAINER_LOCK_FD``), if it is this run's lock file."""
    value = os.environ.pop(LOCK_FD_ENV, None)
    if not value or not value.isdigit():
        return None
    fd = int(value)
    try:
        held, expected = os.fstat(fd), os.stat(Path(run_dir) / TRAINER_LOCK)
    except OSError:
        return None
    if (held.st_dev, held.st_ino) != (expected.st_dev, expected.st_ino):
        return None
    os.set_inheritable(fd, False)  # processes the trainer starts must not keep the run locked
    return fd


def hold(run_dir: str | os.PathLike) -> int:
    """For the trainer: the inherited lock, or a fresh one (``python -m tuitrain.trainer`` by hand)."""
    fd = inherited(run_dir)
    return fd if fd is not None else acquire(run_dir)
