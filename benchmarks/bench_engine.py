"""Throughput of training under tuitrain's trainer against bare ``model.fit(verbose=0)``.

    python benchmarks/bench_engine.py [--reps 3] [--samples 20000] [--epochs 10] [--batch-size 32]

Interleaved repetitions (order rotated each time) of four variants on the same preset and
seed, each in a fresh process so that none inherits another's warm caches:

- ``bare``: ``prepare(preset)`` then ``model.fit(..., verbose=0)`` with no callbacks;
- ``script+LiveRun``: the same plain script with ``callbacks=[LiveRun()]`` added (what a user
  of ``tuitrain.keras`` runs: run.json, events, metrics.csv, control);
- ``trainer``: ``tuitrain.engine.start_run`` (live-metrics, checkpoint, CSV and progress
  callbacks, events flushed a few times a second), the parent only waiting for the end;
- ``trainer+reader``: the same while this process tails the run with ``RunReader`` at 10 Hz.

Samples/s is measured inside each process around ``fit`` only, so TensorFlow's import and
start-up are not counted: by the wall clock, and per CPU-second of the process (which other
load on a shared machine disturbs less). Then, in one process, the time spent inside the
trainer's callbacks as a share of ``fit``: their direct cost, steady even on a busy machine.
Prints the medians, the ratios to ``bare`` (goal >= 0.97), bytes per batch row and the number
of event flushes. Not a test: the numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from run_all import goal  # noqa: E402  (this folder is on sys.path when a benchmark runs)


def overrides(args: argparse.Namespace) -> list[str]:
    return [f"data.samples={args.samples}", f"fit.epochs={args.epochs}", f"fit.batch_size={args.batch_size}"]


def load(args: argparse.Namespace):
    from tuitrain.preset import find_preset, load_preset

    return load_preset(find_preset(args.preset), overrides(args))


def bare_fit(args: argparse.Namespace) -> None:
    """Child mode: time a plain fit and print {samples, fit_seconds} as JSON (``--liverun``: with LiveRun)."""
    from tuitrain.model import fit_kwargs, prepare

    preset = load(args)
    checked = prepare(preset)
    ds = checked.dataset
    kwargs = fit_kwargs(preset.fit)
    epochs = kwargs.pop("epochs", 1)
    batch_size = kwargs.pop("batch_size", 32)
    has_val = ds.x_val is not None
    callbacks = []
    if args.liverun:
        from tuitrain.keras import LiveRun

        callbacks.append(LiveRun(runs_dir=args.liverun, name="bench"))
    start, start_cpu = time.perf_counter(), time.process_time()
    checked.model.fit(ds.x_train, ds.y_train, validation_data=(ds.x_val, ds.y_val) if has_val else None,
                      epochs=epochs, batch_size=batch_size, verbose=0, callbacks=callbacks, **kwargs)
    seconds, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    print(json.dumps({"samples": epochs * len(ds.x_train), "fit_seconds": seconds, "fit_cpu_seconds": cpu}))


HOOKS = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end", "on_train_batch_begin", "on_train_batch_end")


def inside_fit(args: argparse.Namespace) -> None:
    """Child mode: fit with the trainer's callbacks, timing every hook call; print the share of fit.

    A ratio of two processes on a shared, busy machine swings by ±20 %; the time spent inside
    the callbacks, as a share of the same fit, is steady and bounds their cost from above.
    """
    import functools

    from tuitrain.trainer.checkpoint import Checkpointer
    from tuitrain.runs.control import ControlInbox
    from tuitrain.runs.events import EventWriter
    from tuitrain.trainer.liverun import LiveRun
    from tuitrain.model import fit_kwargs, prepare

    preset = load(args)
    kwargs = fit_kwargs(preset.fit)
    epochs = kwargs.pop("epochs", 1)
    batch_size = kwargs.pop("batch_size", 32)
    shares, spent = [], {}

    def timed(cb, hook):
        fn = getattr(cb, hook)
        key = f"{type(cb).__name__}.{hook}"

        @functools.wraps(fn)
        def wrapper(*a, **kw):
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                spent[key] = spent.get(key, 0.0) + time.perf_counter() - t

        setattr(cb, hook, wrapper)

    with tempfile.TemporaryDirectory(prefix="tuitrain-inside-") as tmp:
        for rep in range(max(1, args.reps // 2)):
            run = Path(tmp) / str(rep)
            run.mkdir()
            checked = prepare(preset)
            ds = checked.dataset
            (run / "run.json").write_text("{}")
            live = LiveRun.attach(run, EventWriter(run / "events.jsonl"), ControlInbox(run), samples=len(ds.x_train),
                                  batch_size=batch_size)
            callbacks = [live, Checkpointer(run / "checkpoints", monitor="val_loss", mode="min", live=live)]
            for cb in [*live.parts, callbacks[1]]:
                for hook in HOOKS:
                    timed(cb, hook)
            live.wire()
            spent.clear()
            start = time.perf_counter()
            checked.model.fit(ds.x_train, ds.y_train, validation_data=(ds.x_val, ds.y_val), epochs=epochs,
                              batch_size=batch_size, verbose=0, callbacks=callbacks, **kwargs)
            fit_s = time.perf_counter() - start
            shares.append(sum(spent.values()) / fit_s)
    top = sorted(spent.items(), key=lambda kv: -kv[1])[:6]
    print(json.dumps({"shares": shares, "fit_s": round(fit_s, 1), "top_ms": {k: round(v * 1000, 1) for k, v in top}}))


def eventlog_micro(*, steps: int = 1000, epochs: int = 4, reps: int = 9) -> dict[str, list[float]]:
    """µs of this thread's CPU per batch: ``EventLog.on_train_batch_end`` (the batch path, what
    training waits for) and the flush that formats and writes the rows (JSON lines + columns), per row.

    Thread CPU time rather than the wall clock: a busy machine (8 engineers, 2 cores) stretches the
    wall clock by whatever else runs, not the work done. Two metrics as Keras hands them (floats)."""
    from tuitrain.runs.events import EventWriter
    from tuitrain.trainer.callbacks.event_log import EventLog

    batch_us, flush_us = [], []
    for _ in range(reps):
        with tempfile.TemporaryDirectory(prefix="tuitrain-micro-") as tmp:
            writer = EventWriter(Path(tmp) / "events.jsonl", flush_interval=1e9)  # flushes timed apart
            log = EventLog(writer, samples=steps * 32, batch_size=32)
            log.params = {"steps": steps, "epochs": epochs}
            log.on_train_begin()
            logs = {"accuracy": 0.75, "loss": 0.5}
            in_batches = in_flush = 0.0
            for epoch in range(epochs):
                log.on_epoch_begin(epoch)
                start = time.thread_time()
                for batch in range(steps):
                    logs["loss"] = 0.5 + batch * 1e-4
                    log.on_train_batch_end(batch, logs)
                middle = time.thread_time()
                writer.flush()
                in_batches += middle - start
                in_flush += time.thread_time() - middle
            writer.close()
        batch_us.append(1e6 * in_batches / (steps * epochs))
        flush_us.append(1e6 * in_flush / (steps * epochs))
    return {"batch_us": batch_us, "flush_us": flush_us}


def report_micro() -> None:
    micro = eventlog_micro()
    batch, flush = (sorted(micro[k]) for k in ("batch_us", "flush_us"))
    med_b, med_f = statistics.median(batch), statistics.median(flush)
    print(f"  EventLog per batch: {med_b:.2f} µs (thread CPU, median of {len(batch)}; min–max {batch[0]:.2f}–{batch[-1]:.2f})"
          f"; at flush {med_f:.2f} µs a row ({flush[0]:.2f}–{flush[-1]:.2f}); together {med_b + med_f:.2f} µs a batch")
    goal("EventLog per batch (batch path; + flush per row)", f"{med_b:.2f} µs (+{med_f:.2f})", "≤ 5 µs", med_b <= 5)


def run_inside(args: argparse.Namespace) -> dict:
    cmd = [sys.executable, __file__, "--inside", "--preset", args.preset, "--samples", str(args.samples),
           "--epochs", str(args.epochs), "--batch-size", str(args.batch_size), "--reps", str(args.reps)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT).stdout
    return json.loads(out.strip().splitlines()[-1])


def run_bare(args: argparse.Namespace, liverun: Path | None = None) -> dict:
    cmd = [sys.executable, __file__, "--bare", "--preset", args.preset, "--samples", str(args.samples),
           "--epochs", str(args.epochs), "--batch-size", str(args.batch_size)]
    if liverun is not None:
        cmd += ["--liverun", str(liverun)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT).stdout
    return json.loads(out.strip().splitlines()[-1])


def run_trainer(args: argparse.Namespace, runs_dir: Path, *, tail_hz: float | None = None, app: bool = False) -> dict:
    """The trainer process alone, tailed by ``RunReader`` at ``tail_hz``, or watched by the real app
    (``tuitrain RUN_DIR`` in a 120×40 pseudo-terminal, as a user attached over SSH sees it)."""
    from tuitrain.runs.reader import RunReader
    from tuitrain.trainer.spawn import start_run
    from tuitrain.runs.rundir import FINAL

    run_dir = start_run(load(args), runs_dir=runs_dir)
    reader = RunReader(run_dir)
    watcher = None
    if app:
        from bench_attach import App

        watcher = App(str(run_dir))
    events = 0
    try:
        while True:
            if tail_hz:
                events += len(reader.poll())
            info = reader.status()
            if info.get("status") in FINAL:
                break
            pause = 1 / tail_hz if tail_hz else 0.5
            watcher.pump(pause) if watcher is not None else time.sleep(pause)
    finally:
        if watcher is not None:
            watcher.close()
    if tail_hz:
        events += len(reader.poll())
    if info["status"] != "finished":
        raise SystemExit(f"trainer run {run_dir} ended {info['status']}: {info.get('error')}")
    return {"samples": info["samples_trained"], "fit_seconds": info["fit_seconds"],
            "fit_cpu_seconds": info["fit_cpu_seconds"], "events": info["events"],
            "tailed_events": events}


def pin_threads(threads: int) -> None:
    """The same TensorFlow thread pools in every arm (inherited by each process): on a shared machine
    TF's default pools follow the load and blur a few-% difference."""
    for var in ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS"):
        os.environ[var] = str(threads)


