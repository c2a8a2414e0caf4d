"""Train pane: watch a run directory's chart and numbers; start, stop or pause its trainer.

Training never happens in the app's process: ``s`` hands the current (possibly unsaved) preset
to ``tuitrain.engine.start_run`` and the pane then only reads the run directory (a timer polls
the run directory and redraws only when new events came). The same pane shows an attached or
finished run (``app.run_dir``), so quitting the app leaves the run going. This module owns the
layout and the watching; the words the side panel and the epoch table show are
:mod:`~tuitrain.ui.panes.train.panel`, the commands to the trainer
:mod:`~tuitrain.ui.panes.train.control`.

Watching costs next to nothing: a big ``events.jsonl`` is parsed in a worker thread while the
status and a progress line show at once and the chart fills in; a live run is looked at once a
second while rows come and less often while none do (:class:`~tuitrain.ui.series.feed.Backoff`), a
finished one every 10 s (a stat); for new batches the numbers change every ``PANEL_INTERVAL`` and
the chart every ``CHART_INTERVAL`` (5 s: a figure costs tens of milliseconds); and nothing is read
while the pane is hidden.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual import events, work
from textual.message import Message
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import DataTable, ProgressBar, Static

from tuitrain.runs.rundir import ACTIVE as ACTIVE_STATUSES
from tuitrain.common.native_log import is_native_chatter
from tuitrain.ui.styles import NARROW_COLUMNS
from tuitrain.ui.series.feed import SMALL_READ, Backoff, RunFeed
from tuitrain.ui.series.loader import load_run
from tuitrain.ui.messages import RunStarted, RunStatusSeen
from tuitrain.ui.panes.train.control import RunControls
from tuitrain.ui.panes.train.panel import describe_run, epoch_cells, epoch_column_label, idle_text, log_text
from tuitrain.ui.series.run_series import RunSeries
from tuitrain.ui.pane_actions import PaneAction, bindings
from tuitrain.ui.series.wake import run_changes
from tuitrain.ui.widgets.chart.keys import CHART_ACTIONS, FULL_CLASS, ChartActions
from tuitrain.ui.widgets.chart.metrics_chart import MetricsChart
from tuitrain.ui.widgets.system_panel import SystemPanel
from tuitrain.ui.widgets.epoch_table import EpochTable

__all__ = ["TrainPane", "PANE_ACTIONS", "POLL_INTERVAL", "ACTIVE_STATUSES"]

POLL_INTERVAL = 1.0  # seconds between looks at a run while rows come (backing off to 4 s when none do)
CHART_INTERVAL = 5.0  # at most this often a new figure for new batches: watching must not slow training
PANEL_INTERVAL = 2.0  # the step counter, ETA and rate for new batches (a figure costs far more than text)
_CHROME_ROWS = 5  # the app's rows around a pane: header, tab bar (2), status line, footer
LOADING_CHART_INTERVAL = 0.3  # while a big file loads, the chart fills in this often at first,
LOADING_CHART_SLOWDOWN = 0.1  # then less often (+0.1 s per second of loading, up to CHART_INTERVAL)
AGE_INTERVAL = 30.0  # a log folder's "last write N min ago" is redrawn this often while nothing else changes
WATCHED_FALLBACK = 10.0  # a run whose directory wakes us is still looked at this often (a safety net)
_SLOW_EVERY = 4  # run.json and trainer.log are read every 4th poll (2 s) or when a status came

PANE_ACTIONS = [
    PaneAction("start_run", "s", "Start", "Start training",
               "train the current preset (unsaved edits included) in a trainer process", "train.start"),
    PaneAction("stop_batch", "x", "Stop", "Stop after this batch",
               "ask the trainer to stop as soon as the current batch ends", "train.stop_batch"),
    PaneAction("stop_epoch", "e", "Stop after epoch", "Stop after this epoch",
               "ask the trainer to finish the epoch, then stop", "train.stop_epoch"),
    PaneAction("pause_resume", "p", "Pause/resume", "Pause / resume training",
               "pause the trainer between batches, or let it go on", "train.pause"),
    *CHART_ACTIONS,
    PaneAction("search_metric", "slash", "Find metric", "Chart: find a metric",
               "type part of a metric's name to chart that one (runs that log many metrics)", "chart.search"),
    PaneAction("leave_full_chart", "escape", "Leave the full chart", id="chart.leave_full",
               show=False),  # only while the chart is full screen (ChartActions.check_action)
    PaneAction("show_runs", "r", "Runs", "Runs: list and compare",
               "list the runs, overlay several, reopen a run's preset", "train.runs"),
    PaneAction("show_sweep", "w", "Sweep", "Sweep: trials ranked",
               "the newest sweep's trials ranked by its objective, curves and a scatter", "train.sweep", show=False),
    PaneAction("show_devices", "d", "Devices", "Devices and system load",
               "what TensorFlow sees, why a GPU is missing, the machine's load now", "train.devices", show=False),
]




class TrainPane(RunControls, ChartActions, Widget, can_focus=True):
    """Controls, live chart, progress, epoch table and log of the run in ``app.run_dir``."""

    DEFAULT_CSS = (Path(__file__).with_name("train.tcss")).read_text(encoding="utf-8")

    BINDINGS = bindings(PANE_ACTIONS)

    class RunChanged(Message):
        """A file in the watched run directory was written (posted from the watcher thread)."""

        def __init__(self, run_dir: Path) -> None:
            super().__init__()
            self.run_dir = run_dir

    def __init__(self) -> None:
        super().__init__()
        self._wake_stop: threading.Event | None = None  # stops the watcher thread of the run shown
        self._wake_armed = threading.Event()  # set at each look: the next write posts one RunChanged
        self._last_wake = 0.0  # monotonic time of the last RunChanged; 0: the directory never woke us
        self._polled_at = 0.0  # monotonic time of the last look (wakes closer than POLL_INTERVAL wait for a timer)
        self._timer_due = 0.0
        self.series = RunSeries()
        self.reader: Any = None
        self.feed: RunFeed | None = None
        self.backoff = Backoff(fast=POLL_INTERVAL)
        self._poll_timer: Any = None
        self._load_active = False  # a worker is parsing a long file
        self._load_started = 0.0
        self._run_info: dict = {}
        self._polls = 0
        self._table_rows = 0
        self._table_keys: list[str] = []
        self._chart_dirty = False
        self._chart_drawn_at = 0.0
        self._panel_at = 0.0
        self._shown: dict[str, object] = {}
        self._bar_shown: tuple | None = None  # (total, progress in 0.5 % steps) the bar last drew
        self._log_lines: list[str] = []
        self._system: Any = None  # SystemTail of the run shown: CPU/memory/GPU samples
        self._published: tuple[Path, str | None] | None = None  # the last RunStatusSeen posted
        self._axis_fitted = False  # the chart's axis was chosen for the run shown (see _fit_axis_to_run)
        self._axis_switched = False  # ... and it was switched to per epoch, against epochs
        self._own_runs: set[Path] = set()  # runs this pane started: the chart names any other run it shows

    # --- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("", id="train-note", markup=False)  # one line: why there is no preset (a run opened alone)
        with Horizontal(id="train-top"):
            yield MetricsChart(id="train-chart")
            with Vertical(id="train-side"):
                yield Static("", id="train-status")
                yield Static("", id="train-stats")
                yield ProgressBar(id="train-progress", show_eta=False)
                yield SystemPanel(id="train-system")
                yield Static("", id="train-log")
        yield EpochTable(id="train-epochs", zebra_stripes=True, cursor_type="row")

    def on_mount(self) -> None:
        # the layout the first frame will have (on_resize corrects it): a class set only after the first
        # layout changed the chart's height and drew a long run's chart twice
        self.set_class(self.app.size.height - _CHROME_ROWS >= 30, "-tall")
        self.set_class(self.app.size.width < NARROW_COLUMNS, "-narrow")  # chosen before the first frame too
        self.watch(self.app, "run_dir", self._show_run, init=True)
        self.watch(self.app, "preset", lambda _: self.feed is None and self._update_panel(), init=False)
        self.watch(self.app, "notice", self._show_note, init=True)
        self.watch(self.app, "preset_path", lambda _: self._name_the_run(), init=False)
        self._update_panel()

    def _fit_axis_to_run(self) -> None:
        """Once per run shown: a run that logs no batch rows (a TensorBoard folder with epoch scalars
        only) is charted per epoch against epochs; on steps each of its points would sit at x = 0."""
        if self._axis_fitted or not self.series.epoch_rows:
            return
        self._axis_fitted = True
        if not self.series.metric_keys("batch") and self.chart.granularity == "batch":
            self.chart.granularity, self.chart.x_axis = "epoch", "epoch"
            self._axis_switched = True

    def _show_note(self, notice: str | None) -> None:
        note = self.query_one("#train-note", Static)
        note.update(notice or "")
        note.display = bool(notice)

    def _schedule(self, delay: float) -> None:
        """The next look at the run, in ``delay`` seconds (one timer at a time)."""
        if self._poll_timer is not None:
            self._poll_timer.stop()
        self._poll_timer = self.set_timer(delay, self._on_poll_timer, name="train-poll")
        self._timer_due = time.monotonic() + delay

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

    def on_unmount(self) -> None:
        self._stop_watching()

    # --- waking on writes (polling stays the fallback) -----------------------------------------

    def _start_watching(self, run_dir: Path | None) -> None:
        self._stop_watching()
        self._last_wake = 0.0
        if run_dir is not None and run_dir.is_dir():
            self._wake_stop = threading.Event()
            self._wake_armed = threading.Event()
            self._wake_armed.set()
            self._watch_files(run_dir, self._wake_stop, self._wake_armed)

    def _stop_watching(self) -> None:
        if self._wake_stop is not None:
            self._wake_stop.set()
            self._wake_stop = None

    @work(thread=True, group="train-watch", exit_on_error=False)
    def _watch_files(self, run_dir: Path, stop: threading.Event, armed: threading.Event) -> None:
        """Post :class:`RunChanged` per burst of writes after a look (never touches widgets; ends when ``stop`` is set)."""
        for _ in run_changes(run_dir, stop, armed):
            self.post_message(self.RunChanged(run_dir))

    def on_train_pane_run_changed(self, message: RunChanged) -> None:
        if self.feed is None or message.run_dir != self.feed.run_dir:
            return
        now = time.monotonic()
        self._last_wake = now
        if not self._visible() or self._loading():
            return  # on_show or the loader's end looks again
        wait = self._polled_at + POLL_INTERVAL - now  # a stream of writes: still one look per POLL_INTERVAL
        if wait <= 0:
            self.poll_run()
        elif self._poll_timer is None or self._timer_due > now + wait:
            self._schedule(wait)

    def _watched(self) -> bool:
        """The directory's writes have woken us lately: the timer is only a safety net."""
        return self._last_wake > 0 and time.monotonic() - self._last_wake < WATCHED_FALLBACK + self.backoff.slow

    def _next_look(self, used: int, active: bool) -> float:
        delay = self.backoff.next(bool(used), active)
        return max(delay, WATCHED_FALLBACK) if self._watched() else delay

    def on_hide(self, event: events.Hide) -> None:
        if self.app.screen is self.screen:  # another pane: the full-screen chart ends with this one
            self.screen.remove_class(FULL_CLASS)
        if self._poll_timer is not None:
            self._poll_timer.stop()
            self._poll_timer = None

    def on_resize(self) -> None:
        self.set_class(self.size.height >= 30, "-tall")
        self.set_class(self.size.width < NARROW_COLUMNS, "-narrow")  # the side panel goes under the chart

    @property
    def chart(self) -> MetricsChart:
        return self.query_one("#train-chart", MetricsChart)

    # --- the run being shown ---------------------------------------------------------------

    def _show_run(self, run_dir: Path | None) -> None:
        run_dir = Path(run_dir) if run_dir is not None else None
        if self.feed is not None and run_dir == self.feed.run_dir:
            return  # already shown (the run is the app's ``run_dir``; the feed is this pane's reading of it)
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
        self._bar_shown = None
        self._log_lines = []
        from tuitrain.trainer.system import SystemTail

        self._system = SystemTail(run_dir) if run_dir is not None else None
        self.query_one(SystemPanel).clear()
        table = self.query_one("#train-epochs", DataTable)
        table.clear(columns=True)
        self._axis_fitted = False
        if self._axis_switched:  # the previous run had no batch rows: the next starts on the usual axis
            self.chart.granularity, self.chart.x_axis = "batch", "step"
            self._axis_switched = False
        self.chart.set_sources([("", self.series)] if run_dir is not None else [])
        self._name_the_run()
        self._start_watching(run_dir)
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
        self._polled_at = time.monotonic()
        self._wake_armed.set()  # writes from now on wake us once (what came before, this look reads)
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
        status = self._read_status()
        self._schedule(self._next_look(used, status in ACTIVE_STATUSES or status is None))
        now = time.monotonic()
        chart_due = self._chart_dirty and (force or status_event or now - self._chart_drawn_at >= CHART_INTERVAL
                                           or status not in ACTIVE_STATUSES)
        panel_due = force or slow or status_event or (used and now - self._panel_at >= PANEL_INTERVAL) \
            or (self._run_info.get("source") == "tensorboard" and now - self._panel_at >= AGE_INTERVAL)  # "last write N min ago"
        if not chart_due and not panel_due:
            return bool(used)  # new batches only: the numbers every PANEL_INTERVAL, the chart every CHART_INTERVAL
        self._panel_at = now
        with self.app.batch_update():
            if used:
                self._fit_axis_to_run()
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

    def _load(self, feed: RunFeed) -> None:
        """Parse the rest of the file in a worker, chunk by chunk (the one run loader, shared with the Runs screen)."""
        load_run(self, feed, on_parts=self._apply_loaded, on_done=self._loaded, group="train-load", exclusive=True)

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
                self._fit_axis_to_run()
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
        """Update a Static only when its text changed, with a layout pass only when its height may change.

        A layout pass re-renders the whole screen (the epoch table too): watching a live run spent
        most of its time there while only the step counter changed."""
        old = self._shown.get(selector)
        if old != content:
            self._shown[selector] = content
            widget = self.query_one(selector, Static)
            widget.update(content, layout=old is None or not _same_shape(old, content, widget.content_size.width))

    def _read_status(self) -> str | None:
        """``run.json``'s word (``crashed`` when the trainer vanished), else the last status event."""
        status = self._run_info.get("status")
        latest = self.series.status
        if status in ACTIVE_STATUSES and latest in ("paused", "running", "stopping"):
            return latest  # the ack events arrive before run.json is rewritten
        return status or latest

    def _publish_status(self, status: str | None) -> None:
        """Tell the app (which owns ``run_status``) when the shown run's status changed."""
        feed = self.feed
        if feed is not None and (feed.run_dir, status) != self._published:
            self._published = (feed.run_dir, status)
            self.post_message(RunStatusSeen(feed.run_dir, status))

    # --- side panel and table ---------------------------------------------------------------

    def _update_panel(self) -> None:
        bar = self.query_one("#train-progress", ProgressBar)
        feed = self.feed
        bar.display = False
        if feed is None:
            status, stats, placeholder = idle_text(self.app.preset.name if self.app.preset is not None else None)
            self._set("#train-status", status)
            self._set("#train-stats", stats)
            self.chart.placeholder = placeholder
            self._set("#train-log", "")
            return
        status = self._read_status()
        self._publish_status(status)
        panel = describe_run(self.series, self._run_info, status, feed.run_dir.name,
                             loading=feed.progress_text() if feed.loading else None,
                             skipped=getattr(self.reader, "skipped", None))  # a TensorBoard folder's reader keeps none
        self._set("#train-status", panel.status)
        self.chart.placeholder = panel.placeholder
        self._set("#train-stats", panel.stats)
        bar.display = panel.progress is not None  # nothing to measure against: no bar rather than "--%"
        if panel.progress is not None:
            total, done = panel.progress
            # the bar shows whole percents and half cells: new steps alone (200 a second) rarely change either,
            # so it is redrawn when the progress crosses a 0.5 % step (the percent exact, the bar at most 0.5 % late)
            shown = (total, int(200 * done / total) if total else done)
            if shown != self._bar_shown:
                self._bar_shown = shown
                bar.update(total=total, progress=done)
        self._set("#train-log", log_text(self._log_lines))

    def _add_epoch_rows(self) -> None:
        rows = self.series.epoch_rows
        if self._table_rows >= len(rows):
            return
        table = self.query_one("#train-epochs", DataTable)
        if not self._table_keys:
            self._table_keys = [k for k in self.series.metric_keys("epoch")]
            table.add_column("epoch", key="epoch")
            for key in self._table_keys:
                table.add_column(epoch_column_label(key), key=key)
            table.add_column("lr", key="lr")
            table.add_column("time", key="time")
        for ev in rows[self._table_rows:]:
            table.add_row(*epoch_cells(ev, self._table_keys), key=str(self._table_rows))
            self._table_rows += 1
        table.move_cursor(row=self._table_rows - 1, animate=False)

    # --- actions ----------------------------------------------------------------------------

    def _name_the_run(self) -> None:
        """The chart names the run shown unless it is the preset's own: one this pane started, or
        the run whose preset copy is the file open (``tuitrain RUN_DIR``)."""
        run_dir = self.feed.run_dir if self.feed is not None else None
        preset_path = self.app.preset_path
        own = run_dir is None or run_dir in self._own_runs or (
            preset_path is not None and Path(preset_path).resolve().parent == run_dir.resolve())
        self.chart.watching = "" if own else run_dir.name

    def on_run_started(self, message: RunStarted) -> None:
        """Our own run (the message goes on up to the app, which shows it)."""
        self._own_runs.add(Path(message.run_dir))

    def action_search_metric(self) -> None:
        from tuitrain.ui.screens.dialogs.metric_search import MetricSearchScreen

        names = self.chart.metric_names()
        if not names:
            self.notify("no metric logged yet", title="Chart")
            return

        def chosen(metric: str | None) -> None:
            if metric is not None:
                self.chart.metric = metric

        self.app.push_screen(MetricSearchScreen(names, current=self.chart.metric), chosen)

    def action_show_devices(self) -> None:
        from tuitrain.ui.screens.devices import DevicesScreen

        self.app.push_screen(DevicesScreen())

    def action_show_runs(self) -> None:
        self.app.show_runs()

    def action_show_sweep(self) -> None:
        self.app.show_sweep()



def _same_shape(old: Text | str, new: Text | str, width: int) -> bool:
    """Same number of lines and none wider than ``width``: the text's height cannot change."""
    old_lines = str(old).split("\n")
    new_lines = str(new).split("\n")
    return len(old_lines) == len(new_lines) and max(cell_len(line) for line in old_lines + new_lines) <= width
