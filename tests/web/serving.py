"""A real ``tuitrain serve`` process for tests: started on a free port, its URL read from what it prints,
stopped with Ctrl-C (SIGINT); and a real browser (Debian's chromium, driven by Playwright) on it.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent.parent
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0
URL = re.compile(r"(http://\S+?)/\?token=(\S+)")
CSI = re.compile(r"\x1b(\[[0-9;?$>=]*[ -/]*[@-~]|\][^\x07]*\x07|[()][0-9A-Za-z])")
INSTALL_CHROMIUM = ("the browser test needs Debian's chromium (Playwright's own browser download is not used): "
                    "apt-get install -y chromium")


@dataclass
class Served:
    """A running ``tuitrain serve``: its process, URL, token, and every line it printed so far."""

    process: subprocess.Popen
    cwd: Path
    url: str = ""
    base: str = ""
    token: str = ""
    lines: list[str] = field(default_factory=list)

    def output(self) -> str:
        return "".join(self.lines)

    def app_processes(self) -> list[psutil.Process]:
        """The tabs' app processes (the server's children; a trainer lives in a session of its own)."""
        try:
            return [p for p in psutil.Process(self.process.pid).children(recursive=True) if p.is_running()]
        except psutil.NoSuchProcess:
            return []

    def interrupt(self) -> int:
        """Ctrl-C, as a terminal sends it; the exit code (the process is killed if it does not stop in time)."""
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise AssertionError(f"tuitrain serve did not stop within {STOP_TIMEOUT_S:.0f}s of Ctrl-C:\n"
                                 + self.output()) from None


def start_serve(cwd: Path, *args: str) -> Served:
    """``python -m tuitrain serve ARGS --port 0`` in ``cwd``; returns once it has printed its URL."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    process = subprocess.Popen([sys.executable, "-m", "tuitrain", "serve", *args, "--port", "0"], cwd=cwd, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    served = Served(process, cwd)
    lines: queue.Queue[str] = queue.Queue()

    def drain() -> None:  # keep reading, so the pipe never fills and blocks the server
        for line in process.stdout:
            served.lines.append(line)
            lines.put(line)

    threading.Thread(target=drain, daemon=True).start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline and process.poll() is None:
        try:
            match = URL.search(lines.get(timeout=0.5))
        except queue.Empty:
            continue
        if match:
            served.url, served.base, served.token = match.group(0), match.group(1), match.group(2)
            return served
    process.kill()
    raise AssertionError(f"tuitrain serve printed no URL within {START_TIMEOUT_S:.0f}s:\n{served.output()}")


def chromium_path() -> str:
    """Debian's chromium; the test fails (never skips) without it, saying what to install."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise AssertionError(INSTALL_CHROMIUM)
    return path


class Screen:
    """What the served app draws, read from its websocket frames (the page draws on a canvas): the text
    with escape sequences removed, and when each frame came."""

    def __init__(self) -> None:
        self.frames: list[tuple[float, str]] = []

    def watch(self, websocket) -> None:
        websocket.on("framereceived", self._received)

    def _received(self, payload: str | bytes) -> None:
        text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
        self.frames.append((time.monotonic(), CSI.sub("", text)))

    def text(self, since: int = 0) -> str:
        return "".join(text for _, text in self.frames[since:])


def poll_until(condition: Callable[[], bool], what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what} after {timeout:.0f}s")
        time.sleep(0.05)


def wait_until(page, condition: Callable[[], bool], what: str, timeout: float) -> None:
    """Poll ``condition`` while the browser runs (Playwright's events arrive during ``wait_for_timeout``)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what} after {timeout:.0f}s")
        page.wait_for_timeout(50)
