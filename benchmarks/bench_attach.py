"""Long runs and many runs: attaching to 10^5–10^7 batch rows, the watcher's CPU, 200 runs listed.

Generates run directories with the engine's own ``EventWriter`` (kept in a cache folder, as
10^7 rows take a minute to write), then runs the real ``tuitrain RUN_DIR`` in a 120×40
pseudo-terminal and measures, per size:

- first chart: process start → the first braille dots of a curve on the terminal;
- chart complete: → the last screen update after the status shows the run's final step
  (every row read and drawn), and the app's own CPU time until then (the wall time on a loaded
  machine is mostly waiting for a core);
- peak memory: the app process's maximum resident set (``VmHWM``);
- CPU while showing the finished run: the app's CPU time over a quiet window, as % of a core.

Then the app's CPU while watching a live run (a writer process appends 200 batch rows a
second, flushed 4 times a second, like a trainer), and the runs screen with 200 runs
(``r`` pressed → the table shows "200 found"; plus ``list_runs`` alone). Goals:
attach to 10^6 rows ≤ 1 s and ≤ 150 MB; 10^7 rows ≤ 600 MB and a usable screen ≤ 1 s;
watching a live run ≤ 1.5 % of a core, ~0 on a finished run; the runs screen ≤ 0.5 s.
Usage::

    .venv/bin/python benchmarks/bench_attach.py [--sizes 1e5,1e6,1e7] [--quick: 1e6,1e7]
"""

from __future__ import annotations

import argparse
import fcntl
import math
import os
import pty
import random
import re
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tuitrain.runs.events import EVENTS_FILE, EventWriter  # noqa: E402
from run_all import goal  # noqa: E402
from tuitrain.runs.rundir import process_start_time, write_run_json  # noqa: E402

CACHE = Path(os.environ.get("TUITRAIN_BENCH_CACHE", Path(tempfile.gettempdir()) / "tuitrain-bench-attach-v2"))
PRESET = Path(__file__).resolve().parent.parent / "tuitrain" / "presets" / "spiral_mlp.toml"
STEPS_PER_EPOCH = 10_000
COLS, ROWS = 120, 40
BRAILLE = re.compile(rb"\xe2[\xa0-\xa3][\x80-\xbf]")  # U+2800..U+28FF: plotext's curve dots
GOALS = {"attach_1e6_s": 0.8, "attach_1e6_mb": 150, "attach_json_1e6_s": 2.0, "attach_1e7_s": 3.0,
         "attach_1e7_mb": 400, "usable_1e7_s": 1.0, "live_cpu_pct": 1.0, "runs_screen_s": 0.5}


# --- run directories -------------------------------------------------------------------------

