"""``python -m tuitrain.sweep SWEEP_DIR``: the sweep controller process."""

from __future__ import annotations

import signal
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tuitrain.sweep SWEEP_DIR", file=sys.stderr)
        return 2
    from tuitrain.runs import lock
    from tuitrain.sweep.controller import run_controller

    sweep_dir = Path(argv[0]).resolve()
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_IGN)  # the terminal that started us may go away
    try:
        lock_fd = lock.acquire(sweep_dir)  # one controller per sweep; the kernel lets go on kill -9
    except lock.RunLocked:
        print(f"{sweep_dir}: another controller runs this sweep", file=sys.stderr)
        return 2
    status = run_controller(sweep_dir)
    del lock_fd
    return 0 if status in ("finished", "stopped") else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
