"""Several machines on loopback: a chief serving KerasTuner's oracle over gRPC, two workers running trials."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sweep.test_sweep_e2e import DEADLINE_S, _wait
from tuitrain.common.errors import TuitrainError
from tuitrain.sweep.distributed import parse_address
from tuitrain.sweep.sweepdir import SweepInfo


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(tmp_path: Path, root: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tuitrain", "sweep", "sweep_spiral", "--detach", "--runs-dir",
                             str(tmp_path / root), "--set", "fit.epochs=2", *args],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _sweep_dir(proc: subprocess.Popen) -> Path:
    out, err = proc.communicate(timeout=DEADLINE_S)
    assert proc.returncode == 0, err
    return Path(out.strip().splitlines()[-1])


def test_a_chief_and_two_workers_on_loopback_run_max_trials_between_them(tmp_path):
    address = f"127.0.0.1:{_free_port()}"
    starts = [_start(tmp_path, "chief", "--chief", address),
              _start(tmp_path, "w1", "--worker", address, "--parallel", "1"),
              _start(tmp_path, "w2", "--worker", address, "--parallel", "1")]
    chief, *workers = [_sweep_dir(p) for p in starts]
    info = _wait(chief, lambda i: i.status == "finished", "the chief's sweep to finish")
    assert [t.status for t in info.trials] == ["finished"] * 4 and info.best is not None
    data = json.loads((chief / "sweep.json").read_text())
    ran_by = {t["worker"].rsplit("-slot", 1)[0] for t in data["trials"].values()}
    assert len(ran_by) == 2  # both workers took trials
    done = {}
    for worker in workers:
        mine = _wait(worker, lambda i: i.status == "finished", "a worker to finish")
        done.update({t.trial_id: t.score for t in mine.trials if t.status == "finished"})
        assert all(t.run_dir and (t.run_dir / "model.keras").is_file() for t in mine.trials)
    # the chief ranks what the workers measured (sent as float32 over gRPC)
    assert done == pytest.approx({t.trial_id: t.score for t in info.trials}, abs=1e-6)
    assert SweepInfo.from_dir(chief).trials[0].run_dir is None  # the runs live on the workers' disks


def test_a_bad_address_is_refused():
    assert parse_address("127.0.0.1:8470") == ("127.0.0.1", 8470)
    for bad in ("127.0.0.1", ":80", "host:0", "host:99999", "host:x"):
        with pytest.raises(TuitrainError, match="expected HOST:PORT"):
            parse_address(bad)
