"""Run every benchmark in this folder, one after the other, each in its own process.

Each `bench_*.py` prints its own measurements (ratios measured within one run, against the goals
the issues set), and a line ``GOAL<TAB>what<TAB>measured<TAB>goal<TAB>met`` per goal; at the end one
table lists every goal, measured now against the goal. Goals whose benchmark was not run show "—".
Usage: `.venv/bin/python benchmarks/run_all.py [--quick] [NAME ...]` (e.g. `chart engine`); `--quick`
is handed to the benchmarks that take it (shorter fits and windows, the 10^7-row open left out).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


# Every goal of issue #25 (speed to the limit), in the order of the table; the benchmarks name them.
GOALS = {
    "open 10^6 rows (columns, first open): chart complete": "≤ 0.8 s",
    "open 10^6 rows (columns, first open): peak memory": "≤ 150 MB",
    "open 10^6 rows (columns, reopened: curves cached): chart complete": "≤ 0.8 s",
    "open 10^6 rows (columns, reopened: curves cached): peak memory": "≤ 150 MB",
    "open 10^6 rows (events.jsonl only, first open): chart complete": "≤ 2.0 s",
    "open 10^7 rows (columns, first open): chart complete": "≤ 3.0 s",
    "open 10^7 rows (columns, first open): peak memory": "≤ 400 MB",
    "open 10^7 rows (columns, reopened: curves cached): chart complete": "≤ 3.0 s",
    "open 10^7 rows (columns, reopened: curves cached): peak memory": "≤ 400 MB",
    "app CPU watching a live run (200 batches/s)": "≤ 1.0 %",
    "time inside the trainer's callbacks / fit": "≤ 1 %",
    "EventLog per batch (batch path; + flush per row)": "≤ 5 µs",
    "chart redraw at 10^7 points": "≤ 10 ms",
    "first paint (80x24)": "≤ 0.35 s",
    "throughput trainer+app / bare fit (per CPU-second)": "≥ 0.97, ± < 0.03",
    "key press → chart redrawn while training (120x40)": "≤ 100 ms",
}


def goal(label: str, measured: str, target: str, met: bool | None) -> None:
    """Print a line run_all's table picks up (benchmarks call this)."""
    print(f"GOAL\t{label}\t{measured}\t{target}\t{'met' if met else 'not met' if met is not None else '?'}", flush=True)


# The browser's key latency (`tuitrain serve`) right after the terminal's, so the two figures sit together.
AFTER = {"bench_serve_latency": "bench_app_latency"}


def order(script: Path) -> str:
    return AFTER.get(script.stem, script.stem) + ("~" if script.stem in AFTER else "")


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    argv = [a for a in argv if a != "--quick"]
    scripts = sorted(HERE.glob("bench_*.py"), key=order)
    if argv:
        scripts = [s for s in scripts if any(name in s.stem for name in argv)]
    failed = []
    rows: dict[str, tuple[str, str, str]] = {}
    for script in scripts:
        print(f"\n=== {script.stem} ===", flush=True)
        extra = ["--quick"] if quick and '"--quick"' in script.read_text(encoding="utf-8") else []
        started = time.monotonic()
        proc = subprocess.Popen([sys.executable, str(script), *extra], cwd=HERE.parent, stdout=subprocess.PIPE, text=True)
        for line in proc.stdout:
            print(line, end="", flush=True)
            if line.startswith("GOAL\t"):
                _, label, measured, target, met = line.rstrip("\n").split("\t")
                rows[label] = (measured, target, met)
        if proc.wait() != 0:
            failed.append(script.stem)
        print(f"({script.stem}: {time.monotonic() - started:.0f} s)", flush=True)
    print_table(rows)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def print_table(rows: dict[str, tuple[str, str, str]]) -> None:
    load = os.getloadavg()[0]
    print(f"\n=== goals (load average {load:.1f} on {os.cpu_count()} CPUs at the end) ===")
    width = max(len(label) for label in [*GOALS, *rows])
    print(f"{'what':<{width}}  {'now':>18}  {'goal':>24}  met")
    for label in [*GOALS, *(k for k in rows if k not in GOALS)]:
        measured, target, met = rows.get(label, ("—", GOALS.get(label, ""), "not run"))
        print(f"{label:<{width}}  {measured:>18}  {target:>24}  {met}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
