"""Runs screen: every run under the runs root, several overlaid in one chart, a run reopened.

The list comes from ``tuitrain.engine.list_runs`` (run directories and TensorBoard log folders:
status, preset, start, duration, the monitored metric's best value and epoch, ``b`` shows another;
``c`` ticks settings that differ as columns). ``/`` filters the list by text (name, preset, status,
settings), ``g`` groups it by a setting under headers that fold with enter or space. Space marks runs;
the chart below overlays the marked ones (or shows the one under the cursor), each run in its own
colours with a legend, and beside it the settings whose values differ between the marked runs.
``enter`` (or ``w``) watches a run in the Train pane; ``e`` loads its resolved ``preset.toml`` into
the editors to train again with changes. A sweep's trials are listed under a header row for their
sweep (best first, indented, as ``tuitrain runs`` prints them); ``enter`` on the header opens the
Sweep screen, and its chart shows the best trial.
The list is read in a worker thread (``run.json`` first, so a big or slow runs folder never freezes
the app; then each run's settings and best epochs, and the rows fill in); a highlighted run's events
load in a worker too, cancelled when the highlight moves on, and the chart fills in as they come.
The rows (``runs_rows``) and their cells and widths (``runs_table``) live beside this module.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Input, Static

from tuitrain.runs.best import BestMetric, best_metrics
from tuitrain.runs.compare import diff_many, fmt_value, run_settings
from tuitrain.common.errors import TuitrainError
from tuitrain.ui.screens.answers import WatchRun
from tuitrain.ui.series.feed import SMALL_READ, RunFeed
from tuitrain.ui.series.loader import load_run
from tuitrain.ui.series.run_series import RunSeries
from tuitrain.ui.screens.runs_rows import GroupHeader, ListView, SweepGroup, differing_keys, is_run_row
from tuitrain.ui.screens.runs_table import RunsTableCells
from tuitrain.ui.widgets.chart.keys import CHART_BINDINGS, ChartActions
from tuitrain.ui.widgets.chart.metrics_chart import MetricsChart
from tuitrain.runs.layout import PRESET_FILE

if TYPE_CHECKING:
    from tuitrain.preset import Preset

__all__ = ["RunsScreen", "WatchRun", "EditRunPreset", "SweepGroup", "run_labels", "load_series", "sweep_groups"]


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


# The chart's keys, with per batch/epoch on G here: g groups the runs list.
RUNS_CHART_BINDINGS = [replace(b, key="G") if b.action == "toggle_granularity" else b for b in CHART_BINDINGS]
FILTER_DELAY_S = 0.05  # keys typed within this are one filter
OVERLAY_GROUP = 6  # runs of a group header overlaid at most


class FilterInput(Input):
    """The runs filter: escape clears it and hands the keys back to the list."""

    BINDINGS = [Binding("escape", "clear", "Clear filter", id="runs.filter.clear")]

    def action_clear(self) -> None:
        self.value = ""
        screen = self.screen
        if isinstance(screen, RunsScreen):
            screen.close_filter()


class RunsScreen(RunsTableCells, ChartActions, Screen["WatchRun | EditRunPreset | None"]):
    """List runs, compare several, reopen one; dismissed with what the user chose (None: back)."""

    DEFAULT_CSS = (Path(__file__).with_name("runs.tcss")).read_text(encoding="utf-8")
    AUTO_FOCUS = "#runs-table"  # the list, not the hidden filter box

    BINDINGS = [
        Binding("escape,q", "back", "Back", id="runs.back"),
        Binding("space", "toggle_mark", "Mark", id="runs.mark"),
        Binding("w", "watch_run", "Watch", id="runs.watch"),
        Binding("e", "edit_preset", "Edit its preset", id="runs.edit"),
        Binding("slash", "filter", "Filter", id="runs.filter"),
        Binding("g", "group_by", "Group by", id="runs.group"),
        Binding("c", "choose_columns", "Columns", id="runs.columns"),
        Binding("b", "cycle_best", "Best: next metric", id="runs.best"),
        Binding("ctrl+r,f5", "reload", "Refresh", id="runs.reload"),
        *RUNS_CHART_BINDINGS,
    ]

    def __init__(self, runs_dir: str | os.PathLike | None = None) -> None:
        super().__init__()
        self.runs_dir = runs_dir
        self.runs: list[Any] = []  # every run listed, trials of sweeps included
        self.sweeps: list[SweepGroup] = []
        self.rows: list[Any] = []  # what each table row is, in order: a RunInfo, a SweepGroup or a GroupHeader
        self.marked: list[Path] = []
        self._loaded: dict[Path, RunFeed] = {}  # oldest first
        self._loading: set[Path] = set()
        self._drawn_at = 0.0
        self.listed = False  # the list arrived from its worker
        self.detailed = False  # ... and then every run's settings and best epochs
        self.columns: list[str] = []  # settings shown as columns (``compile.optimizer.learning_rate``)
        self.view = ListView()  # filter text, grouping, folded groups
        self.best_key = ""  # the metric the "best" column shows ("" = each run's monitored one)
        self._settings: dict[Path, dict[str, Any]] = {}
        self._best: dict[Path, dict[str, BestMetric]] = {}
        self._top: list[Any] = []  # runs that are no sweep's trials
        self._trials: set[Path] = set()
        self._filled_width = 0  # the terminal width the table was last laid out for
        self._hays: dict[Path, str] = {}  # what the filter searches in each run, made once per listing
        self._filter_timer: Timer | None = None  # a filter typed and not applied yet
        self._chart_paths: list[Path] = []  # the runs the chart shows now

    def compose(self) -> ComposeResult:
        yield Static("", id="runs-title")
        yield FilterInput(placeholder="filter: words of a name, preset, status or setting (units=64)", id="runs-filter")
        yield DataTable(id="runs-table", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="runs-compare"):
            yield MetricsChart(id="runs-chart")
            yield Static("", id="runs-diff", markup=False)
        yield Footer()

    def on_mount(self) -> None:
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

    def root_label(self) -> str:
        """The runs root as the title names it."""
        from tuitrain.runs.listing import default_runs_dir

        return str(default_runs_dir(self.runs_dir))

    # --- list ---------------------------------------------------------------------------------

    def action_reload(self) -> None:
        self._settings.clear()
        self.query_one("#runs-title", Static).update(Text.assemble(("Runs ", "bold"), (f"in {self.root_label()}", "dim"),
                                                                   (" · reading…", "italic")))
        self._list_runs()

    @work(thread=True, exclusive=True, group="runs-list", exit_on_error=False)
    def _list_runs(self) -> None:
        """Runs and sweeps (run.json only: the list shows at once), then every run's settings and best epochs."""
        from textual.worker import get_current_worker

        from tuitrain.runs.listing import list_runs

        try:
            runs, groups = list_runs(self.runs_dir), sweep_groups(self.runs_dir)
        except (TuitrainError, OSError) as err:
            self.app.call_from_thread(self.notify, str(err), title="cannot list runs", severity="error")
            runs, groups = [], []
        self.app.call_from_thread(self._show_runs, runs, groups)
        worker, settings, best = get_current_worker(), {}, {}
        for run in [*runs, *(t for g in groups for t in g.trials)]:
            if worker.is_cancelled:  # a reload started over
                return
            settings[run.path], best[run.path] = _read_settings(run.path), _read_best(run)
        self.app.call_from_thread(self._show_details, settings, best)

    def _show_runs(self, runs: list[Any], groups: list[SweepGroup] = ()) -> None:
        self.sweeps = list(groups)
        self.runs = [*runs, *(t for g in groups for t in g.trials)]
        self._top = list(runs)
        self._hays.clear()
        self._trials = {t.path for g in groups for t in g.trials}
        self.listed, self.detailed = True, False
        self.marked = [p for p in self.marked if any(r.path == p for r in self.runs)]
        self.fill_table()
        self._update_chart()

    def _show_details(self, settings: dict[Path, dict[str, Any]], best: dict[Path, dict[str, BestMetric]]) -> None:
        """Settings (filter, groups, columns) and the best epochs arrived: the rows show them."""
        if not self.is_attached:  # the screen was left while they were read
            return
        self._settings.update(settings)
        self._hays.clear()  # settings arrived: the filter searches them too
        self._best = best
        self.detailed = True
        self.fill_table()

    def differing(self) -> list[tuple[str, list[str]]]:
        """The settings whose values differ between the listed runs that recorded any, each with its values."""
        return differing_keys([s for r in self.runs if (s := self.settings(r.path))])

    def action_cycle_best(self) -> None:
        """Show the next metric's best value and epoch in the "best" column (then each run's monitored one)."""
        names: list[str] = []
        for run in self.runs:
            names.extend(k for k in run.best if k not in names)
        names.sort(key=lambda k: (not k.startswith("val_"), k))
        options = ["", *names]
        i = options.index(self.best_key) if self.best_key in options else 0
        self.best_key = options[(i + 1) % len(options)]
        self.fill_table()  # the column's title names the metric shown

    def action_choose_columns(self) -> None:
        """Tick which settings (those that differ between the listed runs) to show as columns."""
        from tuitrain.ui.screens.dialogs.setting_choice import ColumnsChecklist

        def chosen(keys: list[str] | None) -> None:
            if keys is not None:
                self.columns = keys
                self.fill_table()

        self.app.push_screen(ColumnsChecklist(self.differing(), self.columns), chosen)

    def action_group_by(self) -> None:
        """Group the runs under one header per value of a setting (or ungroup: "none")."""
        from tuitrain.ui.screens.dialogs.setting_choice import GroupByPicker

        def chosen(key: str | None) -> None:
            if key is not None:
                self.view.group_key, self.view.folded = key, set()
                self.fill_table()

        self.app.push_screen(GroupByPicker(self.differing(), self.view.group_key), chosen)

    def action_filter(self) -> None:
        box = self.query_one("#runs-filter", FilterInput)
        box.display = True
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Keys come in bursts (typing, a paste, SSH): the list is filtered once a burst, not once a key."""
        if event.input.id == "runs-filter" and event.value != self.view.text:
            self.view.text = event.value
            if self._filter_timer is None:
                self._filter_timer = self.set_timer(FILTER_DELAY_S, self._apply_filter)

    def _apply_filter(self) -> None:
        self._filter_timer = None
        if self.listed and self.is_attached:  # not after the screen was left
            self.fill_table()
            self._update_chart()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "runs-filter":
            event.stop()
            if not event.value.strip():
                self.close_filter()
            else:
                self.table.focus()

    def close_filter(self) -> None:
        """No filter: hide the box, list every run, the keys go to the list again."""
        box = self.query_one("#runs-filter", FilterInput)
        if box.value:
            box.value = ""  # Changed rebuilds the list
        box.display = False
        self.table.focus()

    def action_back(self) -> None:
        """escape: clear a filter first, then leave the screen."""
        if self.view.text:
            self.close_filter()
            return
        self.dismiss(None)

    def settings(self, path: Path) -> dict[str, Any]:
        """A run's settings (preset.toml, a script's run.json, a log folder's model), read once."""
        if path not in self._settings:
            self._settings[path] = _read_settings(path)
        return self._settings[path]

    def on_resize(self) -> None:
        if self.listed and self.app.size.width != self._filled_width:  # the cut names and columns follow the width
            self.fill_table()

    def _cursor_row(self) -> Any | None:
        table = self.table
        if not self.rows or table.cursor_row is None or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def _cursor_run(self) -> Any | None:
        row = self._cursor_row()
        return row if is_run_row(row) else None

    def _cursor_sweep(self) -> SweepGroup | None:
        row = self._cursor_row()
        return row if isinstance(row, SweepGroup) else None

    def _cursor_group(self) -> GroupHeader | None:
        row = self._cursor_row()
        return row if isinstance(row, GroupHeader) else None

    def toggle_fold(self, header: GroupHeader) -> None:
        """Fold or unfold a group's runs (enter or space on its header)."""
        self.view.folded.symmetric_difference_update({header.value})
        self.fill_table()

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
        header = self._cursor_group()
        if header is not None:
            self.toggle_fold(header)
            return
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
        return (self.listed and self.detailed and self._filter_timer is None
                and not (self._loading & set(self.shown_runs())))

    def shown_runs(self) -> list[Path]:
        """Marked runs, or the one under the cursor when none is marked."""
        if self.marked:
            return list(self.marked)
        group = self._cursor_sweep()
        if group is not None:  # a sweep's header: its best trial (trials are ranked best first)
            return [group.trials[0].path] if group.trials else []
        header = self._cursor_group()
        if header is not None:  # a group's header: its runs overlaid
            return list(header.paths[:OVERLAY_GROUP])
        info = self._cursor_run()
        return [info.path] if info is not None else []

    def _update_chart(self) -> None:
        paths = self.shown_runs()
        if paths == self._chart_paths and all(p in self._loaded for p in paths):
            return  # the same runs (the table was refilled): no new figure
        self._chart_paths = paths
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
        header = self._cursor_group()
        if header is not None:
            self.toggle_fold(header)
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


def _read_settings(path: Path) -> dict[str, Any]:
    """A run's settings, ``{}`` when they cannot be read (the list still shows the run)."""
    try:
        return run_settings(path)
    except Exception:  # noqa: BLE001 - a hostile copied run must not keep the whole list from showing
        return {}


def _read_best(run: Any) -> dict[str, BestMetric]:
    """A run's best metrics with their epochs, ``{}`` when its files cannot be read."""
    try:
        return best_metrics(run)
    except Exception:  # noqa: BLE001 - as above: one damaged run, not an empty list
        return {}
