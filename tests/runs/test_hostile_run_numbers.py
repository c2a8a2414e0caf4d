"""Copied run directories with numbers no trainer writes (#22): NaN, infinity, 400 digits, a time in the year 10^300,
a ``system.jsonl`` whose ``gpus`` is 5. Each run is listed with its reason; every other run still lists."""

from __future__ import annotations

import json

import pytest

from tuitrain.__main__ import main as cli_main
from tuitrain.runs.listing import list_runs
from tuitrain.runs.rundir import RunInfo
from tuitrain.trainer.system import SystemTail, peak_gpu_memory
from tuitrain.runs.layout import SYSTEM_FILE

GOOD = {"status": "finished", "started": 1_700_000_000.0, "ended": 1_700_000_100.0, "preset_name": "p",
        "epochs_done": 3, "epochs_total": 3, "best": {"val_loss": 0.25}, "monitor": "val_loss"}
BIG = "1" + "0" * 400  # a 400-digit integer: JSON has it, a float does not

# (what run.json says, raw JSON text merged into GOOD, the reason `runs` gives)
HOSTILE_RUN_JSON = [
    ('"best": {"val_loss": NaN}', "run.json: best is {'val_loss': nan}, expected metric names and finite numbers"),
    ('"best": {"val_loss": Infinity}', "run.json: best is {'val_loss': inf}, expected metric names and finite numbers"),
    (f'"best": {{"val_loss": {BIG}}}', "run.json: best is {'val_loss': 100000000000000000000000000…, "
                                        "expected metric names and finite numbers"),
    ('"started": 1e308', "run.json: started is 1e+308, expected a time in seconds since 1970"),
    ('"ended": -1e308', "run.json: ended is -1e+308, expected a time in seconds since 1970"),
    ('"updated": NaN', "run.json: updated is nan, expected a time in seconds since 1970"),
    (f'"epochs_done": {BIG}', "run.json: epochs_done is 1000000000000000000000000000000000000000…, expected a count of epochs"),
    ('"epochs_total": 1.5', "run.json: epochs_total is 1.5, expected a count of epochs"),
    ('"pid": true', "run.json: pid is True, expected a process id"),
    ('"system": 5', "run.json: system is 5, expected a table of system peaks"),
]


def _run(root, name: str, extra: str = "", *, system_jsonl: str | None = None):
    run = root / name
    run.mkdir(parents=True)
    text = json.dumps(GOOD)
    (run / "run.json").write_text(text[:-1] + (", " + extra if extra else "") + "}")
    if system_jsonl is not None:
        (run / SYSTEM_FILE).write_text(system_jsonl)
    return run


@pytest.mark.parametrize("extra, reason", HOSTILE_RUN_JSON)
def test_a_number_no_trainer_writes_makes_the_run_invalid_with_the_key_and_what_was_expected(tmp_path, extra, reason):
    info = RunInfo.from_dir(_run(tmp_path, "r", extra))
    assert (info.status, info.error) == ("invalid", reason)


def test_runs_lists_every_hostile_run_with_its_reason_and_the_good_one_as_usual(tmp_path, capsys):
    for i, (extra, _) in enumerate(HOSTILE_RUN_JSON):
        _run(tmp_path, f"bad-{i:02d}", extra)
    _run(tmp_path, "good", '"system": {"gpu_mem_peak": NaN, "cpu_peak": ' + BIG + "}",
         system_jsonl='{"t": 1, "gpus": 5}\n{"t": 2, "gpus": [{"index": "x", "mem": NaN, "util": "high"}]}\n')
    assert cli_main(["runs", "--runs-dir", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    good = next(line for line in lines if line.startswith("good"))
    assert good.split()[:5] == ["good", "finished", "3/3", "val_loss", "0.25"] and good.split()[6] == "-"  # no GPU peak
    for i, (_, reason) in enumerate(HOSTILE_RUN_JSON):
        row = next(line for line in lines if line.startswith(f"bad-{i:02d}"))
        assert row.split()[1] == "invalid" and reason in row


def test_runs_json_is_strict_json_even_for_hostile_runs(tmp_path, capsys):
    for i, (extra, _) in enumerate(HOSTILE_RUN_JSON):
        _run(tmp_path, f"bad-{i:02d}", extra)
    _run(tmp_path, "good", '"system": {"gpu_mem_peak": 8, "cpu_peak": NaN}')
    assert cli_main(["runs", "--runs-dir", str(tmp_path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out, parse_constant=lambda c: pytest.fail(f"{c} is not JSON"))
    assert len(doc["runs"]) == len(HOSTILE_RUN_JSON) + 1
    good = next(r for r in doc["runs"] if r["name"] == "good")
    assert good["system"] == {"gpu_mem_peak": 8} and good["best_monitor"] == {"metric": "val_loss", "value": 0.25}


def test_system_samples_keep_numbers_only_and_not_one_dict_per_line(tmp_path):
    lines = ['{"t": 1, "cpu": 50, "rss": 100, "ram": 10, "gpus": [{"index": 0, "util": 90, "mem": 2048}]}',
             '{"t": 2, "gpus": 5}', '{"t": NaN}', '[1, 2]', '{"t": 3, "cpu": "high", "rss": ' + BIG + ', "gpus": '
             '[{"index": 1e300, "util": NaN, "mem": 4096}, 7]}', "not json"]
    (tmp_path / SYSTEM_FILE).write_text("\n".join(lines) + "\n")
    tail = SystemTail(tmp_path)
    samples = tail.poll()
    assert [s["t"] for s in samples] == [1.0, 2.0, 3.0]
    assert samples[2] == {"t": 3.0, "cpu": None, "rss": None, "ram": None,
                          "gpus": [{"index": 0, "util": None, "mem": 4096, "mem_total": None}]}
    assert list(tail.cpu)[0] == 50 and len(tail.times) == 3 and tail.skipped == 3
    assert tail.gpu_mem_peak == 4096 and not hasattr(tail, "samples")
    assert peak_gpu_memory(tmp_path, {"system": {"gpu_mem_peak": float("nan")}}) == 4096


def test_list_runs_survives_a_system_jsonl_that_is_one_endless_line(tmp_path):
    run = _run(tmp_path, "r")
    (run / SYSTEM_FILE).write_bytes(b'{"t": 1, "x": "' + b"a" * (5 << 20))
    assert peak_gpu_memory(run, {}) is None
    assert [r.status for r in list_runs(tmp_path)] == ["finished"]
