"""What a path is, told before the app's first frame: without numpy or the run readers."""

from __future__ import annotations

import subprocess
import sys

from tuitrain.runs.kinds import is_run, is_tensorboard_dir


def test_a_run_a_log_folder_and_a_plain_folder_are_told_apart(tmp_path):
    run, logs, plain = tmp_path / "run", tmp_path / "logs", tmp_path / "plain"
    for folder in (run, logs / "train", plain):
        folder.mkdir(parents=True)
    (run / "run.json").write_text("{}")
    (logs / "train" / "events.out.tfevents.1.host").write_bytes(b"")
    (plain / "notes.txt").write_text("x")
    assert is_run(run) and not is_tensorboard_dir(run)
    assert is_run(logs) and is_tensorboard_dir(logs)
    assert not is_run(plain) and not is_run(tmp_path / "missing")


def test_the_command_lines_path_checks_import_no_numpy():
    code = ("import sys; from tuitrain.cli.main import check_app_target; check_app_target('spiral_mlp'); "
            "print(sorted(m for m in ('numpy', 'tuitrain.runs.reader', 'crc32c') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
