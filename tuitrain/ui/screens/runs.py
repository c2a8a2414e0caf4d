"""Runs screen: every run under the runs root, several overlaid in one chart, a run reopened.

The list comes from ``tuitrain.engine.list_runs`` (run directories and TensorBoard log folders:
status, preset, start, duration, best metrics; ``c`` adds settings as columns). Space marks runs;
the chart below overlays the marked ones (or shows the one under the cursor), each run in its own
colours with a legend, and beside it the settings whose values differ between the marked runs.
``enter`` (or ``w``) watches a run in the Train pane; ``e`` loads its resolved ``preset.toml`` into
the editors to train again with changes. A sweep's trials are listed under a header row for their
sweep (best first, indented, as ``tuitrain runs`` prints them); ``enter`` on the header opens the
Sweep screen, and its chart shows the best trial.
The list is read in a worker thread (``run.json`` only, so a big or slow runs folder never freezes
the app); a highlighted run's events load in a worker too, cancelled when the highlight moves on,
and the chart fills in as they come.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tuitrain.runs.compare import MISSING, diff_many, fmt_value, run_settings, setting
from tuitrain.common.fmt import fmt_duration
from tuitrain.common.errors import TuitrainError
from tuitrain.ui.screens.answers import WatchRun
from tuitrain.ui.series.feed import SMALL_READ, RunFeed
from tuitrain.ui.series.loader import load_run
from tuitrain.ui.series.run_series import RunSeries
from tuitrain.ui.styles import STATUS_STYLE
from tuitrain.ui.widgets.chart.keys import CHART_BINDINGS, ChartActions
from tuitrain.ui.widgets.chart.metrics_chart import MetricsChart
from tuitrain.runs.layout import PRESET_FILE

if TYPE_CHECKING:
    from tuitrain.preset import Preset

__all__ = ["RunsScreen", "WatchRun", "EditRunPreset", "SweepGroup", "run_labels", "load_series", "sweep_groups"]


@dataclass(frozen=True)
class SweepGroup:
    """A sweep in the runs list: its header row, then its trials' runs (best first)."""

    sweep: Any  # tuitrain.sweep.sweepdir.SweepInfo
    trials: list[Any]  # RunInfo of each trial with a run directory


def sweep_groups(runs_dir: str | os.PathLike | None) -> list[SweepGroup]:
    """Every sweep under the runs root with its trials' runs, as ``tuitrain runs`` groups them."""
    from tuitrain.runs.rundir import RunInfo
    from tuitrain.sweep.sweepdir import list_sweeps

    return [SweepGroup(s, [RunInfo.from_dir(t.run_dir) for t in s.trials if t.run_dir is not None and t.run_dir.is_dir()])
            for s in list_sweeps(runs_dir)]


@dataclass(frozen=True)
class EditRunPreset:
    """The Runs screen's answer: make this run's resolved preset the current, unsaved one."""

    preset: Preset
    run_name: str


def load_series(run_dir: Path, reader: Any = None) -> tuple[RunSeries, Any]:
    """A run's whole history so far, read at once (tests and tools; the screen reads in a worker)."""
    feed = RunFeed(run_dir)
    feed.read_all_here()
    return feed.series, feed.reader


KEEP_LOADED = 4  # runs kept in memory besides the marked ones (moving back and forth stays instant)
LOADING_CHART_INTERVAL = 0.3


def run_labels(names: list[str]) -> list[str]:
    """Short legend labels: drop the prefix all names share, cut at a ``-`` so stamps stay whole."""
    if len(names) < 2:
        return list(names)
    prefix = os.path.commonprefix(names)
    cut = prefix.rfind("-") + 1
    labels = [n[cut:] or n for n in names]
    return labels if len(set(labels)) == len(labels) else list(names)


