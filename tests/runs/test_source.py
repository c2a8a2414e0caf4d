"""runs/source.py: one answer to "which reader opens this path", for the app and every command."""

from __future__ import annotations

import pytest

from tuitrain.common.errors import TuitrainError
from tuitrain.runs.reader import RunReader
from tuitrain.runs.rundir import write_run_json
from tuitrain.runs.source import RunSource, check_run, is_run, open_run, run_info
from tuitrain.runs.tensorboard import TensorBoardReader


def test_a_run_directory_a_scripts_first_events_and_a_log_folder_each_get_their_reader(tmp_path):
    trainer, script, logs = tmp_path / "trainer", tmp_path / "script", tmp_path / "logs"
    for folder in (trainer, script, logs / "train"):
        folder.mkdir(parents=True)
    write_run_json(trainer, {"status": "finished", "name": "trainer"})
    (script / "events.jsonl").write_text('{"k":"s","status":"running"}\n')
    (logs / "train" / "events.out.tfevents.1.host").write_bytes(b"")
    assert isinstance(open_run(trainer), RunReader) and isinstance(open_run(script), RunReader)
    assert isinstance(open_run(logs), TensorBoardReader) and open_run(logs, settle_s=0.0).settle_s == 0.0
    assert all(is_run(p) for p in (trainer, script, logs))
    assert run_info(trainer).status == "finished"


def test_a_dangling_run_json_is_a_run_whose_record_cannot_be_read(tmp_path):
    (tmp_path / "run.json").symlink_to(tmp_path / "gone.json")
    assert isinstance(open_run(tmp_path), RunReader)
    info = run_info(tmp_path)
    assert info.status == "invalid" and "run.json" in (info.error or "")


def test_a_folder_that_is_no_run_is_refused_with_what_a_run_holds(tmp_path):
    with pytest.raises(TuitrainError, match="neither a run directory \\(no run.json\\) nor a TensorBoard log folder"):
        check_run(tmp_path)
    with pytest.raises(TuitrainError, match="no such run directory"):
        check_run(tmp_path / "missing")


@pytest.mark.parametrize("reader", [RunReader, TensorBoardReader])
def test_both_readers_offer_what_a_run_source_promises(reader):
    promised = {name for name in vars(RunSource) if not name.startswith("_")} | {"run_dir"}
    assert promised == {"poll", "status", "log_tail", "run_info", "run_dir"}
    assert all(callable(getattr(reader, name)) for name in promised - {"run_dir"})
