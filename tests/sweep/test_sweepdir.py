"""Reading a sweep directory someone copied or crafted: bounded, and a bad record is a reason, not a crash."""

from __future__ import annotations

import json
import os

from tuitrain.sweep.sweepdir import SweepInfo, Trial, list_sweeps, rank, sweep_status


def _write(path, data) -> None:
    path.mkdir(parents=True)
    (path / "sweep.json").write_text(data if isinstance(data, str) else json.dumps(data))


def test_malformed_sweeps_are_listed_as_invalid_with_the_reason_and_the_others_still_show(tmp_path):
    _write(tmp_path / "a-sweep-1", "{not json")
    _write(tmp_path / "b-sweep-1", [1, 2])
    _write(tmp_path / "c-sweep-1", {"trials": "all of them"})
    _write(tmp_path / "d-sweep-1", {"status": "finished", "objective": "val_loss", "direction": "min", "keys": ["x"],
                                    "max_trials": 2, "started": 5.0,
                                    "trials": {"0": {"status": "finished", "score": 0.5, "values": {"x": 1}},
                                               "1": {"status": "finished", "score": 0.2, "values": {"x": 2}}}})
    (tmp_path / "e-sweep-1").mkdir()
    os.symlink("/dev/zero", tmp_path / "e-sweep-1" / "sweep.json")
    sweeps = {s.name: s for s in list_sweeps(tmp_path)}
    assert sweeps["a-sweep-1"].status == "invalid" and "cannot be read" in sweeps["a-sweep-1"].error
    assert sweeps["b-sweep-1"].error == sweeps["c-sweep-1"].error == "sweep.json is not a sweep's record"
    assert "not a regular file" in sweeps["e-sweep-1"].error
    good = sweeps["d-sweep-1"]
    assert good.status == "finished" and [t.trial_id for t in good.trials] == ["1", "0"]  # lower val_loss first
    assert good.best.score == 0.2


def test_a_run_name_that_leaves_the_sweep_directory_is_not_followed(tmp_path):
    _write(tmp_path / "s", {"status": "finished", "trials": {
        "0": {"run": "../../etc", "status": "finished", "score": 1.0},
        "1": {"run": "/etc", "status": "finished", "score": 0.5},
        "2": {"run": "trial-2-x", "status": "finished", "score": float("nan")}}})
    info = SweepInfo.from_dir(tmp_path / "s")
    assert [t.run_dir for t in info.trials[:2]] == [None, None]
    assert info.trials[2].score is None  # NaN is no score


def test_an_active_sweep_whose_controller_is_gone_reads_as_interrupted():
    assert sweep_status({"status": "running", "pid": 2**30, "pid_started": 1.0}) == "interrupted"
    assert sweep_status({"status": "running", "pid": 1}) == "interrupted"  # a pid counts only with its start time
    assert sweep_status({"status": "finished", "pid": None}) == "finished"


def test_ranking_puts_scored_trials_first_by_direction_then_running_then_the_rest():
    trials = [Trial("0", None, {}, "failed", None), Trial("1", None, {}, "running", None),
              Trial("2", None, {}, "finished", 0.7), Trial("3", None, {}, "finished", 0.9)]
    assert [t.trial_id for t in rank(trials, "max")] == ["3", "2", "1", "0"]
    assert [t.trial_id for t in rank(trials, "min")] == ["2", "3", "1", "0"]
