"""Real sweeps: the CLI starts the controller, which starts real trainer processes (tiny spiral trials)."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tuitrain.runs.rundir import read_run_json
from tuitrain.sweep.sweepdir import SweepInfo, load_sweep_json

DEADLINE_S = 400.0  # 4 trainer processes on 2 loaded cores, each importing TensorFlow


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tuitrain", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=DEADLINE_S)


def _wait(sweep_dir: Path, predicate, what: str) -> SweepInfo:
    end = time.monotonic() + DEADLINE_S
    while True:
        info = SweepInfo.from_dir(sweep_dir)
        if predicate(info):
            return info
        if time.monotonic() > end:
            log = (sweep_dir / "controller.log").read_text()[-3000:]
            raise AssertionError(f"gave up waiting for {what}: {info.status} {info.trials}\n{log}")
        time.sleep(0.2)


def _start(tmp_path: Path, *extra: str) -> Path:
    out = _cli("sweep", "sweep_spiral", "--runs-dir", str(tmp_path / "runs"), "--detach", "--set", "fit.epochs=3",
               *extra, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    return Path(out.stdout.strip().splitlines()[-1])


def _best_in_metrics_csv(run_dir: Path) -> float:
    with open(run_dir / "metrics.csv", newline="") as fh:
        return max(float(row["val_accuracy"]) for row in csv.DictReader(fh))


def test_a_real_sweep_of_four_trials_two_at_once(tmp_path):
    start = time.monotonic()
    sweep_dir = _start(tmp_path)
    info = _wait(sweep_dir, lambda i: i.status == "finished", "the sweep to finish")
    wall = time.monotonic() - start
    assert [t.status for t in info.trials] == ["finished"] * 4
    slots = {json.loads((t.run_dir / "run.json").read_text())["sweep"]["trial"] for t in info.trials}
    assert slots == {t.trial_id for t in info.trials}
    starts = sorted(float(read_run_json(t.run_dir)["started"]) for t in info.trials)
    assert starts[1] - starts[0] < 5  # two at once (parallel = 2): the second did not wait for the first
    # The ranking is what each trial's own metrics say (Keras' CSV of its epochs).
    own = [_best_in_metrics_csv(t.run_dir) for t in info.trials]
    assert [t.score for t in info.trials] == pytest.approx(own, abs=1e-6)  # events.jsonl keeps 7 digits
    assert own == sorted(own, reverse=True)
    listed = json.loads(_cli("sweeps", "--json", "--runs-dir", str(tmp_path / "runs"), cwd=tmp_path).stdout)
    assert listed[0]["best"]["score"] == info.trials[0].score and listed[0]["counts"] == {"finished": 4}
    runs = _cli("runs", "--runs-dir", str(tmp_path / "runs"), cwd=tmp_path).stdout
    assert f"sweep {sweep_dir.name}" in runs and runs.count("  trial-") == 4
    print(f"\n4-trial sweep, parallel 2, wall {wall:.1f} s")


def test_kill_9_of_the_controller_then_resume_runs_exactly_max_trials(tmp_path):
    sweep_dir = _start(tmp_path)
    _wait(sweep_dir, lambda i: any(t.status == "running" and t.run_dir for t in i.trials), "a running trial")
    data, _ = load_sweep_json(sweep_dir)
    os.kill(data["pid"], signal.SIGKILL)
    info = _wait(sweep_dir, lambda i: i.status == "interrupted", "the sweep to show its controller is gone")
    running_before = {t.trial_id: t.run_dir for t in info.trials if t.run_dir}
    out = _cli("sweep", "--resume", str(sweep_dir), "--detach", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    info = _wait(sweep_dir, lambda i: i.status == "finished", "the resumed sweep to finish")
    assert len(info.trials) == 4 and [t.status for t in info.trials] == ["finished"] * 4
    assert len({t.trial_id for t in info.trials}) == 4
    runs = [p for p in sweep_dir.iterdir() if (p / "run.json").exists()]
    assert len(runs) == 4  # adopted trials were not started again
    for trial in info.trials:  # a trial that ran through the kill kept its run directory
        if trial.trial_id in running_before:
            assert trial.run_dir == running_before[trial.trial_id]
