"""Train pane: start a trainer process, watch its chart and numbers, stop or pause it.

Training never happens in the app's process: ``s`` hands the current (possibly unsaved) preset
to ``tuitrain.engine.start_run`` and the pane then only reads the run directory (a timer polls
the run directory and redraws only when new events came). The same pane shows an attached or
finished run (``app.run_dir``), so quitting the app leaves the run going.

Watching costs next to nothing: a big ``events.jsonl`` is parsed in a worker thread while the
status and a progress line show at once and the chart fills in; a live run is looked at once a
second while rows come and less often while none do (:class:`~tuitrain.ui.feed.Backoff`), a
finished one every 10 s (a stat); for new batches the numbers change every ``PANEL_INTERVAL`` and
the chart every ``CHART_INTERVAL`` (5 s: a figure costs tens of milliseconds); and nothing is read
while the pane is hidden.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual import events, work
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import DataTable, ProgressBar, Static

from tuitrain.fmt import fmt_duration as _duration
from tuitrain.engine.rundir import ACTIVE as ACTIVE_STATUSES
from tuitrain.errors import TuitrainError
from tuitrain.native_log import is_native_chatter
from tuitrain.ui.app_access import AppAccess
from tuitrain.ui.feed import SMALL_READ, Backoff, RunFeed
from tuitrain.ui.series import RunSeries
from tuitrain.ui.styles import STATUS_STYLE
from tuitrain.ui.widgets.chart_keys import CHART_BINDINGS, ChartActions
from tuitrain.ui.widgets.plot import MetricsChart, best_text
from tuitrain.ui.widgets.system_panel import SystemPanel

__all__ = ["TrainPane", "PANE_COMMANDS", "POLL_INTERVAL", "ACTIVE_STATUSES"]

POLL_INTERVAL = 1.0  # seconds between looks at a run while rows come (backing off to 4 s when none do)
CHART_INTERVAL = 5.0  # at most this often a new figure for new batches: watching must not slow training
PANEL_INTERVAL = 2.0  # the step counter, ETA and rate for new batches (a figure costs far more than text)
LOADING_CHART_INTERVAL = 0.3  # while a big file loads, the chart fills in this often at first,
LOADING_CHART_SLOWDOWN = 0.1  # then less often (+0.1 s per second of loading, up to CHART_INTERVAL)
_SLOW_EVERY = 4  # run.json and trainer.log are read every 4th poll (2 s) or when a status came

PANE_COMMANDS: list[tuple[str, str, str]] = [
    ("Start training", "train the current preset (unsaved edits included) in a trainer process", "start_run"),
    ("Stop after this batch", "ask the trainer to stop as soon as the current batch ends", "stop_batch"),
    ("Stop after this epoch", "ask the trainer to finish the epoch, then stop", "stop_epoch"),
    ("Pause / resume training", "pause the trainer between batches, or let it go on", "pause_resume"),
    ("Chart: per batch / per epoch", "toggle the chart's granularity", "toggle_granularity"),
    ("Chart: x axis step / epoch / time", "cycle the chart's x axis", "cycle_x_axis"),
    ("Chart: log / linear y", "toggle a logarithmic y axis", "toggle_log"),
    ("Chart: more smoothing", "raise the EMA smoothing of batch curves", "smooth_more"),
    ("Chart: less smoothing", "lower the EMA smoothing of batch curves", "smooth_less"),
    ("Chart: next metric", "show every metric or one at a time", "cycle_metric"),
    ("Runs: list and compare", "list the runs, overlay several, reopen a run's preset", "show_runs"),
    ("Devices and system load", "what TensorFlow sees, why a GPU is missing, the machine's load now", "show_devices"),
]


class TrainPane(AppAccess, ChartActions, Widget, can_focus=True):
    """Controls, live chart, progress, epoch table and log of the run in ``app.run_dir``."""

    DEFAULT_CSS = (Path(__file__).with_name("train.tcss")).read_text(encoding="utf-8")

    BINDINGS = [
        Binding("s", "start_run", "Start", id="train.start"),
        Binding("x", "stop_batch", "Stop", id="train.stop_batch"),
        Binding("e", "stop_epoch", "Stop after epoch", id="train.stop_epoch"),
        Binding("p", "pause_resume", "Pause/resume", id="train.pause"),
        *CHART_BINDINGS,
        Binding("r", "show_runs", "Runs", id="train.runs"),
        Binding("d", "show_devices", "Devices", show=False, id="train.devices"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.series = RunSeries()
        self.reader: Any = None
        self.feed: RunFeed | None = None
        self.backoff = Backoff(fast=POLL_INTERVAL)
        self._poll_timer: Any = None
        self._load_active = False  # a worker is parsing a long file
        self._load_started = 0.0
        self._run_dir: Path | None = None
        self._run_info: dict = {}
        self._polls = 0
        self._table_rows = 0
        self._table_keys: list[str] = []
        self._chart_dirty = False
        self._chart_drawn_at = 0.0
        self._panel_at = 0.0
        self._shown: dict[str, object] = {}
        self._log_lines: list[str] = []
        self._system: Any = None  # SystemTail of the run shown: CPU/memory/GPU samples

    # --- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="train-top"):
            yield MetricsChart(id="train-chart")
            with Vertical(id="train-side"):
                yield Static("", id="train-status")
                yield Static("", id="train-stats")
                yield ProgressBar(id="train-progress", show_eta=False)
                yield SystemPanel(id="train-system")
                yield Static("", id="train-log")
        yield DataTable(id="train-epochs", zebra_stripes=True, cursor_type="row")

    def on_mount(self) -> None:
        self.watch(self.app, "run_dir", self._show_run, init=True)
        self.watch(self.app, "preset", lambda _: self._run_dir is None and self._update_panel(), init=False)
        self._update_panel()

    def _schedule(self, delay: float) -> None:
        """The next look at the run, in ``delay`` seconds (one timer at a time)."""
        if self._poll_timer is not None:
            self._poll_timer.stop()
        self._poll_timer = self.set_timer(delay, self._on_poll_timer, name="train-poll")

    def _on_poll_timer(self) -> None:
        self._poll_timer = None
        if self._visible():
            self.poll_run()
        # hidden: no timer at all; on_show looks again

    def _visible(self) -> bool:
        return self.app.screen is self.screen and self.is_on_screen

    def on_show(self, event: events.Show) -> None:
        if self.feed is not None and self._poll_timer is None:
            self.poll_run()

    def on_hide(self, event: events.Hide) -> None:
        if self._poll_timer is not None:
            self._poll_timer.stop()
            self._poll_timer = None

    def on_resize(self) -> None:
        self.set_class(self.size.height >= 30, "-tall")

    @property
    def chart(self) -> MetricsChart:
        return self.query_one("#train-chart", MetricsChart)

    # --- the run being shown ---------------------------------------------------------------

    def _show_run(self, run_dir: Path | None) -> None:
        run_dir = Path(run_dir) if run_dir is not None else None
        if run_dir == self._run_dir and self.reader is not None:
            return
        self._run_dir = run_dir
        if self.feed is not None:
            self.feed.cancel()  # a worker still reading the previous run drops what it has
        self.feed = RunFeed(run_dir) if run_dir is not None else None  # a run dir or a TensorBoard folder
        self.series = self.feed.series if self.feed is not None else RunSeries()
        self.reader = self.feed.reader if self.feed is not None else None
        self.backoff.reset()
        self._load_active = False
        self._load_started = 0.0
        self._run_info = {}
        self._polls = 0
        self._table_rows = 0
        self._table_keys = []
        self._log_lines = []
        from tuitrain.engine.system import SystemTail

        self._system = SystemTail(run_dir) if run_dir is not None else None
        self.query_one(SystemPanel).clear()
        table = self.query_one("#train-epochs", DataTable)
        table.clear(columns=True)
        self.chart.set_sources([("", self.series)] if run_dir is not None else [])
        self.poll_run(force=True)

    def poll_run(self, force: bool = False) -> bool:
        """Read new events; update the widgets only when something arrived. True if it did.

        More than a poll's worth of unread bytes (attaching to a long run) goes to a worker that
        parses it chunk by chunk; this poll then only shows the status and the progress."""
        feed = self.feed
        reader = self.reader
        if feed is None or reader is None:
            if force:
                self._update_panel()
            return False
        self._polls += 1
        if self._loading():
            return False  # the worker reports as it goes and looks again when done
        if feed.unread_bytes() > SMALL_READ:
            self._load_active = True
            self._load(feed)
            self._run_info = reader.status()
            self._update_panel()
            return False
        parts = feed.read()
        used = feed.apply(parts) if parts else 0
        events = [p for p in parts if isinstance(p, dict)]
        status_event = any(e.get("kind") in ("status", "log", "epoch") for e in events)
        # an ended run with nothing new: run.json and trainer.log will not change, so stop re-reading them
        settled = not used and self._run_info.get("status") not in (None, *ACTIVE_STATUSES)
        slow = force or status_event or (self._polls % _SLOW_EVERY == 0 and not settled)
        if slow:
            self._run_info = reader.status()
            self._log_lines = [line for line in reader.log_tail(40) if not is_native_chatter(line)][-12:]
            panel = self.query_one(SystemPanel)  # samples come every few seconds: the slow path is enough
            panel.set_info(self._run_info)
            panel.add(self._system.poll())
        self._chart_dirty |= bool(used)
        self._schedule(self.backoff.next(bool(used), self.run_is_active() or self.run_status is None))
        now = time.monotonic()
        chart_due = self._chart_dirty and (force or status_event or now - self._chart_drawn_at >= CHART_INTERVAL
                                           or self.run_status not in ACTIVE_STATUSES)
        panel_due = force or slow or status_event or (used and now - self._panel_at >= PANEL_INTERVAL)
        if not chart_due and not panel_due:
            return bool(used)  # new batches only: the numbers every PANEL_INTERVAL, the chart every CHART_INTERVAL
        self._panel_at = now
        with self.app.batch_update():
            if chart_due:
                self.chart.data_changed()
                self._chart_dirty = False
                self._chart_drawn_at = now
            if used:
                self._add_epoch_rows()
            self._update_panel()
        return bool(used)

    # --- loading a long run in a worker -----------------------------------------------------

    def _loading(self) -> bool:
        return self._load_active

    @work(thread=True, exclusive=True, group="train-load", exit_on_error=False)
    def _load(self, feed: RunFeed) -> None:
        """Parse the file chunk by chunk; each chunk is handed to the event loop (which waits for
        nothing: ``call_from_thread`` returns once it is applied, so at most one chunk is in flight)."""
        try:
            for parts in feed.chunks():
                self.app.call_from_thread(self._apply_loaded, feed, parts)
        finally:
            if not feed.cancelled:
                self.app.call_from_thread(self._loaded, feed)

    def _apply_loaded(self, feed: RunFeed, parts: list) -> None:
        if feed is not self.feed:
            return
        used = feed.apply(parts)
        self._chart_dirty |= bool(used)
        now = time.monotonic()
        if not self._load_started:
            self._load_started = now
        interval = min(CHART_INTERVAL, LOADING_CHART_INTERVAL + LOADING_CHART_SLOWDOWN * (now - self._load_started))
        if self._chart_dirty and now - self._chart_drawn_at >= interval:
            with self.app.batch_update():
                self.chart.data_changed()
                self._chart_dirty = False
                self._chart_drawn_at = now
                self._update_panel()

    def _loaded(self, feed: RunFeed) -> None:
        if feed is not self.feed:
            return
        self._load_active = False
        self.poll_run(force=True)

    def _set(self, selector: str, content: Text | str) -> None:
        """Update a Static only when its text changed (each update costs a layout pass)."""
        if self._shown.get(selector) != content:
            self._shown[selector] = content
            self.query_one(selector, Static).update(content)

    @property
    def run_status(self) -> str | None:
        """``run.json``'s word (``crashed`` when the trainer vanished), else the last status event."""
        status = self._run_info.get("status")
        latest = self.series.status
        if status in ACTIVE_STATUSES and latest in ("paused", "running", "stopping"):
            return latest  # the ack events arrive before run.json is rewritten
        return status or latest

    def run_is_active(self) -> bool:
        return self.run_status in ACTIVE_STATUSES

    # --- side panel and table ---------------------------------------------------------------

    def _update_panel(self) -> None:
        bar = self.query_one("#train-progress", ProgressBar)
        bar.display = self._run_dir is not None
        if self._run_dir is None:
            name = self.app.preset.name if self.app.preset is not None else None
            hint = f"press s to train {name}" if name else "open a preset (ctrl+o), then press s to train"
            self._set("#train-status", Text("no run", style="dim"))
            self._set("#train-stats", Text(f"{hint}\nr lists earlier runs"))
            self.chart.placeholder = f"no run yet: {hint}"
            self._set("#train-log", "")
            return
        series = self.series
        status = self.run_status or "…"
        line = Text()
        line.append(f"● {status}", style=STATUS_STYLE.get(status, ""))
        line.append(f"  {self._run_dir.name}", style="bold")
        self._set("#train-status", line)

        epochs = series.epochs_total or self._run_info.get("epochs_total")
        spe = series.steps_per_epoch
        last_b, last_e = series.last_batch, series.last_epoch
        step = max(int((last_b or {}).get("step", 0)), int((last_e or {}).get("step", 0)))
        epoch_done = int((last_e or {}).get("epoch", 0))
        epoch_now = int((last_b or {}).get("epoch", epoch_done))
        total_steps = epochs * spe if epochs and spe else None
        rows: list[Text | str] = []
        if self.feed is not None and self.feed.loading:
            rows.append(Text(self.feed.progress_text(), style="italic"))
        rows.append(f"epoch {epoch_now}/{epochs or '?'} · step {step}/{total_steps or '?'}")
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
        message = self._run_info.get("error") or series.message
        failed = status in ("failed", "crashed")
        self.chart.placeholder = (f"the run {status} before its first batch:\n\n{message or 'see the log'}"
                                  if failed else "")
        if message:
            rows.append(Text(str(message), style="red" if failed else "italic"))
        skipped = getattr(self.reader, "skipped", None)  # a TensorBoard folder's reader keeps none
        if skipped is not None and skipped.total:
            rows.append(Text(skipped.summary(), style="yellow"))
        if status in ACTIVE_STATUSES:
            rows.append(Text("quitting leaves the run going", style="dim"))
        stats = Text("\n").join(r if isinstance(r, Text) else Text(r) for r in rows)
        self._set("#train-stats", stats)
        if total_steps:
            bar.update(total=total_steps, progress=min(step, total_steps))
        elif epochs:
            bar.update(total=epochs, progress=epoch_done)
        self._set("#train-log", Text("\n".join(self._log_lines), style="dim", no_wrap=True,
                                     overflow="ellipsis"))

    def _add_epoch_rows(self) -> None:
        rows = self.series.epoch_rows
        if self._table_rows >= len(rows):
            return
        table = self.query_one("#train-epochs", DataTable)
        if not self._table_keys:
            self._table_keys = [k for k in self.series.metric_keys("epoch")]
            table.add_column("epoch", key="epoch")
            for key in self._table_keys:
                table.add_column(_short(key), key=key)
            table.add_column("lr", key="lr")
            table.add_column("time", key="time")
        for ev in rows[self._table_rows:]:
            cells = [str(ev.get("epoch", ""))]
            cells += [_num(ev.get(k)) for k in self._table_keys]
            cells += [_num(ev.get("lr")), _duration(float(ev.get("time", 0.0)))]
            table.add_row(*cells, key=str(self._table_rows))
            self._table_rows += 1
        table.move_cursor(row=self._table_rows - 1, animate=False)

    # --- actions ----------------------------------------------------------------------------

    def action_start_run(self) -> None:
        from tuitrain.engine import start_run

        app = self.app
        preset = app.preset
        if preset is None:
            self.notify("no valid preset to train: fix or open one first", severity="error")
            return
        if self.run_is_active():
            self.notify(f"{self._run_dir.name} is still {self.run_status}: stop it first (x or e)",
                        severity="warning")
            return
        try:
            run_dir = start_run(preset, runs_dir=app.runs_dir)
        except (TuitrainError, OSError) as err:
            self.notify(str(err), title="cannot start", severity="error", timeout=10)
            return
        app.run_dir = run_dir
        self.notify(f"training {preset.name} in {run_dir}")

    def _control(self, action: str, said: str) -> None:
        from tuitrain.engine import request_control

        if self._run_dir is None or not self.run_is_active():
            self.notify("no run in progress", severity="warning")
            return
        if not (self._run_dir / "run.json").is_file():
            self.notify("a TensorBoard log folder is only watched: stop its program where it runs", severity="warning")
            return
        try:
            request_control(self._run_dir, action)
        except TuitrainError as err:
            self.notify(str(err), severity="error")
            return
        self.notify(said)

    def action_stop_batch(self) -> None:
        self._control("stop_batch", "asked the trainer to stop after this batch")

    def action_stop_epoch(self) -> None:
        self._control("stop_epoch", "asked the trainer to stop after this epoch")

    def action_pause_resume(self) -> None:
        if self.run_status == "paused":
            self._control("resume", "asked the trainer to resume")
        else:
            self._control("pause", "asked the trainer to pause after this batch")

    def action_show_devices(self) -> None:
        from tuitrain.ui.screens.devices import DevicesScreen

        self.app.push_screen(DevicesScreen())

    def action_show_runs(self) -> None:
        self.app.show_runs()


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


def _short(key: str) -> str:
    return key.replace("accuracy", "acc")
