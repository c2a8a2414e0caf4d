"""``tuitrain train`` and ``tuitrain runs``.

``train`` never trains in this process: it starts the trainer (``start_run``) and, unless
``--detach``, follows its run directory with a plain progress display. Ctrl-C asks the trainer
to stop after the current batch and waits for it to finish cleanly; a second Ctrl-C leaves the
trainer running and says how to find it again.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TextIO

from tuitrain.runs.control import request_control
from tuitrain.trainer.spawn import start_run
from tuitrain.cli.progress import ProgressView
from tuitrain.common.fmt import fmt_duration
from tuitrain.runs.reader import RunReader
from tuitrain.runs.rundir import FINAL, RunInfo
from tuitrain.runs.layout import MODEL_FILE, PRESET_FILE, TRAINER_LOG
from tuitrain.runs.listing import default_runs_dir, list_runs
from tuitrain.common.errors import TuitrainError
from tuitrain.common.safetext import clean_line
from tuitrain.common.textfit import output_width

POLL_S = 0.25
CRASH_LOG_LINES = 8
NAME_KEPT = 28  # a run name this long stays whole before columns are dropped (preset name + time stamp)
MIN_NAME = 20  # at the last, names keep their time stamp and a few letters ("tri…-20261205-120001")
# A crashed run wrote no error: its trainer was killed (kill -9, out of memory) or died on start-up.
NO_OUTCOME = "the trainer process ended without writing its outcome (killed, or it died on start-up)"


def train_command(args: argparse.Namespace) -> int:
    from tuitrain.cli.output import find_preset_noted
    from tuitrain.preset import load_preset

    overrides = list(getattr(args, "overrides", None) or [])
    resume = getattr(args, "resume", None)
    if resume:
        if args.preset:
            raise TuitrainError(f"give either a PRESET or --resume RUN_DIR, not both (a resumed run keeps its own {PRESET_FILE}; change it with --set).")
        run_path = Path(resume)
        if not (run_path / PRESET_FILE).is_file():
            raise TuitrainError(f"{run_path}: not a run directory (no {PRESET_FILE}).")
        preset = load_preset(run_path / PRESET_FILE, overrides)
    else:
        if not args.preset:
            raise TuitrainError("tuitrain train needs a PRESET (a .toml file or a bundled name such as spiral_mlp) or --resume RUN_DIR.")
        preset = load_preset(find_preset_noted(args.preset), overrides)
    run_dir = start_run(preset, runs_dir=getattr(args, "runs_dir", None), resume=resume,
                        trusted=bool(getattr(args, "trust", False)), tf_config=_tf_config(args))
    if getattr(args, "detach", False):
        print(run_dir)
        print(f"trainer started in the background; watch it with `tuitrain attach {run_dir}`, list runs with `tuitrain runs`.",
              file=sys.stderr)
        return 0
    return follow_run(run_dir, every_epochs=getattr(args, "log_every_epochs", None) or 1)


def _tf_config(args: argparse.Namespace) -> str | None:
    """``--workers``/``--worker-index`` as the TF_CONFIG the trainer reads (None: one machine, or TF_CONFIG as set)."""
    from tuitrain.trainer.distribute import parse_workers, worker_tf_config

    workers, index = getattr(args, "workers", None), getattr(args, "worker_index", None)
    if workers is None and index is None:
        return None
    if workers is None or index is None:
        raise TuitrainError("--workers and --worker-index go together: every machine gets the same --workers list "
                            "and its own --worker-index (0 = the chief, which writes the run directory).")
    return worker_tf_config(parse_workers(workers), index)


def follow_run(run_dir: Path, out: TextIO | None = None, *, poll_s: float = POLL_S, sleep=time.sleep,
               every_epochs: int = 1) -> int:
    """Show progress until the trainer ends: 0 finished/stopped, 130 stopped by Ctrl-C, 1 failed/crashed.

    On a terminal the batch line is redrawn in place; elsewhere (a file, a pipe) only whole
    lines are written, an epoch line every ``every_epochs`` epochs.
    """
    out = out or sys.stdout
    reader = RunReader(run_dir)
    view = ProgressView(out, live=out.isatty(), every_epochs=every_epochs, width=output_width(out))
    view.message(f"run {run_dir}")
    interrupts = 0
    while True:
        try:
            for event in reader.poll():
                view.feed(event)
            info = reader.status()
            status = info.get("status")
            if status in FINAL or status == "invalid":  # invalid: run.json was damaged or replaced
                for event in reader.poll():  # rows flushed just before run.json was written
                    view.feed(event)
                code = _final(view, run_dir, info)
                return 130 if (code == 0 and interrupts and status == "stopped") else code
            view.render()
            sleep(poll_s)
        except KeyboardInterrupt:
            interrupts += 1
            if interrupts == 1:
                request_control(run_dir, "stop_batch")
                view.message("stopping after the current batch… (Ctrl-C again to leave the trainer running)")
            else:
                pid = reader.status().get("pid")
                view.message(f"left the trainer running (pid {pid}): {run_dir}\n"
                             f"  watch it: tuitrain attach {run_dir}    list runs: tuitrain runs")
                return 130


def _final(view: ProgressView, run_dir: Path, info: dict) -> int:
    status = info.get("status")
    if status in ("finished", "stopped"):
        model = run_dir / MODEL_FILE
        where = f"; model: {model}" if model.is_file() else ""
        done = info.get("epochs_done", 0)
        said = info.get("message") if status == "stopped" and isinstance(info.get("message"), str) else None
        said = clean_line(said) if said else f"{status} after {done} epoch{'' if done == 1 else 's'}"  # "stopped after batch 7 of epoch 2"
        view.message(f"{said} in {fmt_duration(RunInfo.from_dir(run_dir).duration_s)}{where}")
        return 0
    reason = info.get("error") or NO_OUTCOME
    if view.final_status != status:  # the status event already printed the reason
        view.message(f"{status}: {reason}")
    if status == "crashed":  # no error text: the end of the log is the best clue
        for line in log_clues(run_dir, CRASH_LOG_LINES):
            view.message(f"  | {line}")
    view.message(f"  log: {run_dir / TRAINER_LOG}")
    return 1


def runs_table(runs: list[RunInfo], columns: list[str] | tuple[str, ...] = (), width: int | None = None,
               dropped: list[int] | None = None) -> str:
    """The runs as aligned text; ``columns``: settings shown beside the best metric (``layers[1].units``).

    Within ``width`` (None: any) long names are shortened in the middle (``…``; RUN arguments take them as
    printed), GPU memory, duration and then settings columns are left out (their indexes added to ``dropped``),
    and reasons move under their row.
    Names and metric names come from run directories: escaped (``safetext``) before printing."""
    from tuitrain.common.textfit import fit_table_noted

    rows, reasons = _runs_rows(runs, columns)
    n = len(rows[0])
    settings = list(range(4, 4 + len(columns)))
    # names are cut in the middle: the time stamp tells runs of one preset apart (and `START…END` finds the run)
    plan = [("cut", 0, NAME_KEPT, "middle"), ("drop", n - 1), *(("cut", i, None, "start") for i in settings),
            ("drop", n - 2), *(("drop", i) for i in reversed(settings)), ("cut", 0, MIN_NAME, "middle")]
    return fit_table_noted(rows, reasons, width, note_head="REASON", plan=plan, dropped=dropped)


def _runs_rows(runs: list[RunInfo], columns: list[str] | tuple[str, ...]) -> tuple[list[tuple[str, ...]], list[str]]:
    """The table's rows (header first) without the reason column, and each run's reason."""
    from tuitrain.runs.compare import setting_cells
    from tuitrain.trainer.devices import fmt_bytes
    from tuitrain.runs.rundir import read_run_json
    from tuitrain.trainer.system import peak_gpu_memory

    rows = [("NAME", "STATUS", "EPOCHS", "BEST", *(c.upper() for c in columns), "DURATION", "GPU MEM")]
    reasons = []
    for r in runs:
        if not r.valid:  # an invalid run's reason in place of the numbers
            rows.append((clean_line(r.name), r.status, "-", "-", *("" for _ in columns), "", ""))
            reasons.append(clean_line(r.error or ""))
            continue
        best = r.best_monitor
        epochs = f"{r.epochs_done}/{r.epochs_total}" if r.epochs_total else str(r.epochs_done)
        best_s = clean_line(f"{best[0]} {best[1]:.4g}") if best else "-"
        cells = [clean_line(c) for c in setting_cells(r.path, columns)]
        peak = peak_gpu_memory(r.path, read_run_json(r.path))  # the peak over the run's GPUs, "-" without one
        rows.append((clean_line(r.name), clean_line(r.status), epochs, best_s, *cells, fmt_duration(r.duration_s),
                     fmt_bytes(peak)))
        reasons.append(clean_line(failure_reason(r)))
    return rows, reasons


def log_clues(run_dir: Path, n: int) -> list[str]:
    """The last ``n`` lines of the trainer's log that say something: TensorFlow's start-up chatter
    (``cuInit`` on every machine without a GPU) is no reason a run ended. Bounded and escaped."""
    from tuitrain.common.native_log import is_native_chatter

    lines = RunReader(run_dir).log_tail(max(n, 1) * 8 + 20)
    return [line for line in lines if line.strip() and not is_native_chatter(line)][-n:]


def failure_reason(run: RunInfo, width: int = 100) -> str:
    """Why a failed or crashed run ended: its error, else the last line of its trainer log; for others their
    warning (a TensorBoard folder's damaged parts) or ''."""
    if run.status == "stopped" and run.message and not run.error:  # where the stop left it, in plain words
        return run.message[:width]
    if run.status not in ("failed", "crashed"):  # a live or finished run may still carry a warning (damage skipped)
        text = " ".join((run.error or "").split())
        return text if len(text) <= width else text[: width - 1] + "…"
    text = run.error or ""
    if not text:
        lines = log_clues(run.path, 1)
        if lines:
            text = lines[-1]
        elif (run.path / TRAINER_LOG).exists():  # only TensorFlow's start-up chatter: it was killed
            text = NO_OUTCOME
        elif run.source == "script":  # LiveRun records an exception; a script killed outright leaves none
            text = "the script's process ended without recording an error or a log (killed?)"
        else:
            text = "the trainer left no error and no log (it may not have started)"
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def runs_command(args: argparse.Namespace) -> int:
    from tuitrain.common.textfit import output_width, wrap
    from tuitrain.sweep.sweepdir import list_sweeps

    root = default_runs_dir(getattr(args, "runs_dir", None))
    runs, sweeps = list_runs(root), list_sweeps(root)
    columns = getattr(args, "columns", None) or ()
    if not runs and not sweeps:
        print(f"no runs under {root} (start one with `tuitrain train PRESET`)")
        return 0
    width, dropped = output_width(sys.stdout), []
    if runs:
        print(runs_table(runs, columns, width, dropped))
    for sweep in sweeps:  # a sweep's trials are runs too: listed under it, best first
        best = sweep.best
        said = f", best {sweep.objective} {best.score:.4g} (trial {best.trial_id})" if best and best.score is not None else ""
        print()
        print(wrap(clean_line(f"sweep {sweep.name}: {sweep.status}, {sweep.algorithm}{said}"), width))
        trials = [RunInfo.from_dir(t.run_dir) for t in sweep.trials if t.run_dir is not None and t.run_dir.is_dir()]
        if trials:
            table = runs_table(trials, columns, None if width is None else width - 2, dropped)
            print("\n".join(f"  {line}" for line in table.splitlines()))
    left_out = [key for i, key in enumerate(columns) if 4 + i in dropped]
    if left_out:  # a setting asked for is never left out silently
        from tuitrain.cli.output import note

        note(f"left out at {width} columns: {', '.join(left_out)} (a wider terminal or `tuitrain runs --json` "
             "shows them)")
    return 0