def write_run(run_dir: Path, rows: int, *, status: str = "finished", seed: int = 0, columns: bool = True) -> Path:
    """A run of ``rows`` batch rows (loss, accuracy) and one epoch row per 10,000, by the engine's writer."""
    run_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(PRESET, run_dir / "preset.toml")
    epochs = max(1, rows // STEPS_PER_EPOCH)
    spe = min(rows, STEPS_PER_EPOCH)
    started = time.time() - 3600
    writer = EventWriter(run_dir / EVENTS_FILE, flush_interval=3600, t0=started, columns=columns)
    writer.now = lambda: step * 0.01  # noqa: E731 - a steady clock: 100 steps/s of training
    rnd = random.Random(seed)
    step = 0
    writer.status("running", epochs=epochs, steps_per_epoch=spe)
    best = math.inf
    for step in range(1, rows + 1):
        epoch = (step - 1) // spe + 1
        decay = math.exp(-3.0 * step / rows)
        writer.batch(step, epoch, {"loss": 2.0 * decay + 0.1 * rnd.random(), "accuracy": 1.0 - decay * rnd.random()},
                     8000.0 + rnd.random())
        if step % spe == 0:
            val = 2.1 * decay + 0.05 * rnd.random()
            best = min(best, val)
            writer.epoch(step, epoch, {"loss": 2.0 * decay, "accuracy": 1 - decay, "val_loss": val,
                                       "val_accuracy": 1 - decay, "lr": 0.001}, samples_per_s=8000.0,
                         epochs=epochs, steps=spe)
        if step % 200_000 == 0:
            writer.flush()
    writer.status(status)
    writer.close()
    write_run_json(run_dir, {"status": status, "started": started, "ended": started + rows * 0.01,
                             "preset_name": "spiral_mlp", "epochs_total": epochs, "epochs_done": epochs,
                             "step": rows, "best": {"val_loss": best}, "monitor": "val_loss"})
    return run_dir


def cached_run(rows: int, columns: bool = True) -> Path:
    """A run with binary columns (as the trainer writes it), or with ``events.jsonl`` alone (an old run:
    its columns, built by the previous open, are removed so every measure is a first open)."""
    run_dir = CACHE / f"rows-{rows}{'' if columns else '-json'}"
    if not columns:
        shutil.rmtree(run_dir / "columns", ignore_errors=True)
    if not (run_dir / "run.json").is_file():
        shutil.rmtree(run_dir, ignore_errors=True)
        t = time.perf_counter()
        write_run(run_dir.with_suffix(".tmp"), rows, columns=columns)
        run_dir.with_suffix(".tmp").rename(run_dir)
        print(f"  wrote {rows:,} rows ({(run_dir / EVENTS_FILE).stat().st_size / 1e6:.0f} MB) in "
              f"{time.perf_counter() - t:.0f} s into {run_dir}", flush=True)
    return run_dir


# --- the app in a pty ------------------------------------------------------------------------

class App:
    """``tuitrain ARGS`` in a 120×40 pseudo-terminal; ``output`` is everything it drew, with arrival times."""

    def __init__(self, *args: str) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(COLS), "LINES": str(ROWS)}
        self.start = time.time()
        self.proc = subprocess.Popen([sys.executable, "-m", "tuitrain", *args], stdin=slave, stdout=slave,
                                     stderr=slave, env=env, start_new_session=True)
        os.close(slave)
        self.master = master
        self.output = b""
        self.last_byte = self.start

    def pump(self, seconds: float) -> None:
        end = time.time() + seconds
        while (left := end - time.time()) > 0:
            ready, _, _ = select.select([self.master], [], [], min(left, 0.05))
            if ready:
                try:
                    data = os.read(self.master, 1 << 16)
                except OSError:
                    return
                self.output += data
                self.last_byte = time.time()

    def wait_for(self, pattern: re.Pattern | bytes, timeout: float, since: int = 0) -> float | None:
        """Seconds from process start until ``pattern`` appears in the output after offset ``since``."""
        end = time.time() + timeout
        while time.time() < end:
            found = pattern.search(self.output, since) if isinstance(pattern, re.Pattern) else \
                (self.output.find(pattern, since) >= 0)
            if found:
                return time.time() - self.start
            if self.proc.poll() is not None:
                raise SystemExit(f"the app exited ({self.proc.returncode}): {self.output[-600:]!r}")
            self.pump(0.02)
        return None

    def quiet(self, seconds: float, timeout: float) -> float:
        """Wait until nothing was drawn for ``seconds``; returns the time of the last byte drawn."""
        end = time.time() + timeout
        while time.time() < end:
            self.pump(0.05)
            if time.time() - self.last_byte >= seconds:
                break
        return self.last_byte - self.start

    def cpu_s(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def memory_mb(self, key: str = "VmHWM") -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def cpu_share(self, seconds: float) -> float:
        """The app's CPU time over ``seconds`` of wall time, as % of one core (drawing what comes)."""
        before, t0 = self.cpu_s(), time.time()
        self.pump(seconds)
        return 100.0 * (self.cpu_s() - before) / (time.time() - t0)

    def key(self, data: bytes) -> None:
        os.write(self.master, data)

    def close(self) -> None:
        try:
            self.key(b"\x11")  # ctrl+q
            self.pump(0.3)
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)


# --- measurements ----------------------------------------------------------------------------

def attach(rows: int, quiet_window: float, columns: bool = True, curves: bool = False) -> dict:
    """One open of a cached run; ``curves=False`` removes the chart's curve cache first (a trainer's run
    opened for the first time), ``True`` keeps what the previous open saved (every later open)."""
    run_dir = cached_run(rows, columns)
    if not curves:
        shutil.rmtree(run_dir / "columns" / "curves", ignore_errors=True)
    app = App(str(run_dir))
    try:
        screen = app.wait_for(b"Train", 60)
        first_chart = app.wait_for(BRAILLE, 600)
        final = app.wait_for(f"{rows}/{rows}".encode(), 900)  # "step N/N" (may wrap after "step")
        done = app.quiet(1.0, 900) if final is not None else None
        cpu_done = app.cpu_s()  # the app's own CPU time until then: less sensitive to a loaded machine
        peak = app.memory_mb("VmHWM")
        cpu_idle = app.cpu_share(quiet_window)
        rss = app.memory_mb("VmRSS")
    finally:
        app.close()
    return {"rows": rows, "mb": (run_dir / EVENTS_FILE).stat().st_size / 1e6, "screen": screen,
            "first_chart": first_chart, "complete": done, "cpu_to_complete": cpu_done, "peak_mb": peak, "rss_mb": rss, "cpu_finished": cpu_idle}


