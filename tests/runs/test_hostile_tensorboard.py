"""Hostile TensorBoard event files (#22): each damaged part is skipped with the file and offset, the rest is read."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.fuzzing import examples
from tests.runs.hostile_tb import TIB, epoch_records, frame, lying_header, scalar_event, write_log
from tuitrain.__main__ import main as cli_main
from tuitrain.runs import tfrecord
from tuitrain.runs.compare import read_all
from tuitrain.runs.tensorboard import TensorBoardReader, tensorboard_run_info

ROOT = Path(__file__).resolve().parents[2]


def _losses(logdir: Path) -> dict[int, float]:
    return {e["epoch"]: e["loss"] for e in read_all(logdir) if e["kind"] == "epoch"}


def _damage(logdir: Path) -> list[str]:
    reader = TensorBoardReader(logdir, settle_s=0.0)
    while reader.poll():
        pass
    return [str(d) for d in reader.damage]


def _flip(record: bytes, index: int) -> bytes:
    return record[:index] + bytes([record[index] ^ 0xFF]) + record[index + 1:]


def test_a_record_claiming_one_tib_is_refused_and_the_records_after_it_are_read(tmp_path):
    before, after = epoch_records(range(1, 4)), epoch_records(range(4, 6))
    path = write_log(tmp_path, *before, lying_header(TIB), b"\0" * 100, *after)
    assert _losses(tmp_path) == {e: pytest.approx(1 / (e + 1)) for e in range(1, 6)}
    offset = sum(map(len, before))
    assert _damage(tmp_path) == [f"{path.name}: offset {offset:,}: record claims 1.0 TiB, over the 32.0 MiB limit "
                                 "and runs past the end of the file; searching for the next record"]


def test_a_record_over_the_limit_that_is_really_there_is_skipped_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(tfrecord, "MAX_RECORD_BYTES", 1000)
    big = frame(scalar_event("epoch_loss", 3, 0.1, first=False) + b"\0" * 2000)
    path = write_log(tmp_path, *epoch_records(range(1, 3)), big, *epoch_records(range(5, 7)))
    assert sorted(_losses(tmp_path)) == [1, 2, 5, 6]
    assert _damage(tmp_path)[0].startswith(f"{path.name}: offset ")
    assert _damage(tmp_path)[0].endswith("record claims 2.0 KiB, over the 1000 bytes limit; skipped unread")


def test_a_bad_data_checksum_skips_that_record_only_and_says_where(tmp_path):
    records = epoch_records(range(1, 6))
    records[2] = _flip(records[2], 20)  # a byte of the event itself
    path = write_log(tmp_path, *records)
    assert sorted(_losses(tmp_path)) == [1, 2, 4, 5]
    offset = len(records[0]) + len(records[1])
    assert _damage(tmp_path) == [f"{path.name}: offset {offset:,}: record data checksum does not match "
                                 f"({len(records[2]) - 16:,} bytes skipped)"]


def test_a_damaged_length_is_not_believed_and_reading_goes_on_at_the_next_record(tmp_path):
    records = epoch_records(range(1, 6))
    records[1] = _flip(records[1], 6)  # the length's high bytes: it now claims petabytes, its checksum fails
    write_log(tmp_path, *records)
    assert sorted(_losses(tmp_path)) == [1, 3, 4, 5]
    assert "record header checksum does not match (damaged)" in _damage(tmp_path)[0]


def test_a_scalar_claiming_a_huge_shape_is_skipped_without_allocating(tmp_path):
    huge = frame(scalar_event("epoch_loss", 2, 0.1, first=False, shape=(2 ** 31, 2 ** 31)))
    before = epoch_records(range(1, 3))
    path = write_log(tmp_path, *before, huge, *epoch_records(range(4, 5)))
    assert sorted(_losses(tmp_path)) == [1, 2, 4]
    offset = sum(map(len, before))
    assert _damage(tmp_path) == [f"{path.name}: offset {offset:,}: tag 'epoch_loss': not a single number (shape or type); skipped"]


@pytest.mark.parametrize("record, reason", [
    (frame(b"\xff" * 40), "a record that is not a TensorBoard event was skipped"),
    (frame(scalar_event("epoch_loss", 2, 0.1, wall=float("nan"), first=False)), "wall time nan is not a time"),
    (frame(scalar_event("epoch_loss", 2, 0.1, wall=1e300, first=False)), "wall time 1e+300 is not a time"),
])
def test_a_record_that_means_nothing_is_skipped_with_a_reason(tmp_path, record, reason):
    write_log(tmp_path, *epoch_records(range(1, 3)), record, *epoch_records(range(4, 5)))
    assert sorted(_losses(tmp_path)) == [1, 2, 4]
    assert reason in _damage(tmp_path)[0]


def test_a_record_still_being_written_waits_and_is_read_once_complete(tmp_path):
    records = epoch_records(range(1, 4))
    path = write_log(tmp_path, records[0], records[1][:9])
    reader = TensorBoardReader(tmp_path, settle_s=0.0)
    assert [e["epoch"] for e in reader.poll()] == [1]
    with open(path, "ab") as fh:
        fh.write(records[1][9:] + records[2])
    assert [e["epoch"] for e in reader.poll()] == [2, 3]
    assert reader.damage == []


def test_the_runs_table_shows_a_damaged_folder_with_its_warning(tmp_path, capsys):
    write_log(tmp_path / "tb", *epoch_records(range(1, 3)), lying_header(TIB))
    info = tensorboard_run_info(tmp_path / "tb")
    assert info.epochs_done == 2 and "1 damaged part of the event files skipped" in info.error
    assert cli_main(["runs", "--runs-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    row = out.splitlines()[1].split()
    assert row[:5] == ["tb", "running", "2", "loss", "0.3333"]  # running: its file changed just now
    assert "1 damaged part of the event files skipped (events.out.tfevents.1.host: offset 121: record claims" in out


def test_runs_and_metrics_survive_a_one_tib_record_in_their_own_process(tmp_path):
    """The crash was a SIGSEGV in TensorFlow's reader: run the real command lines, not just the functions."""
    write_log(tmp_path / "tb", *epoch_records(range(1, 4)), lying_header(TIB), *epoch_records(range(4, 5)))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = subprocess.run([sys.executable, "-m", "tuitrain", "runs", "--runs-dir", str(tmp_path)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert runs.returncode == 0, runs.stderr
    assert runs.stdout.splitlines()[1].split()[:5] == ["tb", "running", "4", "loss", "0.2"]
    assert "offset 176: record claims" in runs.stdout
    metrics = subprocess.run([sys.executable, "-m", "tuitrain", "metrics", str(tmp_path / "tb"), "--csv"],
                             capture_output=True, text=True, env=env, timeout=120)
    assert metrics.returncode == 0, metrics.stderr
    assert [line.split(",")[1] for line in metrics.stdout.splitlines()[1:]] == ["1", "2", "3", "4"]
    assert "record claims 1.0 TiB, over the 32.0 MiB limit" in metrics.stderr


_GOOD = b"".join(epoch_records(range(1, 7)))


@settings(max_examples=examples(200), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, len(_GOOD) - 1), st.sampled_from(["flip", "cut", "insert"]),
                                st.binary(min_size=1, max_size=12)), min_size=1, max_size=4))