def paired_ratios(arm: list[float], bare: list[float]) -> tuple[float, float, float]:
    """Per-CPU-second ratio to ``bare`` rep by rep (neighbours in time share the machine's load):
    (median, lowest, highest)."""
    ratios = sorted(a / b for a, b in zip(arm, bare))
    return statistics.median(ratios), ratios[0], ratios[-1]


def paired_spread(name: str, arm: list[float], bare: list[float]) -> str:
    """The paired ratio's median, range, and whether the spread is bigger than the effect it is meant to show."""
    median, low, high = paired_ratios(arm, bare)
    half_range = (high - low) / 2
    effect = abs(1 - median)
    verdict = ("the spread exceeds the effect: not a measured difference" if half_range >= effect
               else "the effect exceeds the spread")
    return (f"{name:<16} paired per-CPU-second ratio median {median:.3f}, range {low:.3f}–{high:.3f} "
            f"(±{half_range:.3f} vs effect {effect:.3f}): {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="spiral_mlp")
    parser.add_argument("--samples", type=int, default=20000)
    # 10 epochs: with 3 (2.4 s of fit) the fixed first/last checkpoint saves (~20 ms each) read as a
    # 4-8 % throughput loss that a real run never sees.
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--threads", type=int, default=1, help="TensorFlow intra/inter-op threads in every arm")
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--liverun", help=argparse.SUPPRESS)
    parser.add_argument("--micro", action="store_true", help="only the EventLog micro-benchmark (seconds)")
    parser.add_argument("--quick", action="store_true", help="8,000 samples and 4 epochs a fit (7 repetitions still)")
    args = parser.parse_args()
    if args.quick:
        args.samples, args.epochs = min(args.samples, 8000), min(args.epochs, 4)
    if args.micro:
        report_micro()
        return 0
    if args.bare:
        bare_fit(args)
        return 0
    if args.inside:
        inside_fit(args)
        return 0

    pin_threads(args.threads)
    rates: dict[str, list[float]] = {"bare": [], "script+LiveRun": [], "trainer": [], "trainer+reader": [], "trainer+app": []}
    cpu_rates: dict[str, list[float]] = {name: [] for name in rates}
    stats = None
    with tempfile.TemporaryDirectory(prefix="tuitrain-bench-") as tmp:
        for rep in range(args.reps):
            variants = {
                "bare": lambda: run_bare(args),
                "script+LiveRun": lambda: run_bare(args, liverun=Path(tmp) / "script"),
                "trainer": lambda: run_trainer(args, Path(tmp), tail_hz=None),
                "trainer+reader": lambda: run_trainer(args, Path(tmp), tail_hz=10),
                "trainer+app": lambda: run_trainer(args, Path(tmp), app=True),
            }
            names = list(variants)
            order = names[rep % len(names):] + names[:rep % len(names)]  # rotate: no variant always runs first
            results = {name: variants[name]() for name in order}
            for name, r in results.items():
                rates[name].append(r["samples"] / r["fit_seconds"])
                cpu_rates[name].append(r["samples"] / r["fit_cpu_seconds"])
            stats = results["trainer"]["events"]
            print(f"rep {rep + 1}: " + "  ".join(f"{n} {rates[n][-1]:,.0f} samples/s" for n in rates), flush=True)

    med = {n: statistics.median(v) for n, v in rates.items()}
    cpu_med = {n: statistics.median(v) for n, v in cpu_rates.items()}
    steps = -(-int(args.samples * 0.8) // args.batch_size)
    print(f"\npreset {args.preset}: {args.samples} samples, batch {args.batch_size}, {args.epochs} epochs "
          f"({steps} steps/epoch), {args.reps} interleaved repetitions; medians:")
    for name, value in med.items():
        print(f"  {name:<16} {value:>10,.0f} samples/s   ratio to bare {value / med['bare']:.3f}"
              f"   | per CPU-second {cpu_med[name]:>10,.0f}   ratio {cpu_med[name] / cpu_med['bare']:.3f}")
    for name in list(med)[1:]:
        print("  " + paired_spread(name, cpu_rates[name], cpu_rates["bare"]))
    report_micro()
    inside = run_inside(args)
    share = statistics.median(inside["shares"])
    print(f"  time inside the trainer's callbacks: {100 * share:.2f} % of fit (median of {len(inside['shares'])} fits;"
          f" implied ratio about {1 - share:.3f}); largest: "
          + ", ".join(f"{k} {v} ms" for k, v in inside["top_ms"].items()))
    goal("time inside the trainer's callbacks / fit", f"{100 * share:.2f} %", "≤ 1 %", share <= 0.01)
    ratio, low, high = paired_ratios(cpu_rates["trainer+app"], cpu_rates["bare"])
    half_range = (high - low) / 2
    goal("throughput trainer+app / bare fit (per CPU-second)", f"{ratio:.3f} ±{half_range:.3f}",
         "≥ 0.97, ± < 0.03", ratio >= 0.97 and half_range < 0.03)
    print(f"  bytes per batch row {stats['bytes_per_batch_row']}, flushes {stats['flushes']} "
          f"for {stats['batch_rows']} batch rows (goal: ratio >= 0.97, <= 64 bytes/row)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
