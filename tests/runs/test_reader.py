"""The run-directory reader and the event encoding, without a trainer process (fast)."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import pytest

from tuitrain.runs.reader import RunReader

from tuitrain.runs.listing import default_runs_dir, list_runs, newest_run

from tuitrain.runs.control import request_control
from tuitrain.runs.control import ControlInbox
from tuitrain.runs.events import EventDecoder, EventWriter, read_events
from tuitrain.runs.rundir import RunInfo, process_start_time, update_run_json, write_run_json
from tuitrain.common.errors import TuitrainError


def _append(path, data: bytes) -> None:
    with open(path, "ab") as fh:
        fh.write(data)


def test_reader_returns_only_new_events_and_keeps_a_torn_line(tmp_path):
    events = tmp_path / "events.jsonl"
    reader = RunReader(tmp_path)
    assert reader.poll() == []  # no file yet

    _append(events, b'{"k":"m","0":"loss","1":"accuracy"}\n{"s":1,"e":1,"t":0.5,"r":900,"0":0.69,"1":0.5}\n')
    first = reader.poll()
    assert first == [{"kind": "batch", "step": 1, "epoch": 1, "time": 0.5, "samples_per_s": 900, "loss": 0.69, "accuracy": 0.5}]
    assert reader.poll() == []

    # Half a line: nothing yet; the rest arrives: exactly one event, parsed whole.
    _append(events, b'{"s":2,"e":1,"t":0.6,"r":9')
    assert reader.poll() == []
    offset = reader.offset
    _append(events, b'10,"0":0.68,"1":0.55}\n{"k":"e","s":2,"e":1,"t":0.7,"r":905,"n":3,"p":2,"loss":0.68,"val_loss":0.7}\n')
    got = reader.poll()
    assert [e["kind"] for e in got] == ["batch", "epoch"]
    assert got[0]["samples_per_s"] == 910 and got[0]["accuracy"] == 0.55
    assert got[1] == {"kind": "epoch", "step": 2, "epoch": 1, "time": 0.7, "samples_per_s": 905, "epochs": 3, "steps": 2, "loss": 0.68, "val_loss": 0.7}
    # Only the bytes after the previous offset were read.
    assert reader.offset == events.stat().st_size > offset


def test_reader_skips_a_corrupt_line_and_starts_over_on_a_replaced_file(tmp_path):
    events = tmp_path / "events.jsonl"
    events.write_bytes(b'{"k":"s","s":0,"e":0,"t":0.0,"status":"running"}\n{"s":1,"e":1,"t\n{"k":"l","s":0,"e":0,"t":0.1,"message":"hi"}\n')
    reader = RunReader(tmp_path)
    assert [e["kind"] for e in reader.poll()] == ["status", "log"]
    events.write_bytes(b'{"k":"s","s":0,"e":0,"t":0.0,"status":"finished"}\n')  # smaller: truncated/replaced
    assert [e["status"] for e in reader.poll()] == ["finished"]


def test_writer_rows_are_compact_buffered_and_round_trip(tmp_path):
    path = tmp_path / "events.jsonl"
    writer = EventWriter(path, flush_interval=3600)
    writer.status("running", epochs=3, steps_per_epoch=2)  # status rows flush at once
    flushes = writer.flushes
    for step in range(1, 101):
        writer.batch(step, 1 + step // 50, {"loss": 0.693147 / step, "accuracy": 0.5 + step / 1000}, samples_per_s=12345.6)
    assert writer.flushes == flushes  # batch rows wait for the interval
    writer.epoch(100, 2, {"loss": 0.01, "val_loss": float("nan"), "lr": 0.001}, samples_per_s=12000, epochs=3, steps=50)
    writer.close()
    assert writer.flushes == flushes + 1
    assert writer.stats()["bytes_per_batch_row"] <= 64
    rows = read_events(path)
    assert [r["kind"] for r in rows] == ["status"] + ["batch"] * 100 + ["epoch"]
    assert rows[0]["epochs"] == 3 and rows[0]["steps_per_epoch"] == 2
    assert rows[1]["loss"] == pytest.approx(0.693147, rel=1e-4) and rows[1]["samples_per_s"] == 12345
    assert math.isnan(rows[-1]["val_loss"]) and rows[-1]["lr"] == 0.001


def test_metric_names_that_look_like_short_keys_survive(tmp_path):
    path = tmp_path / "events.jsonl"
    writer = EventWriter(path)
    writer.batch(1, 1, {"e": 2.5, "0": 1.0, "loss": 0.5}, samples_per_s=10)
    writer.epoch(1, 1, {"e": 2.0, "k": 3.0, "loss": 0.4}, samples_per_s=10, epochs=1, steps=1)
    writer.close()
    batch, epoch = read_events(path)
    assert (batch["epoch"], batch["e"], batch["0"], batch["loss"]) == (1, 2.5, 1.0, 0.5)
    assert (epoch["kind"], epoch["epoch"], epoch["e"], epoch["k"], epoch["loss"]) == ("epoch", 1, 2.0, 3.0, 0.4)


def test_writer_starts_on_a_fresh_line_after_a_torn_write(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_bytes(b'{"k":"s","s":0,"e":0,"t":0,"status":"running"}\n{"s":3,"e":1,"t":0.')  # killed mid-write
    writer = EventWriter(path)
    writer.status("running", message="resumed")
    writer.close()
    assert [r.get("message") for r in read_events(path)] == [None, "resumed"]


def test_decoder_passes_long_key_rows_through():
    assert EventDecoder().decode_line('{"kind":"log","step":1,"epoch":0,"time":0,"message":"x"}')["message"] == "x"


def test_control_requests_are_read_once_in_order(tmp_path):
    inbox = ControlInbox(tmp_path, interval=0)
    assert inbox.poll() == []
    request_control(tmp_path, "pause")
    request_control(tmp_path, "resume")
    assert inbox.poll() == ["pause", "resume"]
    assert inbox.poll() == []
    request_control(tmp_path, "stop_epoch")
    assert ControlInbox(tmp_path).poll(force=True) == []  # a new trainer (resume) skips old requests
    assert inbox.poll() == ["stop_epoch"]
    with pytest.raises(TuitrainError, match="unknown control action 'halt'"):
        request_control(tmp_path, "halt")


def _run_json(path, **fields):
    path.mkdir(parents=True)
    base = {"name": path.name, "preset_name": "spiral_mlp", "status": "finished", "started": 100.0, "ended": 160.0,
            "pid": None, "epochs_total": 5, "epochs_done": 5, "best": {"val_accuracy": 0.93, "val_loss": 0.2},
            "monitor": "val_loss"}
    base.update(fields)
    write_run_json(path, base)


def test_running_status_with_a_dead_pid_reads_as_crashed(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    _run_json(tmp_path / "a", status="running", pid=proc.pid, ended=None)
    assert RunReader(tmp_path / "a").status()["status"] == "crashed"
    # Our own pid is alive, but a different start time means a reused pid: crashed as well.
    _run_json(tmp_path / "b", status="running", pid=os.getpid(), pid_started=process_start_time(os.getpid()), ended=None)
    assert RunReader(tmp_path / "b").status()["status"] == "running"
    _run_json(tmp_path / "c", status="running", pid=os.getpid(), pid_started=1.0, ended=None)
    assert RunInfo.from_dir(tmp_path / "c").status == "crashed"


def test_crashed_run_ends_at_its_last_run_json_update(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    _run_json(tmp_path / "a", status="starting", started=100.0, ended=None)
    info = update_run_json(tmp_path / "a", status="running", pid=proc.pid)  # then the trainer died
    run = RunInfo.from_dir(tmp_path / "a")
    assert run.status == "crashed"
    assert run.ended == info["updated"] and run.duration_s == info["updated"] - 100.0


def test_list_runs_newest_first_with_best_metric(tmp_path, monkeypatch):
    _run_json(tmp_path / "old", started=100.0)
    _run_json(tmp_path / "new", started=200.0, ended=230.0, status="stopped", epochs_done=2)
    (tmp_path / "not-a-run").mkdir()
    runs = list_runs(tmp_path)
    assert [r.name for r in runs] == ["new", "old"]
    assert runs[0].status == "stopped" and runs[0].duration_s == 30.0 and runs[0].epochs_done == 2
    assert runs[0].best_monitor == ("val_loss", 0.2)
    assert newest_run(tmp_path) == tmp_path / "new"
    monkeypatch.setenv("TUITRAIN_RUNS", str(tmp_path))
    assert default_runs_dir() == tmp_path and default_runs_dir("x") == type(tmp_path)("x")
    monkeypatch.delenv("TUITRAIN_RUNS")
    assert str(default_runs_dir()) == "runs"
    assert newest_run(tmp_path / "missing") is None
