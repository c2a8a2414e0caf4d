"""Chart redraw time against history length (issue 7 goal: <= 20 ms at 10^6 logged points).

A redraw is what the Train pane pays after new events arrive: extend the cached EMA by the new
points, downsample every curve to the chart's columns (min/max per column), build the plotext
figure at 120x40 and turn it into a Rich Text. Measured for 10^4, 10^5 and 10^6 logged batches
(two metrics each, plus validation per epoch), with one new batch appended before each redraw.
Also shown: the cold redraw right after the smoothing changes (EMA recomputed over the whole
history), the redraw zoomed in on a tenth of the run, the Train pane's chart at 80x24 (48x13, every
metric in one scaled overlay), and the ingest rate of events into the series.

Usage: .venv/bin/python benchmarks/bench_chart.py
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tuitrain.ui.series.run_series import RunSeries  # noqa: E402
from run_all import goal  # noqa: E402  (this folder is on sys.path when a benchmark runs)
from tuitrain.ui.widgets.chart.render import ChartOptions, render_chart  # noqa: E402

WIDTH, HEIGHT = 120, 40
STEPS_PER_EPOCH = 1000
GOAL_MS = 20.0


def events(n: int, start: int = 0, seed: int = 0):
    """``n`` batch events (and an epoch event every STEPS_PER_EPOCH) as the reader yields them."""
    rng = np.random.default_rng(seed + start)
    loss = 0.1 + np.exp(-np.arange(start, start + n) / 2e5) + 0.05 * rng.standard_normal(n)
    acc = 1.0 - loss / 2
    out = [{"kind": "status", "status": "running", "epochs": 10**4, "steps_per_epoch": STEPS_PER_EPOCH,
            "time": 0.0}] if start == 0 else []
    for i in range(n):
        step = start + i + 1
        epoch = (step - 1) // STEPS_PER_EPOCH + 1
        out.append({"kind": "batch", "step": step, "epoch": epoch, "time": step * 0.002,
                    "samples_per_s": 16000, "loss": float(loss[i]), "accuracy": float(acc[i])})
        if step % STEPS_PER_EPOCH == 0:
            out.append({"kind": "epoch", "step": step, "epoch": epoch, "time": step * 0.002,
                        "loss": float(loss[i]), "accuracy": float(acc[i]), "val_loss": float(loss[i]) * 1.1,
                        "val_accuracy": float(acc[i]) * 0.98, "lr": 1e-3, "samples_per_s": 16000,
                        "epochs": 10**4, "steps": STEPS_PER_EPOCH})
    return out


def _timed(fn) -> tuple[float, float]:
    """(wall s, CPU s of this process) for one call: CPU time is what the redraw itself costs,
    wall time also holds whatever else the machine was doing."""
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def measure(n: int, repeats: int = 30) -> dict[str, float]:
    series = RunSeries()
    evs = events(n)
    t = time.perf_counter()
    series.extend(evs)
    ingest_s = time.perf_counter() - t
    opts = ChartOptions(granularity="batch", x_axis="step", smoothing=0.6)
    render_chart([("", series)], WIDTH, HEIGHT, opts)  # warm: EMA cache, plotext import paths

    live = []
    for k in range(repeats):
        series.extend(events(1, start=n + k))  # one new batch arrived
        live.append(_timed(lambda: render_chart([("", series)], WIDTH, HEIGHT, opts)))

    cold = []
    for alpha in (0.8, 0.9, 0.95):  # smoothing changed: EMA and block summary over the whole history
        cold.append(_timed(lambda: render_chart([("", series)], WIDTH, HEIGHT, ChartOptions(smoothing=alpha))))

    epoch_opts = ChartOptions(granularity="epoch", x_axis="time", log_y=True)
    epoch_view = [_timed(lambda: render_chart([("", series)], WIDTH, HEIGHT, epoch_opts)) for _ in range(5)]
    # zoomed in on a tenth of the run (the window is split into the columns: more detail, same cost)
    zoom_opts = replace(opts, x_window=(0.45 * n, 0.55 * n))
    zoomed = [_timed(lambda: render_chart([("", series)], WIDTH, HEIGHT, zoom_opts)) for _ in range(5)]
    # the Train pane's chart at 80x24 (48x13): every metric in one scaled overlay
    small = [_timed(lambda: render_chart([("", series)], 48, 13, opts)) for _ in range(5)]
    ms = lambda xs, i: statistics.median(x[i] for x in xs) * 1e3  # noqa: E731
    return {
        "points": n,
        "live_ms": ms(live, 1),
        "live_wall_ms": ms(live, 0),
        "cold_ms": ms(cold, 1),
        "epoch_ms": ms(epoch_view, 1),
        "zoomed_ms": ms(zoomed, 1),
        "small_ms": ms(small, 1),
        "ingest_per_s": len(evs) / ingest_s,
    }


def measure_columns(n: int, repeats: int = 30) -> dict[str, float]:
    """10^7 rows as a run opened from its binary columns is fed (numpy columns, no event dicts): the first
    figure (smoothing and min/max pyramid over every point), then redraws as single batches arrive."""
    from tuitrain.ui.series.column_feed import ColumnBlock

    rng = np.random.default_rng(0)
    steps = np.arange(1, n + 1, dtype=np.float64)
    loss = (0.1 + np.exp(-steps / (n / 5)) + 0.05 * rng.standard_normal(n)).astype(np.float32)
    series = RunSeries()
    series.extend(events(0))
    series.apply([ColumnBlock({"step": steps, "epoch": ((steps - 1) // STEPS_PER_EPOCH + 1).astype(np.float32),
                               "time": steps * 0.002, "loss": loss, "accuracy": 1.0 - loss / 2}, trusted=True)])
    opts = ChartOptions(granularity="batch", x_axis="step", smoothing=0.6)
    for key in ("loss", "accuracy"):  # what the chart's worker does before the first smoothed figure
        first = _timed(lambda key=key: series.prepare("batch", key, 0.6))
    first_draw = _timed(lambda: render_chart([("", series)], WIDTH, HEIGHT, opts))
    live = []
    for k in range(repeats):
        series.extend(events(1, start=n + k))
        live.append(_timed(lambda: render_chart([("", series)], WIDTH, HEIGHT, opts)))
    return {"points": n, "live_ms": statistics.median(x[1] for x in live) * 1e3,
            "live_wall_ms": statistics.median(x[0] for x in live) * 1e3,
            "prepare_ms": first[1] * 1e3, "first_ms": first_draw[1] * 1e3}


def main() -> int:
    print(f"chart redraw at {WIDTH}x{HEIGHT} (loss + accuracy panels, train batch curves + validation)")
    print("median per redraw; CPU = time.process_time of this process (robust on a busy machine),")
    print("wall = time.perf_counter (includes other load on the machine)")
    print(f"{'logged batches':>14} {'redraw CPU ms':>14} {'(wall ms)':>10} {'smoothing change CPU ms':>24} "
          f"{'epoch/log view CPU ms':>22} {'zoomed CPU ms':>14} {'48x13 overlay CPU ms':>21} {'ingest events/s':>16}")
    results = {}
    for n in (10**4, 10**5, 10**6):
        r = measure(n)
        results[n] = r
        print(f"{r['points']:>14,} {r['live_ms']:>14.1f} {r['live_wall_ms']:>10.1f} {r['cold_ms']:>24.1f} "
              f"{r['epoch_ms']:>22.1f} {r['zoomed_ms']:>14.1f} {r['small_ms']:>21.1f} {r['ingest_per_s']:>16,.0f}", flush=True)
    ratio = results[10**6]["live_ms"] / results[10**4]["live_ms"]
    ok = results[10**6]["live_ms"] <= GOAL_MS
    print(f"redraw at 10^6 / redraw at 10^4: {ratio:.2f}x")
    big = measure_columns(10**7)
    print(f"{big['points']:>14,} {big['live_ms']:>14.1f} {big['live_wall_ms']:>10.1f}  (from columns: smoothing + pyramid "
          f"of one metric {big['prepare_ms']:.0f} ms CPU, first figure {big['first_ms']:.0f} ms)", flush=True)
    goal("chart redraw at 10^7 points", f"{big['live_ms']:.1f} ms", "≤ 10 ms", big["live_ms"] <= 10.0)
    print(f"goal: redraw <= {GOAL_MS:.0f} ms at 10^6 points (CPU) -> {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
