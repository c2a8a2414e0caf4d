"""Run every benchmark in this folder, one after the other, each in its own process.

Each `bench_*.py` prints its own measurements (ratios measured within one run, against the goals
the issues set). Usage: `.venv/bin/python benchmarks/run_all.py [NAME ...]` (e.g. `chart engine`).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


# The browser's key latency (`tuitrain serve`) right after the terminal's, so the two figures sit together.
AFTER = {"bench_serve_latency": "bench_app_latency"}


def order(script: Path) -> str:
    return AFTER.get(script.stem, script.stem) + ("~" if script.stem in AFTER else "")


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"), key=order)
    if argv:
        scripts = [s for s in scripts if any(name in s.stem for name in argv)]
    failed = []
    for script in scripts:
        print(f"\n=== {script.stem} ===", flush=True)
        result = subprocess.run([sys.executable, str(script)], cwd=HERE.parent)
        if result.returncode != 0:
            failed.append(script.stem)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
