"""What the runs list shows, row by row: runs filtered by text, grouped by a setting, sweeps under their header.

No Textual here: the Runs screen turns these rows into table rows. A run matches a filter when
every word of it is found (case-insensitive) in its name, preset, status or one of its settings
written ``key=value``. Grouping puts the runs (not a sweep's trials: they stay under their sweep)
under one header row per value of the chosen setting; a folded header hides its runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.cells import cell_len, set_cell_size

from tuitrain.runs.compare import MISSING, diff_many, flatten, fmt_value, setting

__all__ = ["SweepGroup", "is_run_row", "GroupHeader", "ListView", "build_rows", "haystack", "run_matches", "setting_label", "differing_keys",
           "group_values", "clip"]


@dataclass(frozen=True)
class SweepGroup:
    """A sweep in the runs list: its header row, then its trials' runs (best first)."""

    sweep: Any  # tuitrain.sweep.sweepdir.SweepInfo
    trials: list[Any]  # RunInfo of each trial with a run directory


@dataclass(frozen=True)
class GroupHeader:
    """The header row of the runs whose ``key`` reads ``value`` (``count`` of them match the filter)."""

    key: str
    value: str
    count: int
    folded: bool = False
    paths: tuple[Path, ...] = ()  # its runs' directories

    @property
    def row_key(self) -> str:
        return f"group:{self.key}={self.value}"


@dataclass
class ListView:
    """How the list is looked at: a filter text, a setting to group by ("" = none), the folded groups."""

    text: str = ""
    group_key: str = ""
    folded: set[str] = field(default_factory=set)  # values of group_key whose runs are hidden


def haystack(run: Any, settings: dict[str, Any]) -> str:
    """What a filter searches in a run: its name, preset, status and every ``key=value`` of its settings."""
    return " ".join([run.name, run.preset_name, run.status,
                     *(f"{k}={fmt_value(v)}" for k, v in flatten(settings).items())]).lower()


def run_matches(hay: str, text: str) -> bool:
    """Every word of ``text`` is in the run's :func:`haystack`."""
    return all(w in hay for w in text.lower().split())


def group_values(runs: list[Any], settings: dict[Path, dict[str, Any]], key: str) -> dict[str, list[Any]]:
    """The runs by their value of ``key`` (``(none)`` where unset), values in order of first appearance."""
    groups: dict[str, list[Any]] = {}
    for run in runs:
        value = setting(settings.get(run.path, {}), key)
        groups.setdefault(fmt_value(value) if value is not MISSING else "(none)", []).append(run)
    return groups


def build_rows(runs: list[Any], sweeps: list[Any], settings: dict[Path, dict[str, Any]], view: ListView,
               hays: dict[Path, str] | None = None) -> list[Any]:
    """Table rows in order: RunInfo, GroupHeader or a sweep group (its ``trials`` filtered), then its trials.

    ``hays``: each run's :func:`haystack`, kept between calls (filled in here for runs without one)."""
    hays = {} if hays is None else hays

    def keep(run: Any) -> bool:
        if not view.text:
            return True
        if run.path not in hays:
            hays[run.path] = haystack(run, settings.get(run.path, {}))
        return run_matches(hays[run.path], view.text)

    rows: list[Any] = []
    shown = [r for r in runs if keep(r)]
    if view.group_key:
        for value, members in group_values(shown, settings, view.group_key).items():
            folded = value in view.folded
            rows.append(GroupHeader(view.group_key, value, len(members), folded, tuple(r.path for r in members)))
            rows.extend([] if folded else members)
    else:
        rows.extend(shown)
    for group in sweeps:
        trials = [t for t in group.trials if keep(t)]
        if trials or (view.text and run_matches_sweep(group, view.text)):
            rows.append(type(group)(group.sweep, trials))
            rows.extend(trials)
    return rows


def is_run_row(row: Any) -> bool:
    """A run's row (not a sweep's or a group's header)."""
    return row is not None and not isinstance(row, (SweepGroup, GroupHeader))




def run_matches_sweep(group: Any, text: str) -> bool:
    """A sweep's header matches on its own name."""
    name = str(getattr(group.sweep, "name", "")).lower()
    return all(w in name for w in text.lower().split())


def differing_keys(settings: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """The dotted keys whose values differ between the runs, each with its distinct values (as shown)."""
    rows = []
    for key, values in diff_many(settings):
        distinct: list[str] = []
        for value in values:
            text = fmt_value(value)
            if text not in distinct:
                distinct.append(text)
        rows.append((key, distinct))
    return rows


def setting_label(key: str) -> str:
    """A short column title: ``compile.optimizer.learning_rate`` → ``learning_rate``, ``compile.optimizer.type``
    → ``optimizer``, ``layers[0].units`` → ``units[0]``."""
    parts = key.split(".")
    last = parts[-1]
    if last == "type" and len(parts) > 1:
        last = parts[-2]
    index = re.search(r"\[(\d+)\]", ".".join(parts[:-1]) if len(parts) > 1 else "")
    return f"{last}[{index.group(1)}]" if index and "[" not in last else last


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal cells (a wide character takes two), its end replaced by ``…`` when cut."""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, max(0, width - 1)).rstrip(" ") + "…"
