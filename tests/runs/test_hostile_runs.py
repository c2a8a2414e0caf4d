"""Crafted or damaged run directories: every reader lists them with a reason and keeps working."""

from __future__ import annotations

import json
import math
import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzzing import examples

from tuitrain.__main__ import main as cli_main
from tuitrain.runs.reader import RunReader
from tuitrain.runs.listing import list_runs, newest_run
from tuitrain.cli.train_commands import runs_table
from tuitrain.runs.rundir import RunInfo, effective_status, process_start_time, write_run_json
from tuitrain.common.safetext import has_unsafe

GOOD = {"name": "good", "preset_name": "spiral", "status": "finished", "started": 1000.0, "ended": 1060.0,
        "epochs_done": 3, "epochs_total": 3, "best": {"loss": 0.25}, "monitor": "loss"}

# The malformed run.json files seen to break `tuitrain runs`, and the reason each is listed with.
MALFORMED = {
    "started-text": ('{"status": "finished", "started": "yesterday"}', "started is 'yesterday', expected a time"),
    "pid-negative": ('{"status": "running", "pid": -1, "pid_started": 5.0}', "pid is -1, expected a process id"),
    "pid-text": ('{"status": "running", "pid": "1"}', "pid is '1', expected a process id"),
    "pid-float": ('{"status": "running", "pid": 1.5}', "pid is 1.5, expected a process id"),
    "pid-huge": ('{"status": "running", "pid": 99999999999999999999}', "expected a process id"),
    "deep": ('{"a": ' + "[" * 100000 + "]" * 100000 + "}", "nested too deeply"),
    "list": ("[1, 2, 3]", "holds a list, not an object"),
    "not-json": ("{status: running", "not valid JSON"),
    "bad-utf8": (b'{"name": "\xff\xfe"}', "not valid JSON"),
    "empty": ("", "not valid JSON"),
    "epochs-text": ('{"status": "finished", "epochs_done": "three"}', "epochs_done is 'three'"),
    "epochs-negative": ('{"status": "finished", "epochs_done": -4}', "epochs_done is -4"),
    "best-list": ('{"status": "finished", "best": [1, 2]}', "best is [1, 2]"),
    "best-text": ('{"status": "finished", "best": {"loss": "low"}}', "best is {'loss': 'low'}"),
    "status-number": ('{"status": 7}', "status is 7"),
    "ended-nan": ('{"status": "finished", "started": 1.0, "ended": NaN}', "ended is nan"),
    "name-object": ('{"status": "finished", "name": {"x": 1}}', "name is {'x': 1}"),
}


def make_run(root, name, content):
    path = root / name
    path.mkdir(parents=True)
    data = content if isinstance(content, bytes) else content.encode()
    (path / "run.json").write_bytes(data)
    return path


@pytest.fixture(scope="module")
def hostile_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    good = root / "good"
    good.mkdir()
    write_run_json(good, GOOD)
    for name, (content, _reason) in MALFORMED.items():
        make_run(root, name, content)
    (root / "huge").mkdir()
    with open(root / "huge" / "run.json", "wb") as fh:
        fh.truncate(64 * 1024 * 1024)  # sparse: 64 MB of NULs
    (root / "zero").mkdir()
    os.symlink("/dev/zero", root / "zero" / "run.json")
    (root / "dangling").mkdir()
    os.symlink(root / "nowhere", root / "dangling" / "run.json")
    return root


def test_each_malformed_run_is_listed_invalid_with_its_reason(hostile_root):
    runs = {r.name: r for r in list_runs(hostile_root)}
    assert runs["good"].valid and runs["good"].epochs_done == 3
    for name, (_content, reason) in MALFORMED.items():
        assert runs[name].status == "invalid", name
        assert reason in runs[name].error, (name, runs[name].error)
    assert "over the 4,194,304-byte limit" in runs["huge"].error
    assert runs["zero"].error == "run.json is not a regular file"
    assert runs["dangling"].error == "no run.json"


