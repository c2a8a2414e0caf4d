"""The runs list as table rows: cells, widths that fit the terminal, the title.

A mixin of the Runs screen (``RunsScreen``), kept apart so the screen module holds the keys and the
comparing: columns up to the chosen settings stay inside the terminal (long settings and titles end
in …, then a name loses the prefix every run shares and is cut at the start: time stamps stay).
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static

from tuitrain.common.fmt import fmt_duration
from tuitrain.runs.best import BestMetric, monitored_metric
from tuitrain.runs.compare import MISSING, fmt_value, setting
from tuitrain.ui.screens.runs_rows import GroupHeader, SweepGroup, build_rows, clip, is_run_row, setting_label
from tuitrain.ui.styles import STATUS_STYLE

if TYPE_CHECKING:
    from textual.app import App
    from textual.widgets import DataTable

    from tuitrain.ui.screens.runs_rows import ListView

__all__ = ["RunsTableCells"]

SETTING_WIDTH = 14  # a setting column's widest cell (longer values end in …)
BEST_WIDTH = 24
MIN_NAME_WIDTH = 10
NAME_WIDTH = 18  # a name cut to this still shows its time stamp: long titles are cut first


class RunsTableCells:
    """Builds the Runs screen's table from its state (declared here for the type checker)."""

    app: App
    table: DataTable
    rows: list[Any]
    runs: list[Any]
    sweeps: list[SweepGroup]
    marked: list[Path]
    columns: list[str]
    view: ListView
    best_key: str
    _top: list[Any]
    _trials: set[Path]
    _best: dict[Path, dict[str, BestMetric]]
    _settings: dict[Path, dict[str, Any]]
    _hays: dict[Path, str]
    _filled_width: int

    def fill_table(self) -> None:
        """(Re)build the table from the runs, the filter, the grouping and the columns; the cursor stays on its row."""
        table = self.table
        before = self._row_key(self._cursor_row()) if self.rows else None
        self.rows = build_rows(self._top, self.sweeps, self._settings, self.view, self._hays)
        self._filled_width = self.app.size.width
        uniform = self._uniform_best()
        table.clear(columns=True)
        cells = [self._row_cells(row, uniform) for row in self.rows]
        best_label = "best " + uniform.replace("accuracy", "acc") if uniform else "best"
        widths = self._widths(cells, best_label)
        labels = ["✓", "run", "status", clip(best_label, widths[3]), "epochs",
                  *(clip(setting_label(c), w) for c, w in zip(self.columns, widths[5:])), "duration", "preset", "started"]
        keys = ["mark", "run", "status", "best", "epochs", *(f"setting:{c}" for c in self.columns),
                "duration", "preset", "started"]
        for label, key in zip(labels, keys):
            table.add_column(label, key=key)
        for row, row_cells in zip(self.rows, cells):
            table.add_row(*self._styled(row, row_cells, widths), key=self._row_key(row))
        keys_now = [self._row_key(r) for r in self.rows]
        if before in keys_now:
            table.move_cursor(row=keys_now.index(before))
        self._show_title()

    def _row_key(self, row: Any) -> str | None:
        if row is None:
            return None
        if isinstance(row, GroupHeader):
            return row.row_key
        if isinstance(row, SweepGroup):
            return f"sweep:{row.sweep.path}"
        return str(row.path)

    def _widths(self, cells: list[list[str]], best_label: str) -> list[int]:
        """Each column's widest cell; where the columns up to the chosen settings do not fit the screen, long
        settings and titles end in …, then the name is cut."""
        first = 5 + len(self.columns)  # mark, run, status, best, epochs, the settings
        labels = [setting_label(c) for c in self.columns]
        values = [max([cell_len(c[i]) for c in cells] + [1]) for i in range(first + 3)]
        natural = [*values[:3], max(values[3], len(best_label)), max(values[4], len("epochs")),
                   *(max(v, len(t)) for v, t in zip(values[5:first], labels)), *values[first:]]
        budget = self.app.size.width - 2 - 2 * first  # cell padding, scroll bar
        if sum(natural[:first]) - natural[1] + min(natural[1], NAME_WIDTH) > budget:  # a short name is not enough
            natural[3] = min(natural[3], BEST_WIDTH)
            for i, title in enumerate(labels, start=5):  # a long title is cut to its values' width (8 at least)
                natural[i] = min(max(values[i], min(len(title), 8)), SETTING_WIDTH)
        others = sum(natural[:first]) - natural[1]
        natural[1] = max(MIN_NAME_WIDTH, min(natural[1], budget - others))
        return natural

    def _styled(self, row: Any, cells: list[str], widths: list[int]) -> list[Any]:
        out: list[Any] = []
        for i, (cell, width) in enumerate(zip(cells, widths)):
            text = self._name_cell(cell, width) if i == 1 and is_run_row(row) else clip(cell, width)
            style = STATUS_STYLE.get(cell, "") if i == 2 else ("bold" if i == 1 and not is_run_row(row) else "")
            out.append(Text(text, style=style, no_wrap=True))  # Text, not str: a name's [brackets] are no markup
        return out

    def _name_cell(self, name: str, width: int) -> str:
        """A run's name in ``width`` cells (its indent kept): first without the prefix every run shares (the
        preset column has it), then cut at the start, since the time stamps at the end tell runs apart."""
        if cell_len(name) <= width:
            return name
        indent = name[: len(name) - len(name.lstrip(" "))]
        name, width = name[len(indent):], max(2, width - len(indent))
        names = [r.name for r in self._top]
        prefix = os.path.commonprefix(names) if len(names) > 1 else ""
        prefix = prefix[: prefix.rfind("-") + 1]
        if prefix and name.startswith(prefix):
            name = name[len(prefix):]
        tail = name[max(0, len(name) - (width - 1)):]
        while cell_len(tail) > width - 1:  # wide characters: drop from the front until it fits
            tail = tail[1:]
        return indent + "…" + tail

    def _row_cells(self, row: Any, uniform: str) -> list[str]:
        blank = [""] * len(self.columns)
        if isinstance(row, GroupHeader):
            arrow = "▸" if row.folded else "▾"
            runs = f"{row.count} run{'s' if row.count != 1 else ''}"
            return ["", f"{arrow} {setting_label(row.key)} = {row.value}", "", "", runs, *blank, "", "", ""]
        if isinstance(row, SweepGroup):
            return self._sweep_cells(row)
        return self._cells(row, uniform)

    def _show_title(self) -> None:
        shown = sum(1 for r in self.rows if is_run_row(r)) + sum(r.count for r in self.rows
                                                             if isinstance(r, GroupHeader) and r.folded)
        total = len(self.runs)
        count = f"{shown} of {total} runs match “{self.view.text.strip()}”" if self.view.text else f"{total} runs"
        title = Text.assemble(("Runs ", "bold"), count,
                              f" ({len(self.sweeps)} sweeps)" if self.sweeps else "",
                              (f" · by {setting_label(self.view.group_key)}", "bold") if self.view.group_key else "",
                              (f" · in {self.root_label()}", "dim"),
                              (" · space marks · / filters · g groups · c columns", "dim"), no_wrap=True,
                              overflow="ellipsis")
        if not self.runs:
            title = Text.assemble(("No runs ", "bold"), (f"in {self.root_label()} yet: start one with s on the Train pane",
                                                         "dim"))
        self.query_one("#runs-title", Static).update(title)

    def _uniform_best(self) -> str:
        """The metric every listed run's best column shows, when they agree ("" when they do not)."""
        if self.best_key:
            return self.best_key
        names = {monitored_metric(r) for r in self.runs if r.best}
        return names.pop() if len(names) == 1 else ""

    def _sweep_cells(self, group: SweepGroup) -> list[str]:
        """A sweep's header row: its name, status, best trial and how many trials ran of how many."""
        sweep, best = group.sweep, group.sweep.best
        best_s = f"{sweep.objective} {best.score:.4g} (trial {best.trial_id})" if best and best.score is not None else ""
        done = sweep.counts().get("finished", 0)
        started = datetime.fromtimestamp(sweep.started).strftime("%Y-%m-%d %H:%M") if sweep.started else ""
        preset = group.trials[0].preset_name if group.trials else ""
        return ["", f"▾ sweep {sweep.name}", sweep.status, best_s,
                f"{done}/{sweep.max_trials or '?'} trials", *([""] * len(self.columns)), "", preset, started]

    def _cells(self, info: Any, uniform: str = "") -> list[str]:
        mark = "✓" if info.path in self.marked else ""
        started = datetime.fromtimestamp(info.started).strftime("%Y-%m-%d %H:%M") if info.started else ""
        epochs = f"{info.epochs_done}/{info.epochs_total or '?'}"
        values = [setting(self.settings(info.path), key) for key in self.columns]
        chosen = [fmt_value(v) if v is not MISSING else "-" for v in values]
        nested = info.path in self._trials or bool(self.view.group_key)  # under a sweep's or a group's header
        name = f"  {info.name}" if nested else info.name
        return [mark, name, info.status, self._best_cell(info, uniform), epochs, *chosen,
                fmt_duration(info.duration_s), info.preset_name, started]

    def _best_cell(self, info: Any, uniform: str) -> str:
        """The best value and epoch of the metric shown (the header names it when every row shows the same)."""
        metric = self.best_key or monitored_metric(info) or ""
        found = self._best.get(info.path, {}).get(metric)
        if found is None and metric in info.best:  # its epoch not read yet
            found = BestMetric(metric, float(info.best[metric]))
        if found is None:
            return "-"
        if uniform:
            return f"{found.value:.4g}" + (f" @ep{found.epoch}" if found.epoch is not None else "")
        return found.text()

