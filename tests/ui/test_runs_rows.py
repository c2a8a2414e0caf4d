"""The runs list's rows without Textual: filter words, groups by a setting, sweeps kept whole, short titles."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tuitrain.ui.screens.runs import SweepGroup
from tuitrain.ui.screens.runs_rows import (GroupHeader, ListView, build_rows, clip, differing_keys, haystack,
                                           run_matches, setting_label)


@dataclass
class Run:
    name: str
    status: str = "finished"
    preset_name: str = "spiral_mlp"
    path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.path = Path("/runs") / self.name


@dataclass
class Sweep:
    name: str
    path: Path = Path("/runs/sweep")


SETTINGS = {"a": {"compile": {"optimizer": {"type": "Adam", "learning_rate": 0.01}}, "layers": [{"units": 64}]},
            "b": {"compile": {"optimizer": {"type": "SGD", "learning_rate": 0.1}}, "layers": [{"units": 32}]},
            "c": {"compile": {"optimizer": {"type": "Adam", "learning_rate": 0.001}}, "layers": [{"units": 32}]}}


def _runs() -> tuple[list[Run], dict[Path, dict]]:
    runs = [Run(n) for n in SETTINGS]
    return runs, {r.path: SETTINGS[r.name] for r in runs}


def test_every_word_must_match_a_name_status_or_setting():
    runs, settings = _runs()
    hays = {r.name: haystack(r, settings[r.path]) for r in runs}
    assert run_matches(hays["a"], "ADAM units=64") and not run_matches(hays["c"], "adam units=64")
    assert run_matches(hays["b"], "") and run_matches(hays["b"], "learning_rate=0.1 finished")
    rows = build_rows(runs, [], settings, ListView(text="adam"))
    assert [r.name for r in rows] == ["a", "c"]


def test_groups_fold_and_a_sweep_keeps_its_trials_under_it():
    runs, settings = _runs()
    trials = [Run("trial-0"), Run("trial-1")]
    sweep = SweepGroup(Sweep("sweep_spiral-sweep-1"), trials)
    view = ListView(group_key="layers[0].units", folded={"32"})
    rows = build_rows(runs, [sweep], settings, view)
    assert [(r.value, r.count, r.folded) for r in rows if isinstance(r, GroupHeader)] == [("64", 1, False), ("32", 2, True)]
    assert [getattr(r, "name", None) for r in rows] == [None, "a", None, None, "trial-0", "trial-1"]
    assert rows[2].paths == (runs[1].path, runs[2].path)  # a folded header still knows its runs (the chart overlays them)
    assert build_rows(runs, [sweep], settings, ListView(text="sweep_spiral"))[0].trials == []  # the sweep by its name
    assert build_rows(runs, [sweep], settings, ListView(text="nothing-like-it")) == []


def test_differing_keys_and_short_titles():
    assert differing_keys(list(SETTINGS.values())) == [
        ("compile.optimizer.type", ["Adam", "SGD"]), ("compile.optimizer.learning_rate", ["0.01", "0.1", "0.001"]),
        ("layers[0].units", ["64", "32"])]
    assert [setting_label(k) for k in ("compile.optimizer.type", "compile.optimizer.learning_rate", "layers[0].units",
                                       "fit.epochs")] == ["optimizer", "learning_rate", "units[0]", "epochs"]
    assert clip("learning_rate", 8) == "learnin…" and clip("0.01", 8) == "0.01"


def test_clip_counts_terminal_cells():
    assert clip("学習率の設定", 7) == "学習率…"  # two cells a character: 6 cells and the ellipsis
    assert clip("abc", 3) == "abc"
