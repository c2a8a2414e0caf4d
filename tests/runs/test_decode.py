"""events.jsonl read in bulk and without trusting it: hostile or damaged lines are skipped with a
reason, the bulk path gives what the line-by-line path gives, a reader never holds an over-long line."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import example, given, settings, strategies as st

from tests.fuzzing import examples

from tuitrain.runs import decode
from tuitrain.runs.decode import BatchBlock, EventDecoder
from tuitrain.runs.events import EventWriter
from tuitrain.runs.reader import RESET, RunReader
from tuitrain.ui.series.run_series import RunSeries

HEAD = b'{"k":"s","s":0,"e":0,"t":0.0,"status":"running","epochs":2,"steps_per_epoch":3}\n{"k":"m","0":"loss"}\n'


def _batch(step: int, loss: float | str = 0.5) -> bytes:
    value = loss if isinstance(loss, str) else json.dumps(loss)
    return f'{{"s":{step},"e":1,"t":{step / 10},"r":100,"0":{value}}}\n'.encode()


def _read_all(reader: RunReader) -> list:
    parts = []
    while True:
        new = reader.read()
        if not new and reader.at_end:
            return parts
        parts.extend(new)


def _series(tmp_path, data: bytes, **kw) -> tuple[RunSeries, RunReader]:
    (tmp_path / "events.jsonl").write_bytes(data)
    reader = RunReader(tmp_path, **kw)
    series = RunSeries()
    series.apply(_read_all(reader))
    return series, reader


@pytest.mark.parametrize("line, reason", [
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b'{"s":{"a":' * 3000 + b"1" + b"}" * 3000, "nested too deeply"),
    (b'{"s":"x","e":1,"t":0.1,"0":0.4}', "'s' is not a number"),
    (b'{"s":1,"e":1,"t":[1,2],"0":0.4}', "'t' is not a number"),
    (b'{"s":1,"e":1,"t":0.1,"0":0.4,"x":1', "not JSON"),
    (b'{"s":1,"e":1,"t":0.1,"0":"\xff\xfe"}', "not UTF-8"),
    (b'{"s":' + b"9" * 5000 + b',"e":1,"t":0.1,"0":0.4}', "not JSON"),
    (b'"just a string"', "not a JSON object"),
    (b'{"k":"zz","s":1}', "unknown kind"),
])
def test_a_hostile_line_is_skipped_with_a_reason_and_the_rest_is_read(tmp_path, line, reason):
    data = HEAD + _batch(1, 0.9) + line + b"\n" + _batch(2, 0.8) + _batch(3, 0.7)
    series, reader = _series(tmp_path, data)
    assert series.curve("batch", "loss")[0].tolist() == [1, 2, 3]
    assert series.status == "running"
    assert reader.skipped.total == 1
    assert reason in reader.skipped.examples[0][1] and reader.skipped.examples[0][0] == 4  # line 4
    assert "line 4" in reader.skipped.summary()


def test_non_numeric_metrics_are_dropped_from_their_row_only(tmp_path):
    data = HEAD + b'{"k":"m","1":"acc"}\n' + _batch(1, 0.9) + \
        b'{"s":2,"e":1,"t":0.2,"r":100,"0":"high","1":0.5}\n' + \
        b'{"s":3,"e":1,"t":0.3,"r":100,"0":0.7,"1":true}\n' + \
        b'{"k":"e","s":3,"e":1,"t":0.3,"loss":{"a":1},"val_loss":0.6}\n'
    series, reader = _series(tmp_path, data)
    x, loss = series.curve("batch", "loss")
    assert x.tolist() == [1, 2, 3]
    assert loss[0] == pytest.approx(0.9) and math.isnan(loss[1]) and loss[2] == pytest.approx(0.7)
    assert series.curve("batch", "acc")[1][1] == 0.5
    assert series.metric_keys("epoch") == ["val_loss"]
    assert reader.skipped.counts == {"a value that is not a number was ignored": 3}


def test_an_over_long_line_is_skipped_without_being_held(tmp_path):
    huge = b'{"s":5,"e":1,"t":0.1,"0":"' + b"a" * 300_000 + b'"}\n'
    data = HEAD + _batch(1) + huge + _batch(2)
    (tmp_path / "events.jsonl").write_bytes(data)
    reader = RunReader(tmp_path, chunk=64 * 1024, max_line=100_000)
    series = RunSeries()
    longest = 0
    while True:
        parts = reader.read()
        longest = max(longest, len(reader._partial))
        series.apply(parts)
        if not parts and reader.at_end:
            break
    assert longest <= 100_000 + 64 * 1024
    assert series.curve("batch", "step")[1].tolist() == [1, 2]
    assert reader.skipped.counts == {"longer than 97 KiB": 1}


def test_events_file_that_is_not_a_regular_file_is_not_read(tmp_path):
    (tmp_path / "events.jsonl").symlink_to("/dev/zero")
    reader = RunReader(tmp_path)
    assert reader.read() == [] and reader.poll() == []
    assert "not a regular file" in reader.skipped.summary()


def test_a_torn_last_line_waits_for_its_newline(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_bytes(HEAD + _batch(1) + b'{"s":2,"e":1,"t":0.2,"r":1')
    reader = RunReader(tmp_path)
    series = RunSeries()
    series.apply(_read_all(reader))
    assert len(series.batch) == 1 and reader.skipped.total == 0
    with open(path, "ab") as fh:
        fh.write(b'00,"0":0.25}\n')
    series.apply(_read_all(reader))
    assert series.curve("batch", "loss")[1].tolist() == [0.5, 0.25]


def test_a_replaced_or_truncated_file_starts_over(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_bytes(HEAD + b"".join(_batch(s) for s in range(1, 50)))
    reader = RunReader(tmp_path)
    series = RunSeries()
    series.apply(_read_all(reader))
    assert len(series.batch) == 49
    path.write_bytes(HEAD + _batch(1, 0.125))  # shorter: truncated and rewritten
    parts = _read_all(reader)
    assert parts[0] == RESET
    series.apply(parts)
    assert series.curve("batch", "loss")[1].tolist() == [0.125]
    tmp = tmp_path / "new.jsonl"  # replaced by a rename: a new inode, even if longer
    tmp.write_bytes(HEAD + b"".join(_batch(s, 0.25) for s in range(1, 80)))
    tmp.replace(path)
    series.apply(_read_all(reader))
    assert len(series.batch) == 79 and set(series.curve("batch", "loss")[1].tolist()) == {0.25}


def test_a_resumed_run_read_from_disk_keeps_the_newest_steps(tmp_path):
    path = tmp_path / "events.jsonl"
    writer = EventWriter(path)
    for step in range(1, 31):
        writer.batch(step, 1 + (step - 1) // 10, {"loss": 1.0, "acc": 0.1}, 100.0)
    writer.close()
    writer = EventWriter(path)  # the resumed trainer: a new writer declares aliases again, in another order
    for step in range(11, 21):
        writer.batch(step, 2, {"acc": 0.9, "loss": 0.5}, 100.0)
    writer.close()
    series, reader = _series(tmp_path, path.read_bytes())
    assert series.curve("batch", "loss")[0].tolist() == list(range(1, 21))
    assert series.curve("batch", "loss")[1].tolist() == [1.0] * 10 + [0.5] * 10
    assert series.curve("batch", "acc")[1][-1] == pytest.approx(0.9)
    assert reader.skipped.total == 0


def test_aliases_redefined_mid_file_name_the_rows_after_them(tmp_path):
    rows = [b'{"k":"m","0":"loss","1":"acc"}\n']
    rows += [b'{"s":%d,"e":1,"t":0.1,"r":1,"0":0.5,"1":0.1}\n' % s for s in range(1, 200)]
    rows += [b'{"k":"m","0":"acc","1":"loss","2":"auc"}\n']  # same keys, other meaning
    rows += [b'{"s":%d,"e":1,"t":0.2,"r":1,"0":0.9,"1":0.2,"2":0.7}\n' % s for s in range(200, 400)]
    series, _ = _series(tmp_path, b"".join(rows))
    loss = series.curve("batch", "loss")[1]
    acc = series.curve("batch", "acc")[1]
    auc = series.curve("batch", "auc")[1]
    assert np.all(loss[:199] == np.float32(0.5)) and np.all(loss[199:] == np.float32(0.2))
    assert np.all(acc[:199] == np.float32(0.1)) and np.all(acc[199:] == np.float32(0.9))
    assert np.isnan(auc[:199]).all() and np.all(auc[199:] == np.float32(0.7))


def test_nan_and_infinity_from_a_diverged_run_are_kept(tmp_path):
    data = HEAD + _batch(1, 0.5) + b'{"s":2,"e":1,"t":0.2,"r":100,"0":NaN}\n' + \
        b'{"s":3,"e":1,"t":0.3,"r":100,"0":Infinity}\n' + b"".join(_batch(s) for s in range(4, 100))
    series, reader = _series(tmp_path, data)
    loss = series.curve("batch", "loss")[1]
    assert math.isnan(loss[1]) and loss[2] == math.inf and len(loss) == 99
    assert reader.skipped.total == 0


_line = st.one_of(
    st.builds(lambda s, v: _batch(s, v).rstrip(b"\n"), st.integers(0, 10 ** 6),
              st.floats(allow_nan=True, allow_infinity=True)),
    st.builds(lambda s: b'{"s":%d,"e":1,"t":0.5,"r":3,"0":0.25,"1":1}' % s, st.integers(0, 99)),
    st.just(b'{"k":"m","1":"acc"}'),
    st.just(b'{"k":"m","0":"val"}'),
    st.builds(lambda e: b'{"k":"e","s":%d,"e":%d,"t":1,"loss":0.5}' % (e, e), st.integers(0, 9)),
    st.just(b'{"k":"l","s":0,"e":0,"t":0.0,"message":"NaN loss"}'),
    st.binary(max_size=40).filter(lambda b: b"\n" not in b),
    st.sampled_from([b'{"s":"x"}', b"[]", b"{}", b"null", b"  ", b"", b'{"s":1,"0":[[[]]]}', b'{"s":true,"0":1}']),
)


@settings(max_examples=examples(150))
@given(lines=st.lists(_line, max_size=60))
@example(lines=[b'"', b'"'])  # issue #22: read as the one string '","', it shifted rows and crashed metrics and the app
@example(lines=[b'"', b'"', b'1],[2', _batch(1).rstrip(b"\n")])  # two lines merged and one split: same count, shifted
def test_bulk_decoding_gives_what_line_by_line_decoding_gives(lines):
    """Fuzz: any mix of good, odd and garbage lines decodes in bulk exactly as one at a time."""
    chunk = b"".join(line + b"\n" for line in lines)
    bulk = EventDecoder().decode_chunk(chunk)
    slow_decoder = EventDecoder()
    one_by_one = RunSeries()
    one_by_one.extend([e for e in map(slow_decoder.decode_line, lines) if e is not None])
    fast = RunSeries()
    fast.apply(bulk)
    for gran in ("batch", "epoch"):
        assert fast.metric_keys(gran) == one_by_one.metric_keys(gran)
        for key in ("step", "epoch", "time", *fast.metric_keys(gran)):
            # batch metrics are float32 columns: equal to float32 precision (a column may turn float64
            # in one path and not the other when a value sits at float32's limit)
            np.testing.assert_allclose(fast.table(gran).get(key), one_by_one.table(gran).get(key), rtol=1e-6)
    assert fast.epoch_rows == one_by_one.epoch_rows


@pytest.mark.parametrize("tail", [b'"\n"\n', b'"\n"\n1,2\n', b'[\n]\n', b'{"s":1,\n"e":1}\n'])
def test_a_tail_of_lines_that_only_parse_together_is_skipped_line_by_line(tmp_path, tail):
    """Issue #22: a 2-line ``"``/``"`` tail on events.jsonl crashed ``metrics`` and the app."""
    data = HEAD + b"".join(_batch(s, 0.5) for s in range(1, 100)) + tail
    series, reader = _series(tmp_path, data)
    assert series.curve("batch", "loss")[0].tolist() == list(range(1, 100))
    assert reader.skipped.total == tail.count(b"\n")
    assert reader.skipped.examples[0] == (102, "not JSON (a torn or damaged line)")


