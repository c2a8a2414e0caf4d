"""``tuitrain sweep`` and ``tuitrain sweeps``.

``sweep`` checks the preset's ``[sweep]`` (every swept value built by Keras), writes the sweep
directory and starts the controller as its own process; unless ``--detach`` it then follows
``sweep.json``, one line per trial, and prints the ranking. Ctrl-C asks the sweep to stop (the
running trials stop after their batch); a second Ctrl-C leaves it running.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TextIO

from tuitrain.common.errors import TuitrainError
from tuitrain.common.safetext import clean_line
from tuitrain.runs.control import request_control
from tuitrain.common.textfit import fit_table, fit_table_noted, output_width, wrap
from tuitrain.sweep.sweepdir import ACTIVE, SweepInfo, Trial, is_sweep, list_sweeps

POLL_S = 0.5


def sweep_command(args: argparse.Namespace) -> int:
    from tuitrain.sweep.launch import spawn_controller

    if args.stop:
        return _request(Path(args.stop), "stop_batch", "stop requested: running trials stop after their batch")
    if args.pause or args.unpause:
        target = Path(args.pause or args.unpause)
        return _request(target, "pause" if args.pause else "resume", "pause requested" if args.pause else "resume requested")
    if args.resume:
        if args.preset:
            raise TuitrainError("give either a PRESET or --resume SWEEP_DIR, not both.")
        sweep_dir = _sweep_dir(Path(args.resume))
    else:
        sweep_dir = _new_sweep(args)
    spawn_controller(sweep_dir)
    if args.detach:
        print(sweep_dir)
        print(f"sweep controller started in the background; watch it with `tuitrain attach {sweep_dir}`, "
              f"stop it with `tuitrain sweep --stop {sweep_dir}`.", file=sys.stderr)
        return 0
    return follow_sweep(sweep_dir)


def _new_sweep(args: argparse.Namespace) -> Path:
    from tuitrain.common.native_log import filtered_stderr
    from tuitrain.cli.output import find_preset_noted
    from tuitrain.preset import load_preset
    from tuitrain.sweep.check import check_sweep
    from tuitrain.sweep.launch import new_sweep

    if not args.preset:
        raise TuitrainError("tuitrain sweep needs a PRESET with a [sweep] table (e.g. sweep_spiral) or --resume SWEEP_DIR.")
    preset = load_preset(find_preset_noted(args.preset), list(args.overrides or []))
    if args.trials:
        preset.sweep["max_trials"] = args.trials
    if args.parallel:
        preset.sweep["parallel"] = args.parallel
    print(f"checking {preset.name}'s sweep (each swept value is built once, nothing trains)…", file=sys.stderr)
    with filtered_stderr():  # TensorFlow loads in this process for the check: keep its chatter out
        config = check_sweep(preset)
    role = "chief" if args.chief else "worker" if args.worker else None
    address = args.chief or args.worker
    if address:
        from tuitrain.sweep.distributed import parse_address

        parse_address(address)
    return new_sweep(preset, config, runs_dir=args.runs_dir, role=role, chief=address)


def _sweep_dir(path: Path) -> Path:
    if not is_sweep(path):
        raise TuitrainError(f"{path}: not a sweep directory (no sweep.json).")
    return path


def _request(path: Path, action: str, said: str) -> int:
    request_control(_sweep_dir(path), action)
    print(f"{path}: {said}")
    return 0


def follow_sweep(sweep_dir: Path, out: TextIO | None = None, *, poll_s: float = POLL_S, sleep=time.sleep) -> int:
    """One line per trial as it starts and ends, then the ranking: 0 finished/stopped, 1 otherwise."""
    out = out or sys.stdout
    seen: dict[str, str] = {}
    interrupts = 0
    width = output_width(out)
    print(f"sweep {sweep_dir}", file=out, flush=True)
    while True:
        try:
            info = SweepInfo.from_dir(sweep_dir)
            for trial in sorted(info.trials, key=lambda t: t.trial_id):
                if seen.get(trial.trial_id) != trial.status and trial.status not in ("starting", "ending"):
                    seen[trial.trial_id] = trial.status
                    print(wrap(trial_line(trial, info), width), file=out, flush=True)
            if info.status not in ACTIVE:
                print(file=out)
                print(sweep_table(info, width), file=out, flush=True)
                return 0 if info.status in ("finished", "stopped") else 1
            sleep(poll_s)
        except KeyboardInterrupt:
            interrupts += 1
            if interrupts > 1:
                print(f"left the sweep running: {sweep_dir}\n  watch it: tuitrain attach {sweep_dir}", file=out)
                return 130
            request_control(sweep_dir, "stop_batch")
            print("stopping the sweep… (Ctrl-C again to leave it running)", file=out, flush=True)


def _values(trial: Trial, keys: list[str]) -> str:
    return ", ".join(f"{k}={_fmt(trial.values.get(k))}" for k in keys)


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return clean_line(str(value))


def trial_line(trial: Trial, info: SweepInfo) -> str:
    what = {"running": "started", "finished": "finished", "failed": "FAILED", "stopped": "stopped"}.get(trial.status, trial.status)
    score = f": {info.objective} {trial.score:.4g}" if trial.score is not None else ""
    reason = f": {trial.error}" if trial.error else ""
    return f"trial {trial.trial_id} {what}{score}{reason}  ({_values(trial, info.keys)})"


def sweep_table(info: SweepInfo, width: int | None = None) -> str:
    """The trials ranked by the objective, one column per swept key; the best marked ``*``."""
    header = ("", "TRIAL", "STATUS", info.objective.upper() or "SCORE", *info.keys, "EPOCHS")
    rows, reasons = [header], []
    best = info.best
    for t in info.trials:
        epochs = f"{t.epochs_done}/{t.epochs_total}" if t.epochs_total else str(t.epochs_done)
        rows.append(("*" if t is best else "", t.trial_id, t.status, "-" if t.score is None else f"{t.score:.4g}",
                     *(_fmt(t.values.get(k)) for k in info.keys), epochs))
        reasons.append(clean_line(t.error or "")[:80])
    # within the width: long key headers cut at the start (their ends tell them apart); reasons under their row
    plan = [("cut", i, None, "start") for i in range(4, len(header) - 1)]
    lines = fit_table_noted(rows, reasons, width, note_head="REASON", plan=plan).splitlines()
    direction = "higher" if info.direction == "max" else "lower"
    head = f"{info.name}: {info.status}, {info.algorithm}, {len(info.trials)}/{info.max_trials} trials, {direction} {info.objective} is better"
    return "\n".join([wrap(clean_line(head), width), *lines])


def sweeps_command(args: argparse.Namespace) -> int:
    sweeps = list_sweeps(args.runs_dir)
    if args.json:
        print(json.dumps([sweep_json(s) for s in sweeps], indent=1))
        return 0
    if not sweeps:
        print("no sweeps (start one with `tuitrain sweep PRESET`, e.g. sweep_spiral)")
        return 0
    header = ("NAME", "STATUS", "ALGORITHM", "DONE", "FAILED", "RUNNING", "BEST", "BEST TRIAL", "STARTED")
    rows = [header]
    for s in sweeps:
        counts, best = s.counts(), s.best
        started = time.strftime("%Y-%m-%d %H:%M", time.localtime(s.started)) if s.started else "-"
        rows.append((s.name, s.status, s.algorithm, f"{counts.get('finished', 0)}/{s.max_trials}",
                     str(counts.get("failed", 0)), str(counts.get("running", 0)),
                     f"{s.objective} {best.score:.4g}" if best and best.score is not None else (s.error or "-"),
                     f"{best.trial_id} ({_values(best, s.keys)})" if best else "-", started))
    # within the width: the best trial's values shortened, start time and algorithm left out, names shortened
    print(fit_table(rows, output_width(sys.stdout), plan=[("cut", 7, 14), ("drop", 8), ("drop", 2), ("cut", 0, 20),
                                                          ("drop", 7)]))
    return 0


def sweep_json(s: SweepInfo) -> dict:
    best = s.best
    return {"name": s.name, "path": str(s.path), "status": s.status, "algorithm": s.algorithm,
            "objective": s.objective, "direction": s.direction, "keys": s.keys, "max_trials": s.max_trials,
            "counts": s.counts(), "error": s.error,
            "best": None if best is None else {"trial": best.trial_id, "score": best.score, "values": best.values,
                                               "run": str(best.run_dir) if best.run_dir else None},
            "trials": [{"trial": t.trial_id, "status": t.status, "score": t.score, "values": t.values,
                        "error": t.error, "run": str(t.run_dir) if t.run_dir else None} for t in s.trials]}
