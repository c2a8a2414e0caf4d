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


def test_a_stop_is_said_in_plain_words():
    from tuitrain.runs.record import stop_message

    assert stop_message(None, epoch=2, batches=7, steps=13) == "stopped after batch 7 of epoch 2"
    assert stop_message(None, epoch=2, batches=13, steps=13) == "stopped after epoch 2"
    assert stop_message(None, epoch=3, batches=0, steps=13) == "stopped after epoch 2"  # the next had not begun
    assert stop_message(None, epoch=0, batches=0, steps=13) == "stopped before the first batch"
    assert stop_message("SIGTERM received", epoch=1, batches=4, steps=5) == "SIGTERM received; stopped after batch 4 of epoch 1"


def test_a_partial_epoch_row_says_how_many_batches_it_trained():
    from tuitrain.runs.record import partial_batches

    assert partial_batches({"kind": "epoch", "epoch": 2, "step": 21, "steps": 13, "partial": True, "batches": 8}) == (8, 13)
    # rows written before the trainer wrote ``batches``: counted from the global step
    assert partial_batches({"kind": "epoch", "epoch": 2, "step": 20, "steps": 13, "partial": True}) == (7, 13)
    assert partial_batches({"kind": "epoch", "epoch": 2, "step": 26, "steps": 13}) is None
    assert partial_batches({"kind": "epoch", "epoch": 2, "partial": True, "steps": "x"}) is None  # damaged: no claim


def test_an_exception_is_recorded_with_where_the_users_code_raised_it():
    from tuitrain.runs.record import exception_text

    def users_callback():
        raise ValueError("boom at batch 5")

    try:
        users_callback()
    except ValueError as err:
        text = exception_text(err)
    line = users_callback.__code__.co_firstlineno + 1
    assert text == f"ValueError: boom at batch 5 (test_record.py:{line} in users_callback)"
    try:
        raise RuntimeError("x" * 5000)
    except RuntimeError as err:
        long = exception_text(err)
    assert len(long) <= 600 and long.endswith("in test_an_exception_is_recorded_with_where_the_users_code_raised_it)")


def test_a_stopped_and_a_failed_script_run_list_their_reason(tmp_path):
    from tuitrain.cli.train_commands import failure_reason

    stopped, killed = tmp_path / "stopped", tmp_path / "killed"
    for path in (stopped, killed):
        path.mkdir()
    write_run_json(stopped, new_record("stopped", "mine", status="running", now=100.0, source="script")
                   | outcome_fields("stopped", error=None, message="stopped after batch 7 of epoch 2", events=None))
    write_run_json(killed, new_record("killed", "mine", status="running", now=100.0, source="script")
                   | {"pid": 2**31 - 2, "pid_started": 1.0})
    assert failure_reason(RunInfo.from_dir(stopped)) == "stopped after batch 7 of epoch 2"
    info = RunInfo.from_dir(killed)
    assert info.status == "crashed" and "script's process ended without recording an error" in failure_reason(info)