def test_runs_command_shows_good_and_bad_runs_in_one_table(hostile_root, capsys):
    assert cli_main(["runs", "--runs-dir", str(hostile_root)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 + len(MALFORMED) + 4
    good = next(line for line in lines if line.startswith("good "))
    assert "finished" in good and "3/3" in good and "loss 0.25" in good and "1:00" in good
    started = next(line for line in lines if line.startswith("started-text "))
    assert "invalid" in started and "run.json: started is 'yesterday', expected a time in seconds" in started


def test_attach_without_argument_skips_invalid_runs(hostile_root):
    assert newest_run(hostile_root) == hostile_root / "good"


def test_a_trainer_log_linked_to_dev_zero_is_a_reason_not_a_hang(tmp_path):
    write_run_json(tmp_path, GOOD)
    os.symlink("/dev/zero", tmp_path / "trainer.log")
    assert RunReader(tmp_path).log_tail(5) == ["(trainer.log cannot be read: not a regular file)"]
    os.unlink(tmp_path / "trainer.log")
    os.mkfifo(tmp_path / "trainer.log")  # a FIFO with no writer would block an ordinary open()
    assert "not a regular file" in RunReader(tmp_path).log_tail(5)[0]


def test_a_pid_is_trusted_only_with_its_start_time():
    me = os.getpid()
    mine = process_start_time(me)
    assert effective_status({"status": "running", "pid": me, "pid_started": mine}) == "running"
    assert effective_status({"status": "running", "pid": 1}) == "crashed"  # init runs forever
    assert effective_status({"status": "running", "pid": 1, "pid_started": 12.0}) == "crashed"
    assert effective_status({"status": "running", "pid": me, "pid_started": mine + 100}) == "crashed"
    assert effective_status({"status": "starting", "created": "soon"}) == "crashed"
    assert effective_status({"status": "starting", "created": time.time()}) == "starting"


def test_run_names_with_escapes_are_printed_escaped(tmp_path, capsys):
    hostile = tmp_path / "run\x1b]0;PWNED\x07\x1b[2J"
    hostile.mkdir()
    write_run_json(hostile, dict(GOOD, best={"loss\x1b[31m": 0.5}, monitor="loss\x1b[31m"))
    assert cli_main(["runs", "--runs-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "run\\x1b]0;PWNED\\x07\\x1b[2J" in out


JSON_LEAF = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
JSON = st.recursive(JSON_LEAF, lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4),
                    max_leaves=20)
FIELDS = st.sampled_from(["status", "name", "preset_name", "started", "ended", "created", "updated", "pid",
                          "pid_started", "epochs_done", "epochs_total", "best", "monitor", "error", "attempts"])
RUN_JSON = st.dictionaries(FIELDS, JSON | st.sampled_from(["running", "finished", "starting", "crashed"]), max_size=8) | JSON


@settings(max_examples=examples(300), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=RUN_JSON)
def test_fuzzed_run_json_never_breaks_the_readers(tmp_path, content):
    run = tmp_path / "fuzz"
    run.mkdir(exist_ok=True)
    (run / "run.json").write_text(json.dumps(content, allow_nan=True))
    info = RunInfo.from_dir(run)
    assert info.valid or info.error
    if info.valid:
        assert info.started is None or math.isfinite(info.started)
        assert isinstance(info.epochs_done, int)
    table = runs_table(list_runs(tmp_path))
    assert not has_unsafe(table.replace("\n", ""))
    RunReader(run).status()


def test_log_tail_lines_are_escaped_for_the_terminal(tmp_path):
    write_run_json(tmp_path, GOOD)
    (tmp_path / "trainer.log").write_text("ok\n\x1b[1mW0000\x1b[0m warn\nbad \x1b]0;PWNED\x07\n")
    assert RunReader(tmp_path).log_tail(5) == ["ok", "W0000 warn", "bad \\x1b]0;PWNED\\x07"]


def test_the_reader_reports_a_malformed_run_json_instead_of_passing_it_on(tmp_path):
    make_run(tmp_path, "r", '{"status": "running", "epochs_total": "x", "error": "e"}')
    assert RunReader(tmp_path / "r").status() == {"status": "invalid", "error": "run.json: epochs_total is 'x', expected a count of epochs"}
    assert RunReader(tmp_path / "missing").status() == {}
    write_run_json(tmp_path / "r", dict(GOOD, status="failed", error="Keras: \x1b[1mbad\x1b[0m \x1b]0;t\x07"))
    assert RunReader(tmp_path / "r").status()["error"] == "Keras: bad \\x1b]0;t\\x07"
    assert list_runs(tmp_path)[0].error == "Keras: bad \\x1b]0;t\\x07"


def test_system_peaks_keep_only_numbers(tmp_path):
    """``runs --json`` reports the peaks a run recorded (GPU memory on a GPU server); a hand-edited
    ``system`` table cannot slip text or NaN into it."""
    write_run_json(tmp_path, {"status": "finished", "system": {
        "gpu_mem_peak": 30064771072, "gpu_util_peak": 97, "gpu_util_mean": 88.5, "rss_peak": "lots",
        "cpu_peak": float("nan"), "samples": 40, "gpu_note": "\x1b[2J"}})
    assert RunInfo.from_dir(tmp_path).system == {"gpu_mem_peak": 30064771072, "gpu_util_peak": 97, "gpu_util_mean": 88.5}
    write_run_json(tmp_path, {"status": "finished", "system": ["not", "a", "table"]})
    assert RunInfo.from_dir(tmp_path).system == {}
