"""The app served in a browser (`tuitrain serve`): key press in the browser → the app's frame arriving there.

Beside `bench_app_latency.py`'s terminal figure (key → chart redrawn, <= 100 ms). Here the whole
path is measured: Debian's chromium (driven by Playwright) → websocket → textual-serve → the tab's
app process → its frame back over the websocket. Times are taken inside the page with one clock
(`performance.now()`): the keydown on the terminal, the first binary websocket message after it
(a frame of the app's output), and the next animation frame after that message (when xterm.js draws it).

Keys `l`/`t` (log y / x axis: both redraw the chart) on the Train pane, 40 presses 150 ms apart:
  1. on a finished run (nothing else redraws the screen, so every frame is the key's answer);
  2. while a run trains (the chart also redraws as rows arrive, about twice a second, so a press
     now and then meets an unrelated frame first: read the median).

Usage: .venv/bin/python benchmarks/bench_serve_latency.py [--presses N]   (needs chromium: apt-get install chromium)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GOAL_MS = 100.0
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
URL = re.compile(r"http://\S+/\?token=\S+")

# Before the page's own script: record each binary websocket message (a frame) and each keydown.
CLOCKS = """
window.__frames = []; window.__painted = []; window.__keys = [];
const NativeWebSocket = window.WebSocket;
window.WebSocket = class extends NativeWebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", (event) => {
      if (typeof event.data === "string") return;  // pongs and file deliveries, not frames
      window.__frames.push(performance.now());
      requestAnimationFrame(() => window.__painted.push(performance.now()));
    });
  }
};
document.addEventListener("keydown", () => window.__keys.push(performance.now()), true);
"""


def tuitrain(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tuitrain", *args], cwd=ROOT, env=ENV, **kwargs)


def serve(target: Path) -> tuple[subprocess.Popen, str]:
    server = tuitrain("serve", str(target), "--port", "0", stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                      text=True, start_new_session=True)
    for line in server.stdout:
        if match := URL.search(line):
            return server, match.group(0)
    raise RuntimeError("tuitrain serve printed no URL")


def wait(page, condition, what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"gave up waiting for {what}")
        page.wait_for_timeout(20)


def measure(browser, url: str, presses: int) -> tuple[list[float], list[float]]:
    """(arrival ms, painted ms) for each press of l/t on the Train pane the URL opens."""
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    page.add_init_script(CLOCKS)
    page.goto(url)
    wait(page, lambda: page.evaluate("window.__frames.length") > 0, "the app's first frame")
    page.focus(".xterm-helper-textarea")
    quiet_since = start = time.monotonic()  # let the first screens (the chart filling) settle: 2 s without a
    count = page.evaluate("window.__frames.length")  # frame, or 10 s at most (a training run never goes quiet)
    while time.monotonic() - quiet_since < 2.0 and time.monotonic() - start < 10.0:
        page.wait_for_timeout(200)
        if (now := page.evaluate("window.__frames.length")) != count:
            count, quiet_since = now, time.monotonic()
    arrival, painted = [], []
    for key in ("l", "t") * (presses // 2):
        before = page.evaluate("[window.__frames.length, window.__painted.length]")
        page.keyboard.press(key)
        wait(page, lambda b=before: page.evaluate("window.__painted.length") > b[1]
             and page.evaluate("window.__frames.length") > b[0], f"a frame after {key!r}", 30)
        key_t, frame_t, paint_t = page.evaluate(
            f"[window.__keys.at(-1), window.__frames[{before[0]}], window.__painted[{before[1]}]]")
        arrival.append(frame_t - key_t)
        painted.append(paint_t - key_t)
        page.wait_for_timeout(150)  # a person does not press 40 keys a second
    page.close()
    return arrival, painted


def report(what: str, arrival: list[float], painted: list[float]) -> None:
    a, p = sorted(arrival), sorted(painted)
    median = statistics.median(p)
    print(f"{what} ({len(a)} presses of l/t, 1200x800 page): frame arrives median {statistics.median(a):.1f} ms, "
          f"p90 {a[int(0.9 * (len(a) - 1))]:.1f} ms; drawn median {median:.1f} ms, p90 {p[int(0.9 * (len(p) - 1))]:.1f} ms, "
          f"max {p[-1]:.1f} ms (goal <= {GOAL_MS:.0f} ms: {'met' if median <= GOAL_MS else 'NOT met'})", flush=True)


def stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGINT)
    server.wait(30)


def newest_run(root: Path) -> Path:
    return max(root.glob("*/run.json"), key=lambda p: p.stat().st_mtime).parent


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--presses", type=int, default=40)
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        print("needs Debian's chromium: apt-get install -y chromium", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    root = Path(tempfile.mkdtemp(prefix="tuitrain-bench-serve-"))
    runs = ["--runs-dir", str(root)]
    tuitrain("train", "spiral_mlp", "--set", "fit.epochs=20", *runs, stdout=subprocess.DEVNULL).wait()
    finished = newest_run(root)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        server, url = serve(finished)
        try:
            report("served, finished run", *measure(browser, url, args.presses))
        finally:
            stop(server)
        tuitrain("train", "spiral_mlp", "--detach", "--set", "data.samples=20000", "--set", "fit.epochs=50",
                 "--set", "fit.batch_size=32", *runs, stdout=subprocess.DEVNULL).wait()
        live = newest_run(root)
        deadline = time.monotonic() + 120
        while json.loads((live / "run.json").read_text())["status"] != "running" and time.monotonic() < deadline:
            time.sleep(0.2)
        server, url = serve(live)
        try:
            report("served, while a run trains", *measure(browser, url, args.presses))
            status = json.loads((live / "run.json").read_text())["status"]
            print(f"  (the run was {status} at the end of the presses)")
        finally:
            stop(server)
            from tuitrain.common.errors import TuitrainError
            from tuitrain.runs.control import request_control

            try:
                request_control(live, "stop_batch")
            except (TuitrainError, OSError) as err:  # it may have finished already
                print(f"  (stopping the run: {err})")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
