"""runs/record.py: run.json as the launcher, the trainer and LiveRun write it."""

from __future__ import annotations

import os

from tuitrain.runs.record import new_record, outcome_fields, process_fields, resumed_record
from tuitrain.runs.rundir import RunInfo, run_json_problem, write_run_json


def test_a_new_record_is_a_valid_starting_run_with_where_it_runs(tmp_path):
    info = new_record("spiral-1", "spiral_mlp", status="starting", now=100.0, epochs_total=5, trusted=False)
    assert {k: info[k] for k in ("name", "preset_name", "status", "created", "started", "epochs_done", "epochs_total",
                                 "best", "error", "trusted")} == {
        "name": "spiral-1", "preset_name": "spiral_mlp", "status": "starting", "created": 100.0, "started": 100.0,
        "epochs_done": 0, "epochs_total": 5, "best": {}, "error": None, "trusted": False}
    assert info["host"] and info["versions"]["python"] and run_json_problem(info) is None
    write_run_json(tmp_path, info)
    row = RunInfo.from_dir(tmp_path)
    assert row.valid and (row.preset_name, row.epochs_total, row.started) == ("spiral_mlp", 5, 100.0)


def test_a_resumed_record_keeps_the_last_attempt_and_clears_the_outcome():
    ended = new_record("r", "p", status="failed", now=1.0) | {"ended": 9.0, "epochs_done": 3, "error": "boom"}
    info = resumed_record(ended, now=20.0)
    assert (info["status"], info["error"], info["ended"], info["created"], info["started"]) == ("starting", None, None, 20.0, 1.0)
    assert info["resumed"] is True and info["epochs_done"] == 3
    assert info["attempts"] == [{"started": 1.0, "ended": 9.0, "epochs_done": 3, "error": "boom", "status": "failed"}]
    again = resumed_record(info | {"status": "stopped", "ended": 30.0}, now=40.0)
    assert [a["status"] for a in again["attempts"]] == ["failed", "stopped"]


def test_the_owning_process_and_the_outcome():
    assert process_fields()["pid"] == os.getpid() and process_fields()["pid_started"] is not None
    done = outcome_fields("stopped", error=None, message="stop_epoch requested", events={"rows": 4}, samples_trained=80)
    assert (done["status"], done["message"], done["events"], done["samples_trained"]) == ("stopped", "stop_epoch requested", {"rows": 4}, 80)
    assert done["ended"] > 0 and done["error"] is None
