"""Two real trainer processes on loopback train one model with MultiWorkerMirroredStrategy."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.conftest import wait_final
from tests.trainer.helpers import Tail, kill_trainer
from tests.tiny_preset import TINY
from tuitrain.trainer.distribute import worker_tf_config
from tuitrain.runs.lock import is_locked
from tuitrain.trainer.spawn import start_run
from tuitrain.runs.rundir import read_run_json
from tuitrain.runs.listing import list_runs
from tuitrain.preset import parse_preset

# The heartbeat timeout and two TensorFlow start-ups on a 2-core machine: allow a few minutes.
DEADLINE_S = 300.0


def free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def tiny(epochs: int = 2):
    text = TINY.replace("epochs = 1", f"epochs = {epochs}\nbatch_size = 20\nshuffle = false\nsystem_every = 0.5")
    return parse_preset(text)


def test_two_workers_on_loopback_write_one_run_directory(tmp_path: Path, reap) -> None:
    workers = [f"127.0.0.1:{p}" for p in free_ports(2)]
    runs = tmp_path / "runs"
    chief = reap(start_run(tiny(), runs_dir=runs, tf_config=worker_tf_config(workers, 0)))
    worker = reap(start_run(tiny(), runs_dir=runs, tf_config=worker_tf_config(workers, 1)))

    assert wait_final(chief) == "finished", (chief / "trainer.log").read_text()[-3000:]
    assert wait_final(worker) == "finished", (worker / "trainer.log").read_text()[-3000:]

    # One run directory for the user; the worker's own logs sit apart, under workers/.
    assert [r.path for r in list_runs(runs)] == [chief]
    assert worker.parent == runs / "workers" and (worker / "trainer.log").is_file()
    info = read_run_json(chief)
    assert info["strategy"] == "multi_worker" and info["replicas"] == 2
    assert info["workers"] == workers and info["workers_joined"] == 2 and info["role"] == "chief"
    assert read_run_json(worker)["role"] == "worker"
    assert info["epochs_done"] == 2 and (chief / "model.keras").is_file()
    # Both replicas saw the same global batches: the chief's and the worker's losses agree.
    chief_csv = (chief / "metrics.csv").read_text().splitlines()
    worker_csv = (worker / "metrics.csv").read_text().splitlines()
    assert chief_csv == worker_csv and len(chief_csv) == 3
    assert (chief / "system.jsonl").is_file() and (worker / "system.jsonl").is_file()


def test_a_lost_worker_fails_the_run_by_name_and_resume_continues(tmp_path: Path, reap) -> None:
    workers = [f"127.0.0.1:{p}" for p in free_ports(2)]
    runs = tmp_path / "runs"
    preset = tiny(epochs=8)
    chief = reap(start_run(preset, runs_dir=runs, tf_config=worker_tf_config(workers, 0)))
    worker = reap(start_run(preset, runs_dir=runs, tf_config=worker_tf_config(workers, 1)))
    tail = Tail(chief)
    tail.wait(lambda t: len(t.kinds("epoch")) >= 2, "two epochs on the chief", DEADLINE_S)
    kill_trainer(worker)

    assert tail.wait_status("finished", "failed", "crashed") == "failed"
    error = read_run_json(chief)["error"]
    assert f"worker 1 ({workers[1]}) was lost" in error and "--resume" in error
    assert (chief / "backup").is_dir() and (worker / "backup").is_dir()
    # The chief writes "failed" before its process has exited; a user's --resume before then is refused
    # ("another trainer is running this run"), so wait, as a user would, for both to let go of their run.
    tail.wait(lambda t: not is_locked(chief) and not is_locked(worker), "both trainers to exit", DEADLINE_S)

    # The same two commands with --resume: each machine continues from its own backup of the same epoch.
    chief = start_run(preset, resume=chief, tf_config=worker_tf_config(workers, 0))
    worker = start_run(preset, resume=worker, tf_config=worker_tf_config(workers, 1))
    assert wait_final(chief) == "finished", (chief / "trainer.log").read_text()[-3000:]
    assert wait_final(worker) == "finished"
    assert not (chief / "backup").exists()  # a finished run needs no backup
    info = read_run_json(chief)
    assert info["epochs_done"] == 8 and info["attempts"][0]["status"] == "failed"
    events = Tail(chief)
    events.wait(lambda t: True, "events")
    resumed = [e for e in events.kinds("status") if e["status"] == "running"][-1]
    assert resumed["initial_epoch"] >= 1  # continued from the backup, not from the start
    assert events.kinds("epoch")[-1]["epoch"] == 8


def test_a_stop_asked_on_the_chief_stops_every_worker_at_the_epoch_end(tmp_path: Path, reap) -> None:
    from tuitrain.runs.control import request_control

    workers = [f"127.0.0.1:{p}" for p in free_ports(2)]
    runs = tmp_path / "runs"
    chief = reap(start_run(tiny(epochs=200), runs_dir=runs, tf_config=worker_tf_config(workers, 0)))
    worker = reap(start_run(tiny(epochs=200), runs_dir=runs, tf_config=worker_tf_config(workers, 1)))
    tail = Tail(chief)
    tail.wait(lambda t: read_run_json(chief).get("workers_joined") == 2 and len(t.kinds("epoch")) >= 1,
              "the workers joined and an epoch", DEADLINE_S)
    request_control(chief, "stop_batch")
    assert tail.wait_status("finished", "stopped", "failed", "crashed") == "stopped", read_run_json(chief).get("error")
    assert wait_final(worker) == "finished"
    done = read_run_json(chief)["epochs_done"]
    assert 1 <= done < 200 and read_run_json(worker)["epochs_done"] == done
    assert not [e for e in tail.kinds("epoch") if e.get("partial")]  # held until the epoch's end, on both
