"""``tuitrain sweeps``, ``runs`` with sweeps, and ``sweep --stop/--pause`` on a sweep directory with fixed content."""

from __future__ import annotations

import json

import pytest

from tests.ui.snapshot_apps.sweep_fixture import write_sweep
from tuitrain.__main__ import main as cli_main


def test_sweeps_lists_each_sweep_with_its_best_trial(tmp_path, capsys):
    write_sweep(tmp_path)
    assert cli_main(["sweeps", "--runs-dir", str(tmp_path)]) == 0
    header, row = capsys.readouterr().out.splitlines()
    assert header.split()[:8] == ["NAME", "STATUS", "ALGORITHM", "DONE", "FAILED", "RUNNING", "BEST", "BEST"]
    assert row.split()[:8] == ["sweep_spiral-sweep-20261205-120000", "running", "random", "3/6", "1", "1",
                               "val_accuracy", "0.91"]
    assert "1 (layers.0.units=64, layers.1.rate=0, compile.optimizer.learning_rate=0.02)" in row


def test_sweeps_json_has_every_trial_ranked(tmp_path, capsys):
    write_sweep(tmp_path)
    assert cli_main(["sweeps", "--json", "--runs-dir", str(tmp_path)]) == 0
    [sweep] = json.loads(capsys.readouterr().out)
    assert [t["trial"] for t in sweep["trials"]] == ["1", "0", "4", "3", "2"]
    assert sweep["best"]["score"] == 0.91 and sweep["counts"] == {"finished": 3, "running": 1, "failed": 1}


def test_runs_groups_the_trials_under_their_sweep(tmp_path, capsys):
    write_sweep(tmp_path)
    assert cli_main(["runs", "--runs-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "sweep sweep_spiral-sweep-20261205-120000: running, random, best val_accuracy 0.91 (trial 1)"
    assert [line.split()[0] for line in out[3:]] == [f"trial-{i}-20261205-12000{i}" for i in "10432"]


@pytest.mark.parametrize("flag, action", [("--stop", "stop_batch"), ("--pause", "pause"), ("--unpause", "resume")])
def test_stop_and_pause_reach_the_sweeps_control_file(tmp_path, flag, action):
    sweep_dir = write_sweep(tmp_path)
    assert cli_main(["sweep", flag, str(sweep_dir)]) == 0
    assert [json.loads(line)["action"] for line in (sweep_dir / "control.jsonl").read_text().splitlines()] == [action]


def test_stop_on_a_folder_that_is_no_sweep_is_an_error(tmp_path, capsys):
    assert cli_main(["sweep", "--stop", str(tmp_path)]) == 2
    assert "not a sweep directory (no sweep.json)" in capsys.readouterr().err


def test_runs_json_groups_the_trials_under_their_sweep(tmp_path, capsys):
    write_sweep(tmp_path)
    assert cli_main(["runs", "--json", "--runs-dir", str(tmp_path)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["runs"] == []  # every run here is a trial: none is listed twice
    [sweep] = doc["sweeps"]
    assert sweep["name"] == "sweep_spiral-sweep-20261205-120000" and sweep["best"]["trial"] == "1"
    assert [(r["trial"], r["name"]) for r in sweep["runs"]] == [(i, f"trial-{i}-20261205-12000{i}") for i in "10432"]
    assert {r["status"] for r in sweep["runs"]} <= {"finished", "running", "failed", "crashed", "stopped"}
