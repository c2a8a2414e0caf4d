"""What the Train pane says about a run in words: the status line, the numbers, the epoch table's cells.

The pane decides *when* to redraw (polling a run is its job); this module decides *what* the side
panel and the epoch table read, from the run's series and ``run.json``. Kept apart so that the
text (progress, ETA, rate, best value, why a run failed) can be read and tested without a running
app. No widgets: it returns Rich ``Text`` and plain values the pane puts on screen.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text

from tuitrain.runs.record import partial_batches
from tuitrain.runs.rundir import ACTIVE as ACTIVE_STATUSES
from tuitrain.common.fmt import fmt_duration as _duration
from tuitrain.ui.series.run_series import RunSeries
from tuitrain.ui.styles import STATUS_STYLE
from tuitrain.ui.widgets.chart.metrics_chart import best_text

__all__ = ["RunPanelText", "describe_run", "progress_line", "epoch_cells", "epoch_column_label", "idle_text",
           "log_text", "no_preset_note"]


@dataclass(frozen=True)
class RunPanelText:
    """The side panel of a run being shown."""

    status: Text  # "● running  <run name>"
    stats: Text  # progress, ETA and rate, best value, lr and elapsed time, messages
    placeholder: str  # what the chart says while it has no curve ("" for the usual one)
    progress: tuple[int, int] | None  # (total, done) for the progress bar, in steps or else epochs


def idle_text(preset_name: str | None) -> tuple[Text, Text, str]:
    """(status, stats, chart placeholder) when no run is shown: how to start one."""
    hint = f"press s to train {preset_name}" if preset_name else "open a preset (ctrl+o), then press s to train"
    return Text("no run", style="dim"), Text(f"{hint}\nr lists earlier runs"), f"no run yet: {hint}"


def describe_run(series: RunSeries, run_info: dict, status: str | None, run_name: str,
                 loading: str | None = None, skipped: Any = None, *, now: float | None = None) -> RunPanelText:
    """The panel of one run: ``run_info`` is ``run.json`` as the reader gave it, ``status`` the pane's
    best word for the run's state, ``loading`` the progress of a long file being read, ``skipped``
    the reader's log of lines it could not use (a TensorBoard folder's reader has none)."""
    status = status or "…"
    tensorboard = run_info.get("source") == "tensorboard"
    word = "live" if tensorboard and status == "running" else status  # nobody can stop or pause a log folder
    line = Text()
    line.append(f"● {word}", style=STATUS_STYLE.get(status, ""))
    line.append(f"  {run_name}", style="bold")

    epochs = series.epochs_total or run_info.get("epochs_total")
    spe = series.steps_per_epoch
    last_b, last_e = series.last_batch, series.last_epoch
    step = max(int((last_b or {}).get("step", 0)), int((last_e or {}).get("step", 0)))
    total_steps = epochs * spe if epochs and spe else None
    rows: list[Text | str] = []
    if tensorboard:
        rows.append(_last_write(run_info.get("updated"), now))
    if loading is not None:
        rows.append(Text(loading, style="italic"))
    rows.append(progress_line(series, status, epochs, step, total_steps))
    rows += _numbers(series, status, step, total_steps)
    message = run_info.get("error") or series.message
    if status == "crashed" and not run_info.get("error"):  # killed outright: say where it was, the log says more
        who = "script" if run_info.get("source") == "script" else "trainer"
        message = f"the {who}'s process ended after step {step} without recording why (killed?)"
    failed = status in ("failed", "crashed")
    placeholder = f"the run {status} before its first batch:\n\n{message or 'see the log'}" if failed else ""
    if message:
        rows.append(Text(str(message), style="red" if failed else "italic"))
    if skipped is not None and skipped.total:
        rows.append(Text(skipped.summary(), style="yellow"))
    if status in ACTIVE_STATUSES and not tensorboard:
        rows.append(Text("quitting leaves the run going", style="dim"))
    stats = Text("\n").join(r if isinstance(r, Text) else Text(r) for r in rows)
    if total_steps:
        progress: tuple[int, int] | None = (total_steps, min(step, total_steps))
    elif epochs:
        progress = (epochs, series.epochs_done)
    else:
        progress = None  # no total to measure against (a log folder): no bar rather than "--%"
    return RunPanelText(line, stats, placeholder, progress)


def progress_line(series: RunSeries, status: str, epochs: int | None, step: int, total_steps: int | None) -> str:
    """Where the run is: the epoch in progress while it trains, whole epochs done once it ended
    (the count the epoch table and ``tuitrain runs`` show, plus the batches of an epoch a stop cut short)."""
    of = f"/{epochs}" if epochs else ""
    if status in ACTIVE_STATUSES:
        in_progress = (series.last_batch or {}).get("epoch")  # a log folder without batch rows: the last epoch
        text = f"epoch {int(in_progress) if isinstance(in_progress, (int, float)) else series.epochs_done}{of}"
    else:
        text = f"epoch {series.epochs_done}{of}"
        partial = series.partial_epoch
        if partial is not None:
            text += f" + {partial[0]}/{partial[1]} batches"
    if total_steps:
        text += f" · step {step}/{total_steps}"
    elif step:
        text += f" · step {step}"
    return text


def _numbers(series: RunSeries, status: str, step: int, total_steps: int | None) -> list[str]:
    """ETA and rate, the best value, lr and time trained."""
    last_b, last_e = series.last_batch, series.last_epoch
    rows = []
    # a whole epoch's rate once there is one (the trainer's per-batch window is jumpy early on)
    rate = (last_e or last_b or {}).get("samples_per_s")
    eta = _eta(series, step, total_steps) if status in ("running", "starting") else None
    parts = []
    if eta is not None:
        parts.append(f"ETA {_duration(eta)}")
    elif status in ("paused",):
        parts.append("paused")
    if rate:
        parts.append(f"{rate:,.0f} samples/s")
    if parts:
        rows.append(" · ".join(parts))
    monitor = series.monitor_key()
    if monitor is not None:
        rows.append(f"best {best_text(series, monitor)}")
    lr = (last_e or {}).get("lr")
    elapsed = max(float((last_b or {}).get("time", 0.0)), float((last_e or {}).get("time", 0.0)))
    rows.append(f"lr {lr:.3g} · {_duration(elapsed)} elapsed" if isinstance(lr, (int, float))
                else f"{_duration(elapsed)} elapsed")
    return rows


def _last_write(updated: Any, now: float | None) -> Text:
    """A log folder has no status of its own: when it was last written says whether it still lives."""
    if not isinstance(updated, (int, float)) or isinstance(updated, bool):
        return Text("no event file written yet", style="dim")
    ago = max(0.0, (time.time() if now is None else now) - float(updated))
    if ago < 60:
        when = f"{ago:.0f} s ago"
    elif ago < 3600:
        when = f"{ago / 60:.0f} min ago"
    elif ago < 2 * 86400:
        when = f"{ago / 3600:.0f} h ago"
    else:
        when = f"{ago / 86400:.0f} days ago"
    return Text(f"last write {when}", style="dim")


def no_preset_note(run_dir: Path) -> str:
    """One line for a run opened without a preset (the Train pane's note, the other panes' reason)."""
    from tuitrain.runs.source import run_origin

    what = {"tensorboard": "TensorBoard log folder", "script": "LiveRun script run"}.get(run_origin(run_dir), "Run")
    return f"{what} — no preset to edit; Data/Layers/Compile are off"


def log_text(lines: list[str]) -> Text:
    """The tail of the trainer's log, one line each, cut at the panel's edge."""
    return Text("\n".join(lines), style="dim", no_wrap=True, overflow="ellipsis")


def epoch_column_label(key: str) -> str:
    """A metric's column title in the epoch table (narrow: ``val_acc``, not ``val_accuracy``)."""
    return key.replace("accuracy", "acc")


