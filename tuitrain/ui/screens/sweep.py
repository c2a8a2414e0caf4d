"""Sweep screen: a sweep's trials ranked live by the objective, the top trials' curves, a scatter.

One row per trial (rank, status, objective, one column per swept key, progress of running ones;
the best in bold green), the top trials' curves of the objective overlaid in the chart, and the
objective against one swept key as a scatter (``k`` picks the next key). ``enter`` opens a trial
as a run in the Train pane; ``x`` stops the sweep, ``p`` pauses or resumes it (the control file,
as for runs). ``sweep.json`` and the trials' ``run.json`` are read once a second (a few KB).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tuitrain.common.errors import TuitrainError
from tuitrain.sweep.sweepdir import SweepInfo, Trial
from tuitrain.ui.screens.answers import WatchRun
from tuitrain.ui.styles import STATUS_STYLE
from tuitrain.ui.widgets.chart.metrics_chart import MetricsChart
from tuitrain.ui.widgets.scatter import Point, Scatter

__all__ = ["SweepScreen", "TOP_CURVES"]

TOP_CURVES = 3  # trials whose curves are overlaid (the best ones)
POLL_S = 1.0
BEST_STYLE = "bold green"


class SweepScreen(Screen["WatchRun | None"]):
    """The trials of one sweep; dismissed with the trial to watch (None: back)."""

    DEFAULT_CSS = (Path(__file__).with_name("sweep.tcss")).read_text(encoding="utf-8")

    BINDINGS = [
        Binding("escape,q", "dismiss", "Back", id="sweep.back"),
        Binding("k", "next_key", "Scatter key", id="sweep.next_key"),
        Binding("x", "stop_sweep", "Stop sweep", id="sweep.stop"),
        Binding("p", "pause_sweep", "Pause/resume", id="sweep.pause"),
        Binding("l", "toggle_log", "Log y", show=False, id="sweep.log_y"),
        Binding("ctrl+r,f5", "reload", "Refresh", show=False, id="sweep.reload"),
    ]

    def __init__(self, sweep_dir: str | Path, *, poll_s: float = POLL_S) -> None:
        super().__init__()
        self.sweep_dir = Path(sweep_dir)
        self.poll_s = poll_s
        self.info: SweepInfo | None = None
        self.key_index = 0  # the swept key the scatter shows
        self._feeds: dict[Path, Any] = {}  # run dir → RunFeed of the trials in the chart
        self._signature: tuple | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="sweep-title")
        yield DataTable(id="sweep-table", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="sweep-compare"):
            yield MetricsChart(id="sweep-chart")
            yield Scatter(id="sweep-scatter")
        yield Footer()

    @property
    def chart(self) -> MetricsChart:
        return self.query_one("#sweep-chart", MetricsChart)

    @property
    def table(self) -> DataTable:
        return self.query_one("#sweep-table", DataTable)

    def on_mount(self) -> None:
        self.chart.granularity, self.chart.smoothing, self.chart.x_axis = "epoch", 0.0, "epoch"
        self.chart.placeholder = "no trial has logged an epoch yet"
        self.action_reload()
        if self.poll_s:
            self.set_interval(self.poll_s, self.action_reload)

    # --- reading -----------------------------------------------------------------------------

    def action_reload(self) -> None:
        info = SweepInfo.from_dir(self.sweep_dir)
        signature = (info.status, tuple((t.trial_id, t.status, t.score, t.epochs_done) for t in info.trials))
        self.info = info
        if signature != self._signature:
            self._signature = signature
            self._show_title(info)
            self._show_table(info)
            self._show_scatter()
            self._show_chart(info)
        else:
            self._feed_running()

    def _show_title(self, info: SweepInfo) -> None:
        counts = info.counts()
        direction = "higher" if info.direction == "max" else "lower"
        text = Text.assemble(("Sweep ", "bold"), (info.name, "bold"), " · ",
                             (info.status, STATUS_STYLE.get(info.status, "")), f" · {info.algorithm} · ",
                             f"{counts.get('finished', 0)}/{info.max_trials} done, {counts.get('running', 0)} running, "
                             f"{counts.get('failed', 0)} failed · ", (f"{direction} {info.objective} is better", "dim"))
        if info.error:
            text.append(f" · {info.error}", style="red")
        self.query_one("#sweep-title", Static).update(text)

    def _show_table(self, info: SweepInfo) -> None:
        table = self.table
        keep = table.cursor_row
        table.clear(columns=True)
        for label in ("#", "trial", "status", info.objective or "score", *short_keys(info.keys), "progress"):
            table.add_column(label)
        best = info.best
        for rank, trial in enumerate(info.trials, start=1):
            style = BEST_STYLE if trial is best else ""
            cells = [Text("★" if trial is best else str(rank), style=style), Text(trial.trial_id, style=style),
                     Text(trial.status, style=STATUS_STYLE.get(trial.status, "")),
                     Text("-" if trial.score is None else f"{trial.score:.4g}", style=style),
                     *(Text(_fmt(trial.values.get(k)), style=style) for k in info.keys), Text(_progress(trial), style="dim")]
            table.add_row(*cells, key=trial.trial_id)
        if info.trials and keep is not None:
            table.move_cursor(row=min(keep, len(info.trials) - 1))

    def _show_scatter(self) -> None:
        info = self.info
        scatter = self.query_one("#sweep-scatter", Scatter)
        if info is None or not info.keys:
            scatter.set_points([], "")
            return
        key = info.keys[self.key_index % len(info.keys)]
        best = info.best
        points = [Point(t.values.get(key), t.score, t is best) for t in info.trials
                  if t.score is not None and key in t.values]
        scatter.set_points(points, f"{info.objective} vs {key}")

    def _show_chart(self, info: SweepInfo) -> None:
        from tuitrain.ui.series.feed import RunFeed

        top = [t for t in info.trials if t.run_dir is not None and (t.score is not None or t.status == "running")]
        sources = []
        for trial in top[:TOP_CURVES]:
            feed = self._feeds.get(trial.run_dir)
            if feed is None:
                feed = self._feeds[trial.run_dir] = RunFeed(trial.run_dir)
            _catch_up(feed)
            sources.append((f"trial {trial.trial_id}", feed.series))
        self.chart.metric = info.objective.removeprefix("val_")
        self.chart.set_sources(sources)

    def _feed_running(self) -> None:
        """Curves of the trials still training move on between changes of the table."""
        changed = False
        for feed in list(self._feeds.values()):
            changed |= _catch_up(feed)
        if changed:
            self.chart.data_changed()

    # --- actions -----------------------------------------------------------------------------

    def action_next_key(self) -> None:
        self.key_index += 1
        self._show_scatter()

    def action_toggle_log(self) -> None:
        self.chart.log_y = not self.chart.log_y

    def _cursor_trial(self) -> Trial | None:
        info, row = self.info, self.table.cursor_row
        if info is None or row is None or not 0 <= row < len(info.trials):
            return None
        return info.trials[row]

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        trial = self._cursor_trial()
        if trial is None or trial.run_dir is None or not trial.run_dir.is_dir():
            self.notify("this trial has no run directory yet", title="cannot open it", severity="warning")
            return
        self.dismiss(WatchRun(trial.run_dir))

    def _request(self, action: str, said: str) -> None:
        from tuitrain.runs.control import request_control

        try:
            request_control(self.sweep_dir, action)
        except (TuitrainError, OSError) as err:
            self.notify(str(err), title="cannot reach the sweep", severity="error")
            return
        self.notify(said, title="sweep")

    def action_stop_sweep(self) -> None:
        self._request("stop_batch", "stop requested: no new trials; running ones stop after their batch")

    def action_pause_sweep(self) -> None:
        paused = self.info is not None and self.info.status == "paused"
        self._request("resume" if paused else "pause", "resume requested" if paused else "pause requested")


def short_keys(keys: list[str]) -> list[str]:
    """Column labels for swept keys: the last part of each path (``learning_rate``), or the last two
    (``0.units``) where two keys would read the same; the scatter's title names the whole path."""
    last = [k.split(".")[-1] for k in keys]
    return [k.split(".")[-1] if last.count(k.split(".")[-1]) == 1 else ".".join(k.split(".")[-2:]) for k in keys]


def _catch_up(feed: Any, max_chunks: int = 8) -> bool:
    """Read what a trial appended (a few chunks per tick: a long trial fills in over several)."""
    changed = False
    for _ in range(max_chunks):
        if not feed.unread_bytes():
            break
        changed |= bool(feed.apply(feed.read()))
    return changed


def _fmt(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else ("-" if value is None else str(value))


def _progress(trial: Trial) -> str:
    if trial.status == "failed":
        return (trial.error or "")[:60]
    if trial.epochs_total:
        return f"{trial.epochs_done}/{trial.epochs_total} epochs"
    return ""
