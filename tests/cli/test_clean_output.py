"""What ``metrics``, ``diff`` and ``runs`` print from a hostile run (#22): no escape reaches the terminal, no
metric name becomes a spreadsheet formula, JSON is strict, and ``| head`` ends without a traceback."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.runs.hostile_tb import epoch_records, frame, scalar_event, write_log
from tuitrain.__main__ import main as cli_main
from tuitrain.common.safetext import csv_text, json_safe
from tuitrain.runs.rundir import write_run_json

ROOT = Path(__file__).resolve().parents[2]
PWN = "\x1b]0;PWNED\x07"
FORMULA = '=HYPERLINK("http://evil","x")'


def _hostile_run(root: Path, name: str = "run", lr: str = "0.01") -> Path:
    run = root / name
    run.mkdir(parents=True)
    write_run_json(run, {"status": "finished", "started": 1_700_000_000.0, "ended": 1_700_000_010.0, "epochs_done": 2})
    (run / "events.jsonl").write_text(
        json.dumps({"k": "e", "s": 1, "e": 1, "t": 1.0, "loss": 0.5, FORMULA: 1.0, f"acc{PWN}": float("nan")}) + "\n"
        + json.dumps({"k": "e", "s": 2, "e": 2, "t": 2.0, "loss": float("inf"), "@cmd": -0.25}) + "\n")
    (run / "preset.toml").write_text(f'name = "x"\n[compile]\noptimizer = {{ type = "Adam", learning_rate = {lr} }}\n'
                                     'loss = "mse\\u001b]0;PWNED\\u0007"\n')
    return run


def test_csv_text_neutralises_formulas_and_escapes():
    assert [csv_text(t) for t in ("=1+1", "+x", "-cmd", "@SUM(A1)", "loss", f"a{PWN}")] == \
        ["'=1+1", "'+x", "'-cmd", "'@SUM(A1)", "loss", "a\\x1b]0;PWNED\\x07"]
    assert json_safe({"a": [float("nan"), float("-inf"), 1.5], "b": (2, "x")}) == {"a": [None, None, 1.5], "b": [2, "x"]}


def test_metrics_csv_cells_are_text_not_formulas_or_escapes(tmp_path, capsys):
    run = _hostile_run(tmp_path)
    assert cli_main(["metrics", str(run), "--csv"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    header, first, second = list(csv.reader(io.StringIO(out)))
    assert header[:5] == ["run", "epoch", "step", "time", "loss"]
    assert "'" + FORMULA in header and "acc\\x1b]0;PWNED\\x07" in header and "'@cmd" in header
    assert first[4] == "0.5" and second[4] == "inf"
    assert second[header.index("'@cmd")] == "-0.25"  # a negative number stays a number


def test_metrics_json_is_strict_json_with_null_for_nan(tmp_path, capsys):
    run = _hostile_run(tmp_path)
    assert cli_main(["metrics", str(run), "--json"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "NaN" not in out and "Infinity" not in out
    rows = json.loads(out)["runs"][0]["rows"]
    assert rows[0][f"acc{PWN}"] is None and rows[1]["loss"] is None and rows[0][FORMULA] == 1.0


def test_diff_escapes_preset_keys_and_values(tmp_path, capsys):
    a, b = _hostile_run(tmp_path, "a"), _hostile_run(tmp_path, "b", lr="0.001")
    with open(b / "preset.toml", "a") as fh:
        fh.write('"key\\u001b[2J" = "v\\u001b]0;x\\u0007"\n')
    assert cli_main(["diff", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert " ".join(out.splitlines()[-1].split()) == "compile.key\\x1b[2J (none) → v\\x1b]0;x\\x07"
    assert "compile.optimizer.learning_rate" in out and "0.01 → 0.001" in out


def test_a_preset_toml_over_the_limit_is_a_reason_not_a_read(tmp_path, capsys):
    a, b = _hostile_run(tmp_path, "a"), _hostile_run(tmp_path, "b")
    with open(b / "preset.toml", "r+b") as fh:
        fh.truncate(3 * 2 ** 30)  # 3 GB, sparse: reading it whole was the bug
    assert cli_main(["diff", str(a), str(b)]) == 2
    assert "preset.toml: the preset is 3,221,225,472 bytes, over the 1,048,576-byte limit" in capsys.readouterr().err
    assert cli_main(["runs", "--runs-dir", str(tmp_path), "--columns", "compile.optimizer.learning_rate"]) == 0
    rows = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines()[1:]}
    assert rows["a"][4] == "0.01" and rows["b"][4] == "-"


def test_tensorboard_tags_are_escaped_in_every_output(tmp_path, capsys):
    write_log(tmp_path / "tb", *epoch_records(range(1, 3)), frame(scalar_event(f"epoch_x{PWN}", 0, 0.5)))
    for argv in (["metrics", str(tmp_path / "tb"), "--csv"], ["metrics", str(tmp_path / "tb"), "--json"]):
        assert cli_main(argv) == 0
        assert "\x1b" not in capsys.readouterr().out


@pytest.mark.parametrize("command", ["metrics", "runs"])
def test_output_piped_to_head_ends_without_a_traceback(tmp_path, command):
    """More output than a pipe holds (64 KiB), read by ``head -n 2``: the writer gets EPIPE mid-way."""
    if command == "metrics":
        run = tmp_path / "run"
        run.mkdir()
        (run / "run.json").write_text('{"status": "finished", "started": 1700000000.0}')
        (run / "events.jsonl").write_text("".join(f'{{"s":{s},"e":1,"t":{s / 10},"loss":0.5}}\n' for s in range(20_000)))
        argv = f"metrics {run} --batch --csv"
    else:
        for i in range(1000):
            (tmp_path / f"run-{i:04d}").mkdir()
            (tmp_path / f"run-{i:04d}" / "run.json").write_text(f'{{"status": "finished", "started": {1.7e9 + i}}}')
        argv = f"runs --runs-dir {tmp_path}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(["bash", "-c", f"{sys.executable} -m tuitrain {argv} | head -n 2"], capture_output=True,
                            text=True, env=env, timeout=120)
    assert len(result.stdout.splitlines()) == 2
    assert "Traceback" not in result.stderr and "Broken pipe" not in result.stderr, result.stderr
