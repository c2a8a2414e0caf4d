"""Time from `tuitrain` process start to its first painted screen, against the 0.5 s goal.

Runs the real command (`python -m tuitrain`, the offline default preset) in a
pseudo-terminal of 80×24, several times.  Two clocks per run:
  - screen: until the terminal has received the tab bar ("1 Data") — what a user sees;
  - probe:  the app writes a file right after its first refresh, saying whether
            TensorFlow was already imported (it must not be: a worker imports it later).
Prints each run, then the median and its ratio to the goal.  Usage:

    .venv/bin/python benchmarks/bench_first_paint.py [--runs 5]
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

from run_all import goal  # noqa: E402  (this folder is on sys.path when a benchmark runs)

GOAL_S = 0.35  # issue #25
MARKER = b"1 Data"


def one_run(timeout: float = 30.0) -> tuple[float, float, bool]:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "probe.json"
        env = {**os.environ, "TUITRAIN_FIRST_PAINT_PROBE": str(probe), "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
        start = time.time()
        proc = subprocess.Popen(
            [sys.executable, "-m", "tuitrain"], stdin=slave, stdout=slave, stderr=slave, env=env, cwd=tmp,
            start_new_session=True,
        )
        os.close(slave)
        seen = b""
        screen_s = None
        while time.time() - start < timeout:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    break
                if screen_s is None and MARKER in seen:
                    screen_s = time.time() - start
            if screen_s is not None and probe.exists() and probe.stat().st_size:
                break
        info = json.loads(probe.read_text()) if probe.exists() else {}
        os.write(master, b"\x11")  # ctrl+q: nothing is modified, so the app quits at once
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        os.close(master)
    if screen_s is None or not info:
        raise SystemExit(f"no first paint within {timeout} s; output so far: {seen[-400:]!r}")
    one_run.modules = len(info.get("modules", []))  # modules imported by the first frame (what start-up costs)
    one_run.cpu.append(info.get("cpu", float("nan")))  # the process's CPU until then: steadier than the clock under load
    return screen_s, info["time"] - start, bool(info["tensorflow_loaded"])


one_run.cpu = []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    one_run()  # warm the file cache (first Python start after boot is not what users see twice)
    one_run.cpu.clear()
    screens, probes = [], []
    for i in range(args.runs):
        screen_s, probe_s, tf_loaded = one_run()
        screens.append(screen_s)
        probes.append(probe_s)
        print(f"run {i + 1}: screen {screen_s:.3f} s  first refresh {probe_s:.3f} s  TensorFlow imported at first paint: {tf_loaded}")
        if tf_loaded:
            raise SystemExit("TensorFlow was imported before the first paint")
    load = os.getloadavg()[0]
    print(f"load average {load:.2f} on {os.cpu_count()} CPUs (other work on the machine slows every run)")
    median = statistics.median(screens)
    print(f"first paint (median of {args.runs}): {median:.3f} s; goal {GOAL_S} s; ratio {median / GOAL_S:.2f} of the goal")
    goal("first paint (80x24)", f"{median:.3f} s", "≤ 0.35 s", median <= 0.35)
    print(f"min {min(screens):.3f} s, max {max(screens):.3f} s; app's own first refresh median {statistics.median(probes):.3f} s; "
          f"{one_run.modules} modules imported at first paint; the app's CPU until its first refresh: median "
          f"{statistics.median(one_run.cpu):.3f} s")


if __name__ == "__main__":
    main()