def epoch_cells(ev: dict, keys: list[str]) -> list[str]:
    """One epoch event as table cells: epoch, the metrics in ``keys``' order, lr, time. An epoch a stop
    cut short says how much of it was trained: its values are means over those batches only."""
    partial = partial_batches(ev)
    cells = [str(ev.get("epoch", "")) + (f" ({partial[0]}/{partial[1]} batches)" if partial else "")]
    cells += [_num(ev.get(k)) for k in keys]
    cells += [_num(ev.get("lr")), _duration(float(ev.get("time", 0.0)))]
    return cells


def _eta(series: RunSeries, step: int, total_steps: int | None) -> float | None:
    """Seconds left, from the trainer's own clock (so it is right after attaching too).

    After two epochs the pace is seconds per epoch between epoch ends (validation and
    checkpoints included, the first epoch's tracing left out); before that, recent batches.
    """
    if not total_steps or step <= 0:
        return None
    spe = series.steps_per_epoch
    ends = series.epoch.get("time")
    if spe and len(ends) >= 2:
        per_epoch = (ends[-1] - ends[0]) / (len(ends) - 1)
        return max(0.0, (total_steps - step) / spe * per_epoch)
    times = series.batch.get("time")
    if spe and len(ends) == 1 and len(times) and ends[0] > times[0]:
        # one epoch done: its end minus its first batch (tracing of the first step left out)
        per_epoch = (ends[0] - times[0]) * spe / max(1, spe - 1)
        return max(0.0, (total_steps - step) / spe * per_epoch)
    steps = series.batch.get("step")
    if len(times) >= 2:
        i = max(0, len(times) - 200)
        dt, ds = times[-1] - times[i], steps[-1] - steps[i]
        if ds > 0 and dt > 0:
            return max(0.0, (total_steps - step) * dt / ds)
    return None


def _num(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return ""
    return f"{value:.4g}"