class RunsScreen(ChartActions, Screen["WatchRun | EditRunPreset | None"]):
    """List runs, compare several, reopen one; dismissed with what the user chose (None: back)."""

    DEFAULT_CSS = (Path(__file__).with_name("runs.tcss")).read_text(encoding="utf-8")

    BINDINGS = [
        Binding("escape,q", "dismiss", "Back", id="runs.back"),
        Binding("space", "toggle_mark", "Mark", id="runs.mark"),
        Binding("w", "watch_run", "Watch", id="runs.watch"),
        Binding("e", "edit_preset", "Edit its preset", id="runs.edit"),
        Binding("ctrl+r,f5", "reload", "Refresh", id="runs.reload"),
        Binding("c", "choose_columns", "Columns", id="runs.columns"),
        *CHART_BINDINGS,
    ]

    def __init__(self, runs_dir: str | os.PathLike | None = None) -> None:
        super().__init__()
        self.runs_dir = runs_dir
        self.runs: list[Any] = []  # every run listed, trials of sweeps included
        self.rows: list[Any] = []  # what each table row is, in order: a RunInfo or a SweepGroup (its header)
        self.marked: list[Path] = []
        self._loaded: dict[Path, RunFeed] = {}  # oldest first
        self._loading: set[Path] = set()
        self._drawn_at = 0.0
        self.listed = False  # the list arrived from its worker
        self.columns: list[str] = []  # settings shown as columns (``compile.optimizer.learning_rate``)
        self._settings: dict[Path, dict[str, Any]] = {}

    def compose(self) -> ComposeResult:
        yield Static("", id="runs-title")
        yield DataTable(id="runs-table", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="runs-compare"):
            yield MetricsChart(id="runs-chart")
            yield Static("", id="runs-diff", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._add_columns()
        self.chart.granularity = "epoch"
        self.chart.smoothing = 0.0
        self.action_reload()
        self.set_interval(1.0, self._poll_live)

    def on_unmount(self) -> None:
        for feed in self._loaded.values():
            feed.cancel()  # workers still reading stop at their next chunk

    @property
    def chart(self) -> MetricsChart:
        return self.query_one("#runs-chart", MetricsChart)

    @property
    def table(self) -> DataTable:
        return self.query_one("#runs-table", DataTable)

    # --- list ---------------------------------------------------------------------------------

    def _add_columns(self) -> None:
        table = self.table
        table.clear(columns=True)
        table.add_column("✓", key="mark", width=1)
        for label, key in (("run", "run"), ("status", "status"), ("best", "best"), ("epochs", "epochs"),
                           *((c, f"setting:{c}") for c in self.columns),
                           ("duration", "duration"), ("preset", "preset"), ("started", "started")):
            table.add_column(label, key=key)

    def action_choose_columns(self) -> None:
        """Ask which settings to show as columns (dotted keys, comma-separated)."""
        from tuitrain.ui.screens.dialogs.confirm import TextPrompt

        def chosen(text: str | None) -> None:
            if text is None:
                return
            self.columns = [k.strip() for k in text.split(",") if k.strip()]
            self._add_columns()
            self.action_reload()

        self.app.push_screen(TextPrompt("Settings to show as columns, comma-separated "
                                        "(e.g. compile.optimizer.learning_rate, layers[1].units):",
                                        ", ".join(self.columns), title="Columns"), chosen)

    def settings(self, path: Path) -> dict[str, Any]:
        """A run's settings (preset.toml, a script's run.json, a log folder's model), read once."""
        if path not in self._settings:
            try:
                self._settings[path] = run_settings(path)
            except TuitrainError:
                self._settings[path] = {}
        return self._settings[path]

    def action_reload(self) -> None:
        from tuitrain.runs.listing import default_runs_dir

        self._settings.clear()
        root = default_runs_dir(self.runs_dir)
        self.query_one("#runs-title", Static).update(Text.assemble(("Runs ", "bold"), (f"in {root}", "dim"),
                                                                   (" · reading…", "italic")))
        self._list_runs()

    @work(thread=True, exclusive=True, group="runs-list", exit_on_error=False)
    def _list_runs(self) -> None:
        from tuitrain.runs.listing import list_runs

        try:
            runs, groups = list_runs(self.runs_dir), sweep_groups(self.runs_dir)
        except (TuitrainError, OSError) as err:
            self.app.call_from_thread(self.notify, str(err), title="cannot list runs", severity="error")
            runs, groups = [], []
        self.app.call_from_thread(self._show_runs, runs, groups)

    def _show_runs(self, runs: list[Any], groups: list[SweepGroup] = ()) -> None:
        from tuitrain.runs.listing import default_runs_dir

        self.rows = [*runs, *(row for g in groups for row in (g, *g.trials))]
        self.runs = [row for row in self.rows if not isinstance(row, SweepGroup)]
        self.listed = True
        root = default_runs_dir(self.runs_dir)
        found = f" · {len(self.runs)} found" + (f" ({len(groups)} sweeps)" if groups else "")
        self.query_one("#runs-title", Static).update(
            Text.assemble(("Runs ", "bold"), (f"in {root}", "dim"), found,
                          (" · space marks runs to compare · enter/w watches one · e edits its preset", "dim")))
        table = self.table
        table.clear()
        trials = {id(r) for g in groups for r in g.trials}
        for row in self.rows:
            if isinstance(row, SweepGroup):
                table.add_row(*self._sweep_cells(row), key=f"sweep:{row.sweep.path}")
            else:
                table.add_row(*self._cells(row, indent=id(row) in trials), key=str(row.path))
        if not self.runs and not groups:
            self.query_one("#runs-title", Static).update(
                Text.assemble(("No runs ", "bold"), (f"in {root} yet: start one with s on the Train pane", "dim")))
        self.marked = [p for p in self.marked if any(r.path == p for r in self.runs)]
        self._update_chart()

    def _sweep_cells(self, group: SweepGroup) -> list[Any]:
        """A sweep's header row: its name, status, best trial and how many trials ran of how many."""
        sweep, best = group.sweep, group.sweep.best
        best_s = f"{sweep.objective} {best.score:.4g} (trial {best.trial_id})" if best and best.score is not None else ""
        done = sweep.counts().get("finished", 0)
        started = datetime.fromtimestamp(sweep.started).strftime("%Y-%m-%d %H:%M") if sweep.started else ""
        preset = group.trials[0].preset_name if group.trials else ""
        status = Text(sweep.status, style=STATUS_STYLE.get(sweep.status, ""))
        return ["", Text(f"▾ sweep {sweep.name}", style="bold"), status, best_s,
                f"{done}/{sweep.max_trials or '?'} trials", *([""] * len(self.columns)), "", preset, started]

    def _cells(self, info: Any, indent: bool = False) -> list[Any]:
        mark = "✓" if info.path in self.marked else ""
        status = Text(info.status, style=STATUS_STYLE.get(info.status, ""))
        started = datetime.fromtimestamp(info.started).strftime("%Y-%m-%d %H:%M") if info.started else ""
        duration = fmt_duration(info.duration_s)
        epochs = f"{info.epochs_done}/{info.epochs_total or '?'}"
        best_s = _best_text(info)
        values = [setting(self.settings(info.path), key) for key in self.columns] if self.columns else []
        chosen = [fmt_value(v) if v is not MISSING else "-" for v in values]
        name = f"  {info.name}" if indent else info.name
        return [mark, name, status, best_s, epochs, *chosen, duration, info.preset_name, started]

    def _cursor_row(self) -> Any | None:
        table = self.table
        if not self.rows or table.cursor_row is None or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def _cursor_run(self) -> Any | None:
        row = self._cursor_row()
        return None if isinstance(row, SweepGroup) else row

    def _cursor_sweep(self) -> SweepGroup | None:
        row = self._cursor_row()
        return row if isinstance(row, SweepGroup) else None

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_watch_run()

    def open_sweep(self, group: SweepGroup) -> None:
        """The Sweep screen of this sweep; a trial it opens is watched, as a run chosen here would be."""
        from tuitrain.ui.screens.sweep import SweepScreen

        def chosen(answer: WatchRun | None) -> None:
            if isinstance(answer, WatchRun):
                self.dismiss(answer)

        self.app.push_screen(SweepScreen(group.sweep.path), chosen)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if not self.marked:
            self._update_chart()

    # --- compare ------------------------------------------------------------------------------

    def action_toggle_mark(self) -> None:
        info = self._cursor_run()
        if info is None:
            return
        if info.path in self.marked:
            self.marked.remove(info.path)
        else:
            self.marked.append(info.path)
        self.table.update_cell(str(info.path), "mark", "✓" if info.path in self.marked else "")
        self._update_chart()

    def loaded(self) -> bool:
        """Every shown run's events are read (tests wait on this)."""
        return self.listed and not (self._loading & set(self.shown_runs()))

    def shown_runs(self) -> list[Path]:
        """Marked runs, or the one under the cursor when none is marked."""
        if self.marked:
            return list(self.marked)
        group = self._cursor_sweep()
        if group is not None:  # a sweep's header: its best trial (trials are ranked best first)
            return [group.trials[0].path] if group.trials else []
        info = self._cursor_run()
        return [info.path] if info is not None else []

    def _update_chart(self) -> None:
        paths = self.shown_runs()
        labels = run_labels([p.name for p in paths]) if len(paths) > 1 else [""] * len(paths)
        sources = []
        for path, label in zip(paths, labels):
            feed = self._loaded.pop(path, None)
            if feed is None or feed.cancelled:
                feed = RunFeed(path)
                self._loading.add(path)
                self._load(feed)
            self._loaded[path] = feed  # most recently shown last
            sources.append((label, feed.series))
        self._forget(set(paths))
        self.chart.set_sources(sources)
        self._update_diff(paths, labels)

    def _update_diff(self, paths: list[Path], labels: list[str]) -> None:
        """Beside the curves of 2+ marked runs: the settings whose values differ, one column per run."""
        panel = self.query_one("#runs-diff", Static)
        panel.display = len(paths) > 1
        if len(paths) < 2:
            return
        rows = diff_many([self.settings(p) for p in paths])
        text = Text()
        text.append("differs: " + " → ".join(labels) + "\n", style="bold")
        if not rows:
            text.append("(no differences in the recorded settings)", style="dim")
        for key, values in rows:
            text.append(f"{key}\n", style="bold")
            text.append("  " + " → ".join(fmt_value(v) for v in values) + "\n")
        panel.update(text)

    def _forget(self, shown: set[Path]) -> None:
        """Stop loading runs no longer shown, and keep only a few unmarked ones in memory."""
        for path in list(self._loaded):
            if path not in shown and path in self._loading:
                self._loaded.pop(path).cancel()  # half read: start over if it comes back
                self._loading.discard(path)
        spare = [p for p in self._loaded if p not in shown and p not in self.marked]
        for path in spare[: max(0, len(spare) - KEEP_LOADED)]:
            self._loaded.pop(path).cancel()

    def _load(self, feed: RunFeed) -> None:
        """A run's events in a worker, chunk by chunk (the one run loader, shared with the Train pane)."""
        load_run(self, feed, on_parts=self._apply_loaded, on_done=self._loaded_all, group="runs-load")

    def _apply_loaded(self, feed: RunFeed, parts: list) -> None:
        if feed.apply(parts):
            now = time.monotonic()
            if now - self._drawn_at >= LOADING_CHART_INTERVAL:
                self._drawn_at = now
                self.chart.data_changed()

    def _loaded_all(self, feed: RunFeed) -> None:
        if self._loaded.get(feed.run_dir) is feed:
            self._loading.discard(feed.run_dir)
        if not feed.cancelled:
            self.chart.data_changed()

    def _poll_live(self) -> None:
        """Keep overlaid curves of runs that are still training moving."""
        changed = False
        for path in self.shown_runs():
            feed = self._loaded.get(path)
            if feed is None or path in self._loading or feed.unread_bytes() == 0:
                continue
            if feed.unread_bytes() > SMALL_READ:
                self._loading.add(path)
                self._load(feed)
                continue
            changed |= bool(feed.apply(feed.read()))
        if changed:
            self.chart.data_changed()

    # --- open ---------------------------------------------------------------------------------

    def action_watch_run(self) -> None:
        group = self._cursor_sweep()
        if group is not None:
            self.open_sweep(group)
            return
        info = self._cursor_run()
        if info is None:
            return
        self.dismiss(WatchRun(info.path))

    def action_edit_preset(self) -> None:
        """Load the run's resolved preset as the current, unsaved one: train again with changes."""
        from tuitrain.preset import load_preset

        info = self._cursor_run()
        if info is None:
            return
        try:
            preset = load_preset(info.path / PRESET_FILE)
        except (TuitrainError, OSError) as err:
            self.notify(str(err), title="cannot open its preset", severity="error", timeout=10)
            return
        self.dismiss(EditRunPreset(preset, info.name))


def _best_text(info: Any) -> str:
    """The monitored metric's best value first, then the other validation (or training) ones."""
    best = dict(info.best or {})
    first = info.best_monitor
    keys = [first[0]] if first else []
    pool = [k for k in best if k.startswith("val_")] or list(best)
    keys += [k for k in pool if k not in keys]
    return " · ".join(f"{k.replace('accuracy', 'acc')} {best[k]:.4g}" for k in keys[:3])
