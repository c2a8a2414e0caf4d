"""Faults around a run directory: two trainers for one run, a full disk at start, files removed under a live run."""

from __future__ import annotations

import errno
import json
import os

import pytest

from tests.trainer.helpers import Tail, spiral
from tuitrain.runs import lock
from tuitrain.trainer.spawn import start_run
from tuitrain.runs.events import EventWriter, read_events
from tuitrain.runs.rundir import read_run_json, update_run_json, write_run_json
from tuitrain.common.errors import TuitrainError


def test_a_second_trainer_for_a_locked_run_refuses_before_touching_it(tmp_path, capsys):
    from tuitrain.trainer.process import main

    write_run_json(tmp_path, {"status": "crashed", "name": "r"})
    held = lock.acquire(tmp_path)
    try:
        assert lock.is_locked(tmp_path)
        assert main([str(tmp_path)]) == 2
        assert "another trainer is running this run" in capsys.readouterr().err
        assert read_run_json(tmp_path) == {"status": "crashed", "name": "r"}
        with pytest.raises(lock.RunLocked):
            start_run(spiral(), resume=tmp_path)
    finally:
        os.close(held)
    assert not lock.is_locked(tmp_path)


def test_full_disk_before_start_names_the_file_and_leaves_no_empty_run(tmp_path, monkeypatch):
    import tuitrain.common.fsutil

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tuitrain.common.fsutil.os, "fsync", full)
    with pytest.raises(TuitrainError) as err:
        start_run(spiral(), runs_dir=tmp_path / "runs")
    assert "preset.toml: cannot start the run: No space left on device" in str(err.value)
    assert str(tmp_path / "runs") in str(err.value)
    assert list((tmp_path / "runs").iterdir()) == []


def test_runs_dir_that_cannot_be_created_is_named(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(TuitrainError, match="cannot create the run directory"):
        start_run(spiral(), runs_dir=tmp_path / "file" / "runs")


def test_removed_run_json_is_rewritten_with_a_warning(tmp_path, capsys):
    update_run_json(tmp_path, name="keep-me", started=12.0, status="running")
    (tmp_path / "run.json").unlink()
    info = update_run_json(tmp_path, epochs_done=3)
    assert (info["name"], info["started"], info["epochs_done"]) == ("keep-me", 12.0, 3)
    assert read_run_json(tmp_path)["warnings"][0].startswith("run.json was removed while the run was live")
    assert "run.json was removed" in capsys.readouterr().err


def test_removed_events_file_is_recreated_with_its_aliases_and_a_note(tmp_path):
    path = tmp_path / "events.jsonl"
    writer = EventWriter(path)
    writer.batch(1, 1, {"loss": 0.5}, 10.0)
    writer.flush()
    path.unlink()
    writer.batch(2, 1, {"loss": 0.25}, 10.0)
    writer.close()
    events = read_events(path)
    assert events[0]["kind"] == "log" and "removed while the run was live" in events[0]["message"]
    assert events[1]["kind"] == "batch" and events[1]["loss"] == 0.25 and events[1]["step"] == 2


def test_two_resumes_at_once_start_one_trainer_and_a_live_run_survives_removals(tmp_path, reap):
    run_dir = reap(start_run(spiral("data.samples=200", "fit.epochs=100000", "fit.checkpoint_every=0"), runs_dir=tmp_path))
    tail = Tail(run_dir)
    tail.wait(lambda t: len(t.kinds("epoch")) >= 1, "a first epoch")
    # The run looks resumable (as a crashed one would), but its trainer still holds the lock.
    info = read_run_json(run_dir)
    with pytest.raises(lock.RunLocked):
        start_run(spiral(), resume=run_dir)
    assert read_run_json(run_dir)["pid"] == info["pid"]

    (run_dir / "events.jsonl").unlink()
    (run_dir / "run.json").unlink()
    tail = Tail(run_dir)
    tail.wait(lambda t: len(t.kinds("epoch")) >= 2 and (run_dir / "run.json").exists(), "events and run.json again")
    rewritten = read_run_json(run_dir)
    assert rewritten["name"] == run_dir.name and rewritten["started"] == info["started"]
    assert any("run.json was removed" in w for w in rewritten["warnings"])
    assert any("events.jsonl was removed" in e.get("message", "") for e in tail.kinds("log"))
    from tuitrain.runs.control import request_control

    request_control(run_dir, "stop_batch")
    assert tail.wait_status("stopped", "failed", "crashed") == "stopped"
    # The trainer writes "stopped" before its process ends and lets the lock go: wait for that.
    tail.wait(lambda t: not lock.is_locked(run_dir), "the trainer to exit and release the run lock")
    assert json.loads((run_dir / "run.json").read_text())["name"] == run_dir.name


def test_a_resume_waits_for_a_trainer_that_has_ended_to_let_go(tmp_path):
    """Its last status is written before the process ends: a resume right after "stopped" must not be
    refused as if another trainer were running, but a live trainer's run still is, at once."""
    import threading

    write_run_json(tmp_path, {"status": "stopped", "name": "r"})
    held = lock.acquire(tmp_path)  # the exiting trainer
    threading.Timer(0.5, os.close, (held,)).start()
    fd = lock.acquire_after_exit(tmp_path, lambda: read_run_json(tmp_path)["status"] == "stopped")
    os.close(fd)

    write_run_json(tmp_path, {"status": "running", "name": "r"})
    held = lock.acquire(tmp_path)
    try:
        with pytest.raises(lock.RunLocked, match="another trainer is running this run"):
            start_run(spiral(), resume=tmp_path)
    finally:
        os.close(held)
