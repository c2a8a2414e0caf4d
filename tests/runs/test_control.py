"""Stop and pause requests reach a real trainer and are acknowledged in events.jsonl."""

from __future__ import annotations

import io
import json
import os
import signal
import time

from tests.trainer.helpers import Tail, spiral
from tuitrain.runs.control import request_control
from tuitrain.trainer.spawn import start_run
from tuitrain.cli.train_commands import follow_run
from tuitrain.runs.rundir import write_run_json, process_start_time

LONG = ("data.samples=400", "fit.epochs=100000")  # never ends by itself; `reap` kills it if a test fails


def test_pause_resume_and_stop_after_epoch_are_acknowledged(tmp_path, reap):
    run_dir = reap(start_run(spiral(*LONG), runs_dir=tmp_path))
    tail = Tail(run_dir)
    tail.wait(lambda t: t.kinds("batch"), "the first batch")
    request_control(run_dir, "pause")
    tail.wait(lambda t: "paused" in t.statuses(), "the pause acknowledged")
    assert tail.reader.status()["status"] == "paused"  # run.json says it too (`tuitrain runs`)
    request_control(run_dir, "resume")
    tail.wait(lambda t: t.statuses().count("running") >= 2, "the resume acknowledged")
    assert tail.reader.status()["status"] == "running"
    resumed = [e for e in tail.kinds("status") if e["status"] == "running"][-1]
    assert resumed["message"] == "resumed"
    request_control(run_dir, "stop_epoch")
    assert tail.wait_status("stopped", "failed", "finished", "crashed") == "stopped"

    assert tail.statuses()[-2:] == ["stopping", "stopped"]
    stopping = [e for e in tail.kinds("status") if e["status"] == "stopping"][0]
    assert stopping["request"] == "stop_epoch"
    epochs = tail.kinds("epoch")
    last = epochs[-1]
    assert "partial" not in last and last["epoch"] < 100000  # a whole epoch, then the stop
    assert last["epoch"] >= stopping["epoch"]
    assert max(b["step"] for b in tail.kinds("batch")) == last["step"] == last["epoch"] * last["steps"]
    info = tail.reader.status()
    assert info["epochs_done"] == last["epoch"] and (run_dir / "model.keras").is_file()


def test_ctrl_c_stops_after_the_batch_and_waits_for_the_trainer(tmp_path, reap):
    run_dir = reap(start_run(spiral(*LONG), runs_dir=tmp_path))
    interrupted = []

    def sleep(seconds: float) -> None:
        time.sleep(seconds)
        events = run_dir / "events.jsonl"
        if not interrupted and events.exists() and b'{"s":' in events.read_bytes():  # a batch row is out
            interrupted.append(True)
            raise KeyboardInterrupt

    out = io.StringIO()
    assert follow_run(run_dir, out, poll_s=0.05, sleep=sleep) == 130  # like any program stopped by Ctrl-C
    text = out.getvalue()
    assert "stopping after the current batch" in text
    assert "stopped after" in text.splitlines()[-1]
    tail = Tail(run_dir)
    assert tail.wait_status("stopped") == "stopped"
    stopping = [e for e in tail.kinds("status") if e["status"] == "stopping"]
    assert stopping[0]["request"] == "stop_batch"
    assert tail.kinds("epoch")[-1]["epoch"] < 100000


def test_sigterm_stops_the_trainer_cleanly(tmp_path, reap):
    run_dir = reap(start_run(spiral(*LONG), runs_dir=tmp_path))
    tail = Tail(run_dir)
    tail.wait(lambda t: t.kinds("batch"), "the first batch")
    os.kill(tail.reader.status()["pid"], signal.SIGTERM)
    assert tail.wait_status("stopped", "failed", "crashed", "finished") == "stopped"
    stopping = [e for e in tail.kinds("status") if e["status"] == "stopping"]
    assert stopping and stopping[0]["request"] == "signal" and "SIGTERM" in stopping[0]["message"]
    assert tail.reader.status()["message"].startswith("SIGTERM received; stopped after")
    assert (run_dir / "model.keras").is_file() and (run_dir / "checkpoints" / "last.keras").is_file()


def test_second_ctrl_c_leaves_the_trainer_running(tmp_path):
    # No trainer needed: a run.json that says running under a live pid (ours).
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    write_run_json(run_dir, {"status": "running", "pid": os.getpid(), "pid_started": process_start_time(os.getpid()),
                             "started": time.time()})
    calls = []

    def sleep(seconds: float) -> None:
        calls.append(seconds)
        raise KeyboardInterrupt

    out = io.StringIO()
    assert follow_run(run_dir, out, sleep=sleep) == 130
    assert "left the trainer running" in out.getvalue() and f"tuitrain attach {run_dir}" in out.getvalue()
    requests = [json.loads(line)["action"] for line in (run_dir / "control.jsonl").read_text().splitlines()]
    assert requests == ["stop_batch"]


def test_stop_sent_while_the_trainer_starts_up_is_honoured(tmp_path, reap):
    # The trainer is still importing TensorFlow: the request must not be skipped as an old one.
    run_dir = reap(start_run(spiral(*LONG), runs_dir=tmp_path))
    request_control(run_dir, "stop_batch")
    tail = Tail(run_dir)
    assert tail.wait_status("stopped", "failed", "crashed", "finished") == "stopped"
    info = tail.reader.status()
    assert info["epochs_done"] == 0 and not tail.kinds("epoch")
    assert info["message"] == "stop_batch requested before training started"
    stopping = [e for e in tail.kinds("status") if e["status"] == "stopping"]
    assert stopping and stopping[0]["request"] == "stop_batch"


def test_a_huge_control_file_is_read_in_bounded_steps_and_a_request_after_it_is_honoured(tmp_path):
    """#22: a copied run's control.jsonl of 1 MB without a newline is never held whole; requests still arrive."""
    from tuitrain.runs.control import MAX_READ, ControlInbox

    (tmp_path / "control.jsonl").write_bytes(b"x" * (1 << 20) + b"\n")
    inbox = ControlInbox(tmp_path, interval=0.0, skip_existing=False)
    request_control(tmp_path, "stop_epoch")
    seen = []
    for _ in range((1 << 20) // MAX_READ + 2):
        seen += inbox.poll(force=True)
        assert len(inbox._partial) <= 4096
    assert seen == ["stop_epoch"]
