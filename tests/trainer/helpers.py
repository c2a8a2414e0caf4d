"""Helpers for tests that start real trainer processes on a tiny spiral."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any, Callable

from tuitrain.runs.reader import RunReader
from tuitrain.runs.rundir import process_alive, read_run_json

# Generous: a trainer process on this 2-core box needs a few seconds to import TensorFlow.
DEADLINE_S = 120.0


class Tail:
    """A RunReader that keeps every event it has seen, for waiting on conditions."""

    def __init__(self, run_dir: Path) -> None:
        self.reader = RunReader(run_dir)
        self.events: list[dict[str, Any]] = []

    def wait(self, predicate: Callable[["Tail"], bool], what: str, deadline_s: float = DEADLINE_S) -> None:
        end = time.monotonic() + deadline_s
        while True:
            self.events.extend(self.reader.poll())
            if predicate(self):
                return
            if time.monotonic() > end:
                raise AssertionError(f"gave up waiting for {what}; status {self.status()}; log tail:\n"
                                     + "\n".join(self.reader.log_tail(15)))
            time.sleep(0.05)

    def status(self) -> str | None:
        return self.reader.status().get("status")

    def wait_status(self, *statuses: str) -> str:
        self.wait(lambda t: t.status() in statuses, f"status in {statuses}")
        self.events.extend(self.reader.poll())
        return self.status()

    def kinds(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["kind"] == kind]

    def statuses(self) -> list[str]:
        return [e["status"] for e in self.kinds("status")]


def spiral(*overrides: str):
    from tuitrain.preset import find_preset, load_preset

    return load_preset(find_preset("spiral_mlp"), list(overrides))


def kill_trainer(run_dir: Path) -> None:
    """SIGKILL the run's trainer if it is still alive (the kill -9 test, and cleanup after a failure)."""
    info = read_run_json(run_dir)
    pid = info.get("pid")
    if pid and process_alive(pid, info.get("pid_started")):
        os.kill(pid, signal.SIGKILL)