LIVE_WRITER = r"""
import sys, time, math, random
from pathlib import Path
from tuitrain.runs.events import EventWriter
from tuitrain.runs.rundir import update_run_json, process_start_time
import os
run = Path(sys.argv[1]); rate = float(sys.argv[2]); seconds = float(sys.argv[3])
writer = EventWriter(run / "events.jsonl")
update_run_json(run, status="running", pid=os.getpid(), pid_started=process_start_time(os.getpid()))
writer.status("running", epochs=1000, steps_per_epoch=1000)
step, start = 0, time.monotonic()
while time.monotonic() - start < seconds:
    step += 1
    writer.batch(step, 1 + (step - 1) // 1000, {"loss": 1 / (1 + step / 500) + 0.05 * random.random(),
                                                "accuracy": random.random()}, rate * 32)
    if step % 1000 == 0:
        writer.epoch(step, step // 1000, {"loss": 0.5, "val_loss": 0.6}, samples_per_s=rate * 32, epochs=1000, steps=1000)
    time.sleep(max(0.0, step / rate - (time.monotonic() - start)))
writer.status("finished")
writer.close()
update_run_json(run, status="finished")
"""


def live_cpu(window: float) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = Path(tmp) / "live-run"
        run_dir.mkdir()
        shutil.copy(PRESET, run_dir / "preset.toml")
        write_run_json(run_dir, {"status": "starting", "started": time.time(), "preset_name": "spiral_mlp",
                                 "pid": os.getpid(), "pid_started": process_start_time(os.getpid())})
        writer = subprocess.Popen([sys.executable, "-c", LIVE_WRITER, str(run_dir), "200", str(window + 30)])
        app = App(str(run_dir))
        try:
            app.wait_for(BRAILLE, 60)
            app.pump(5.0)  # settle: the first polls, the first figures
            share = app.cpu_share(window)
            writer_cpu = _proc_cpu(writer.pid)
        finally:
            app.close()
            writer.kill()
            writer.wait()
    return {"cpu_live": share, "writer_cpu_s": writer_cpu}


def _proc_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def runs_screen(count: int) -> dict:
    from tuitrain.runs.listing import list_runs

    root = CACHE / f"runs-{count}"
    if not (root / "done").exists():
        shutil.rmtree(root, ignore_errors=True)
        for i in range(count):
            write_run(root / f"spiral_mlp-2026010{i % 9 + 1}-{i:06d}", 2000, seed=i)
        (root / "done").write_text("")
    t = time.perf_counter()
    runs = list_runs(root)
    list_s = time.perf_counter() - t
    assert len(runs) == count, len(runs)
    env_runs = os.environ.get("TUITRAIN_RUNS")
    os.environ["TUITRAIN_RUNS"] = str(root)
    try:
        app = App(str(runs[-1].path))
        try:
            app.wait_for(BRAILLE, 60)
            app.quiet(0.5, 30)
            mark = len(app.output)
            pressed, cpu0 = time.time(), app.cpu_s()
            app.key(b"r")
            seen = app.wait_for(f"{count} runs".encode(), 30, since=mark)  # the title: "Runs 200 runs · …"
            opened_cpu = app.cpu_s() - cpu0
            opened = (seen + app.start - pressed) if seen is not None else None
            app.quiet(0.5, 30)
            mark = len(app.output)  # after the quiet: only what ↓ draws counts (the old chart is braille too)
            pressed = time.time()
            app.key(b"\x1b[B")  # down: the next run's series loads and its chart is drawn
            drawn = app.wait_for(BRAILLE, 30, since=mark)
            moved = (app.quiet(0.3, 30) + app.start - pressed) if drawn is not None else None
        finally:
            app.close()
    finally:
        if env_runs is None:
            os.environ.pop("TUITRAIN_RUNS", None)
        else:
            os.environ["TUITRAIN_RUNS"] = env_runs
    return {"list_runs_s": list_s, "runs_screen_s": opened, "runs_screen_cpu_s": opened_cpu, "next_run_chart_s": moved}


