"""Memory and time ceiling of `tuitrain check` over the bad-preset corpus (tests/preset/corpus/).

Each preset is checked in-process after TensorFlow and Keras are imported, the way `tuitrain
check` runs; the peak resident memory beyond that baseline (``ru_maxrss``, which only grows) is
the ceiling the corpus reaches, and the slowest single check is its time ceiling. Goal: at most
2 GB beyond TensorFlow, no check slower than 30 s.
"""

from __future__ import annotations

import contextlib
import io
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "preset" / "corpus"
GOAL_BYTES = 2 * 1024**3
GOAL_S = 30.0


def rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


def main() -> int:
    sys.path.insert(0, str(ROOT))
    import keras  # noqa: F401 - the baseline includes TensorFlow and Keras
    import tensorflow  # noqa: F401

    from tuitrain.__main__ import main as cli

    keras.ops.ones((2, 2))  # runtime initialised, as after a first check
    base = rss_bytes()
    presets = sorted(CORPUS.glob("*.toml"))
    slowest = (0.0, "")
    codes: dict[int, int] = {}
    for path in presets:
        t0 = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            code = cli(["check", str(path)])
        took = time.perf_counter() - t0
        codes[code] = codes.get(code, 0) + 1
        slowest = max(slowest, (took, path.stem))
    peak = rss_bytes() - base
    print(f"presets checked: {len(presets)} (exit codes {dict(sorted(codes.items()))})")
    print(f"baseline RSS with TensorFlow: {base / 1024**2:,.0f} MiB")
    print(f"peak RSS beyond it: {peak / 1024**2:,.0f} MiB (goal ≤ {GOAL_BYTES / 1024**3:.0f} GiB)")
    print(f"slowest check: {slowest[0]:.2f} s ({slowest[1]}) (goal ≤ {GOAL_S:.0f} s)")
    return 0 if peak <= GOAL_BYTES and slowest[0] <= GOAL_S else 1


if __name__ == "__main__":
    sys.exit(main())
