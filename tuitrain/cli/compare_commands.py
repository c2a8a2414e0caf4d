"""``tuitrain diff``, ``tuitrain metrics`` and ``tuitrain runs --json``: runs as text and data.

Each works on run directories (the trainer's or ``LiveRun``'s) and TensorBoard log folders
alike; output goes to stdout so it pipes into pandas, a paper or CI.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from tuitrain.common.safetext import clean_line, csv_text, json_safe
from tuitrain.common.textfit import output_width, wrap
from tuitrain.runs.compare import diff_lines, read_all, run_settings, series_rows, setting_cells
from tuitrain.runs.source import check_run, run_info
from tuitrain.runs.rundir import RunInfo
from tuitrain.runs.listing import default_runs_dir, list_runs


def diff_command(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Print the settings that differ between two runs; exit 0 either way (1 is for errors)."""
    out = out or sys.stdout
    a, b = check_run(args.run_a), check_run(args.run_b)
    settings_a, settings_b = run_settings(a), run_settings(b)
    for path, settings in ((a, settings_a), (b, settings_b)):
        if not settings:
            print(f"note: {path} recorded no settings (a TensorBoard folder without Keras' model summary)",
                  file=sys.stderr)
    lines = diff_lines(settings_a, settings_b)  # keys and values are escaped there (presets are untrusted)
    print(f"--- {clean_line(a)}\n+++ {clean_line(b)}", file=out)
    width = output_width(out)
    for line in lines:  # a long value wraps between words beneath its key
        print(wrap(line, width, indent="    "), file=out)
    if not lines:
        print("(no differences in the recorded settings)", file=out)
    return 0


def metrics_rows(paths: list[str], kind: str, since: float | None) -> list[tuple[Path, list[dict[str, Any]]]]:
    """Each run's rows; what was skipped as damaged is said on stderr (file and line or offset)."""
    runs = [check_run(p) for p in paths]
    out = []
    for path in runs:
        warnings: list[str] = []
        out.append((path, series_rows(read_all(path, warnings), kind, since=since)))
        for warning in warnings:
            print(f"warning: {clean_line(path)}: {clean_line(warning)}", file=sys.stderr)
    return out


def metrics_command(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Write the batch or epoch series of one or several runs as CSV (default) or JSON."""
    out = out or sys.stdout
    kind = "batch" if args.batch else "epoch"
    runs = metrics_rows(args.runs, kind, args.since)
    if args.json:
        doc = {"kind": kind, "runs": [{"run": path.name, "path": str(path), "rows": rows} for path, rows in runs]}
        json.dump(json_safe(doc), out, indent=1, allow_nan=False)  # strict JSON: NaN → null; escapes stay \u001b
        out.write("\n")
        return 0
    columns: list[str] = []
    for _, rows in runs:
        for row in rows:
            columns.extend(k for k in row if k not in columns and k not in ("epoch", "step", "time"))
    writer = csv.writer(out, lineterminator="\n")
    # metric names, tags and run names are text from the run: escaped, and never a spreadsheet formula
    writer.writerow(["run", "epoch", "step", "time", *map(csv_text, columns)])
    for path, rows in runs:
        name = csv_text(path.name)
        for row in rows:
            writer.writerow([name, *(_cell(row.get(c)) for c in ("epoch", "step", "time", *columns))])
    return 0


def _cell(value: Any) -> str:
    """A number as CSV text (``nan``/``inf`` as Python writes them); anything else as neutralised text."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return csv_text(value)
    return repr(float(value)) if isinstance(value, float) else str(value)


def run_record(run: RunInfo, columns: list[str] | tuple[str, ...] = ()) -> dict[str, Any]:
    """One run for ``tuitrain runs --json`` (``settings``: the ``--columns`` keys and their values)."""
    best = run.best_monitor
    extra = {"settings": dict(zip(columns, setting_cells(run.path, columns)))} if columns else {}
    return extra | {"name": run.name, "path": str(run.path), "preset": run.preset_name, "status": run.status,
            "started": run.started, "ended": run.ended, "duration_s": run.duration_s,
            "epochs_done": run.epochs_done, "epochs_total": run.epochs_total, "monitor": run.monitor,
            "best_monitor": {"metric": best[0], "value": best[1]} if best else None, "best": run.best,
            "error": run.error, "pid": run.pid, "system": run.system or None}


def runs_json(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    root = default_runs_dir(getattr(args, "runs_dir", None))
    columns = getattr(args, "columns", None) or ()
    doc = {"runs_dir": str(root), "runs": [run_record(r, columns) for r in list_runs(root)],
           "sweeps": sweep_records(root, columns)}
    json.dump(json_safe(doc), out, indent=1, allow_nan=False)
    out.write("\n")
    return 0


def sweep_records(root: Path, columns: list[str] | tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Each sweep under ``root`` as ``tuitrain sweeps --json`` gives it, with its trials' runs (best first) in
    ``runs``: the trials are runs too, grouped under their sweep as the plain ``tuitrain runs`` table does."""
    from tuitrain.cli.sweep_commands import sweep_json
    from tuitrain.sweep.sweepdir import list_sweeps

    out = []
    for sweep in list_sweeps(root):
        trial_runs = [(t.trial_id, RunInfo.from_dir(t.run_dir)) for t in sweep.trials
                      if t.run_dir is not None and t.run_dir.is_dir()]
        out.append(sweep_json(sweep) | {"runs": [{"trial": tid} | run_record(r, columns) for tid, r in trial_runs]})
    return out


__all__ = ["diff_command", "metrics_command", "run_info", "runs_json", "sweep_records"]