def _s(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1e5,1e6,1e7", help="batch rows per run, comma-separated")
    parser.add_argument("--window", type=float, default=20.0, help="seconds of CPU measurement")
    parser.add_argument("--quick", action="store_true", help="sizes 1e6,1e7 (the goals) and 10 s windows")
    parser.add_argument("--only", default="attach,live,runs", help="which parts: attach, live, runs")
    args = parser.parse_args()
    sizes = [int(float(s)) for s in ("1e6,1e7" if args.quick else args.sizes).split(",")]
    window = 10.0 if args.quick else args.window
    CACHE.mkdir(parents=True, exist_ok=True)
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs (other work on the machine slows every number)")
    parts = args.only.split(",")
    results = {}
    cases = [(r, c, k) for r in sizes for c, k in (((True, False), (True, True), (False, False)) if r == 1_000_000
                                                  else ((True, False), (True, True)))]
    for rows, columns, curves in cases:
        if "attach" not in parts:
            break
        r = attach(rows, window, columns, curves)
        results[(rows if columns else -rows, curves)] = r
        what = "(columns, reopened)" if curves else "(columns, first open)" if columns else "(JSON only, first open)"
        print(f"{rows:>10,} rows {what} ({r['mb']:.0f} MB): screen {_s(r['screen'])}, first chart {_s(r['first_chart'])}, "
              f"chart complete {_s(r['complete'])} (app CPU {r['cpu_to_complete']:.2f} s); peak {r['peak_mb']:.0f} MB (resident after {r['rss_mb']:.0f} MB); "
              f"CPU showing the finished run {r['cpu_finished']:.2f} % of a core", flush=True)
    live = live_cpu(window) if "live" in parts else {"cpu_live": math.nan}
    print(f"watching a live run (200 batches/s): app CPU {live['cpu_live']:.2f} % of a core "
          f"(goal ≤ {GOALS['live_cpu_pct']} %)", flush=True)
    rs = runs_screen(200) if "runs" in parts else {"list_runs_s": math.nan, "runs_screen_s": None, "runs_screen_cpu_s": math.nan, "next_run_chart_s": None}
    print(f"200 runs: list_runs {rs['list_runs_s'] * 1000:.0f} ms; runs screen opened {_s(rs['runs_screen_s'])} after r "
          f"(app CPU {rs['runs_screen_cpu_s']:.2f} s) "
          f"(goal ≤ {GOALS['runs_screen_s']} s); next run's chart {_s(rs['next_run_chart_s'])} after ↓", flush=True)
    print("goals:")
    for key, label, goal_s, goal_mb in (((1_000_000, False), "10^6 rows, columns, first open", "attach_1e6_s", "attach_1e6_mb"),
                                        ((1_000_000, True), "10^6 rows, columns, reopened", "attach_1e6_s", "attach_1e6_mb"),
                                        ((-1_000_000, False), "10^6 rows, JSON only, first open", "attach_json_1e6_s", "attach_1e6_mb"),
                                        ((10_000_000, False), "10^7 rows, columns, first open", "attach_1e7_s", "attach_1e7_mb"),
                                        ((10_000_000, True), "10^7 rows, columns, reopened", "attach_1e7_s", "attach_1e7_mb")):
        if key in results:
            r = results[key]
            name = {(1_000_000, False): "open 10^6 rows (columns, first open)",
                    (1_000_000, True): "open 10^6 rows (columns, reopened: curves cached)",
                    (-1_000_000, False): "open 10^6 rows (events.jsonl only, first open)",
                    (10_000_000, False): "open 10^7 rows (columns, first open)",
                    (10_000_000, True): "open 10^7 rows (columns, reopened: curves cached)"}[key]
            goal(f"{name}: chart complete", _s(r["complete"]), f"≤ {GOALS[goal_s]} s",
                 r["complete"] is not None and r["complete"] <= GOALS[goal_s])
            if key[0] > 0:
                goal(f"{name}: peak memory", f"{r['peak_mb']:.0f} MB", f"≤ {GOALS[goal_mb]} MB", r["peak_mb"] <= GOALS[goal_mb])
            print(f"  {label}: chart complete {_s(r['complete'])} (goal ≤ {GOALS[goal_s]} s, ratio "
                  f"{(r['complete'] or math.inf) / GOALS[goal_s]:.2f}); peak {r['peak_mb']:.0f} MB "
                  f"(goal ≤ {GOALS[goal_mb]} MB, ratio {r['peak_mb'] / GOALS[goal_mb]:.2f})")
    if "live" in parts:
        goal("app CPU watching a live run (200 batches/s)", f"{live['cpu_live']:.2f} % of a core",
             f"≤ {GOALS['live_cpu_pct']} %", live["cpu_live"] <= GOALS["live_cpu_pct"])
    print(f"  live run CPU ratio {live['cpu_live'] / GOALS['live_cpu_pct']:.2f} of the goal; runs screen ratio "
          f"{(rs['runs_screen_s'] or math.inf) / GOALS['runs_screen_s']:.2f} of the goal")

if __name__ == "__main__":
    main()