def test_the_reader_works_without_orjson(tmp_path, monkeypatch):
    monkeypatch.setattr(decode, "_orjson", None)
    data = HEAD + b"".join(_batch(s, 0.5) for s in range(1, 500)) + b'{"s":"x"}\n'
    series, reader = _series(tmp_path, data)
    assert len(series.batch) == 499 and reader.skipped.total == 1


def test_poll_still_returns_long_key_dicts(tmp_path):
    (tmp_path / "events.jsonl").write_bytes(HEAD + _batch(1, 0.5) + _batch(2, 0.25))
    events = RunReader(tmp_path).poll()
    assert events[1] == {"kind": "batch", "step": 1, "epoch": 1, "time": 0.1, "samples_per_s": 100, "loss": 0.5}
    assert [e["kind"] for e in events] == ["status", "batch", "batch"]
    assert isinstance(EventDecoder().decode_chunk(HEAD + _batch(1))[1], BatchBlock)


def test_an_epoch_cut_short_keeps_its_partial_flag_without_a_warning():
    decoder = EventDecoder()
    row = decoder.decode_line('{"k":"e","s":2,"e":1,"t":0.5,"loss":0.7,"partial":true}')
    assert row["kind"] == "epoch" and row["partial"] is True and row["loss"] == 0.7
    assert decoder.skipped.counts == {}