@example(edits=[(0, "insert", b'"\n"')])
@example(edits=[(len(epoch_records(range(1, 2))[0]), "insert", lying_header(TIB))])
def test_a_damaged_event_file_never_breaks_the_reader_and_keeps_what_came_before(tmp_path, edits):
    """Fuzz: flipped, cut or inserted bytes anywhere; every record before the first edit is still read."""
    data = bytearray(_GOOD)
    for at, how, extra in sorted(edits, reverse=True):
        if how == "flip":
            data[at] ^= extra[0] or 1
        elif how == "cut":
            del data[at:at + len(extra)]
        else:
            data[at:at] = extra
    folder = tmp_path / "fuzz"
    path = write_log(folder, bytes(data))
    first_edit = min(at for at, _, _ in edits)
    intact = [e for e, n in zip(range(1, 7), _record_ends()) if n <= first_edit]
    losses = _losses(folder)
    assert set(intact) <= set(losses)
    assert all(v is None or math.isfinite(v) for v in losses.values())
    assert all(d.startswith(f"{path.name}: offset ") for d in _damage(folder))


def _record_ends() -> list[int]:
    ends, total = [], 0
    for record in epoch_records(range(1, 7)):
        total += len(record)
        ends.append(total)
    return ends


def test_after_damage_a_growing_file_is_searched_once_not_on_every_poll(tmp_path):
    """A lying header followed by zeros (a preallocated tail): the search moves on, and finds what is appended."""
    path = write_log(tmp_path, *epoch_records(range(1, 3)), lying_header(TIB), b"\0" * (1 << 20))
    reader = TensorBoardReader(tmp_path, settle_s=0.0)
    assert [e["epoch"] for e in reader.poll()] == [1, 2]
    tail = next(iter(reader._sources.values())).tail
    assert tail.offset > path.stat().st_size - 16  # searched to the end once
    with open(path, "ab") as fh:
        fh.write(b"".join(epoch_records(range(3, 5))))
    assert [e["epoch"] for e in reader.poll()] == [3, 4]
    assert len(reader.damage) == 1
