"""The binary columns beside events.jsonl: same numbers as the JSON, torn writes, aliases, resumes, fallback."""

import math
import os
import threading

import numpy as np

from tuitrain.runs.columns import COLUMNS_DIR, build_columns, find_columns
from tuitrain.runs.events import EventWriter, read_events
from tuitrain.ui.series.feed import RunFeed


def _write(path, steps, metrics=lambda s: {"loss": 1.0 / s}, **kw):
    writer = EventWriter(path / "events.jsonl", flush_interval=3600, **kw)
    writer.status("running", epochs=1)
    for step in steps:
        writer.batch(step, 1, metrics(step), 50.0)
    writer.close()
    return writer


def _batch_loss(events):
    return [(e["step"], e["loss"]) for e in events if e["kind"] == "batch"]


def test_columns_hold_the_same_rows_as_the_json(tmp_path):
    _write(tmp_path, range(1, 1001))
    cols = find_columns(tmp_path)
    assert cols is not None and cols.rows == 1000
    assert cols.events_bytes == os.path.getsize(tmp_path / "events.jsonl")
    json_rows = _batch_loss(read_events(tmp_path / "events.jsonl"))
    assert cols.column("step").tolist() == [s for s, _ in json_rows]
    np.testing.assert_allclose(cols.column("loss"), [v for _, v in json_rows], rtol=1e-4)


def test_a_torn_column_write_past_the_index_is_ignored(tmp_path):
    _write(tmp_path, range(1, 101))
    folder = tmp_path / COLUMNS_DIR
    step_file = next(p for p in folder.iterdir() if p.name == "c0.f8")
    with open(step_file, "ab") as fh:
        fh.write(b"\x00\x01\x02")  # half a record: a writer killed mid-write
    cols = find_columns(tmp_path)
    assert cols.rows == 100 and cols.column("step")[-1] == 100
    os.truncate(step_file, 50 * 8)  # a column shorter than the index says: refused, not misread
    assert find_columns(tmp_path) is None


def test_a_metric_appearing_mid_run_is_nan_before_it(tmp_path):
    _write(tmp_path, range(1, 11), metrics=lambda s: {"loss": 1.0, **({"auc": s / 10} if s > 5 else {})})
    cols = find_columns(tmp_path)
    auc = cols.column("auc")
    assert np.isnan(auc[:5]).all() and auc[5:].tolist() == [0.6000000238418579, 0.699999988079071, 0.800000011920929,
                                                         0.8999999761581421, 1.0]
    assert b'"k":"m"' in (tmp_path / "events.jsonl").read_bytes()  # the JSON declares the alias as before


def test_a_resumed_run_drops_the_rows_past_the_resume_point(tmp_path):
    _write(tmp_path, range(1, 21))
    _write(tmp_path, range(11, 16))  # resumed from step 10
    cols = find_columns(tmp_path)
    assert cols.column("step").tolist() == list(range(1, 16))
    feed = RunFeed(tmp_path)
    feed.read_all_here()
    x, _ = feed.series.curve("batch", "loss")
    assert x.tolist() == list(range(1, 16))


def test_columns_read_while_written_show_only_flushed_rows(tmp_path):
    writer = EventWriter(tmp_path / "events.jsonl", flush_interval=3600)
    seen = []
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            cols = find_columns(tmp_path)
            if cols is not None:
                steps = np.array(cols.column("step"))
                seen.append(len(steps))
                assert steps.tolist() == list(range(1, len(steps) + 1))  # never a half row or a gap

    thread = threading.Thread(target=reader)
    thread.start()
    for step in range(1, 3001):
        writer.batch(step, 1, {"loss": 1.0}, 1.0)
        if step % 300 == 0:
            writer.flush()
    writer.close()
    stop.set()
    thread.join(30)
    assert find_columns(tmp_path).rows == 3000 and seen


def test_a_run_without_columns_is_read_from_json_and_cached_for_the_next_open(tmp_path, monkeypatch):
    import tuitrain.ui.series.feed as feed_module

    monkeypatch.setattr(feed_module, "CACHE_FROM", 0)
    _write(tmp_path, range(1, 2001), columns=False)
    assert find_columns(tmp_path) is None
    first = RunFeed(tmp_path)
    first.read_all_here()
    cols = find_columns(tmp_path)  # built while the JSON was read
    assert cols is not None and cols.rows == 2000
    second = RunFeed(tmp_path)
    second.read_all_here()
    for feed in (first, second):
        x, y = feed.series.curve("batch", "loss")
        assert x.tolist() == list(range(1, 2001))
        np.testing.assert_allclose(y, 1.0 / x, rtol=1e-4)
    assert second.series.status == first.series.status == "running"


def test_build_columns_from_json_alone_and_never_outside_a_read_only_run(tmp_path):
    run = tmp_path / "runs" / "r1"
    run.mkdir(parents=True)
    _write(run, range(1, 51), columns=False)
    cols = build_columns(run)
    assert cols.rows == 50 and cols.folder == run / COLUMNS_DIR
    assert {p.name for p in tmp_path.iterdir()} == {"runs"}


def test_json_appended_after_the_columns_is_read_as_json(tmp_path):
    _write(tmp_path, range(1, 11))
    with open(tmp_path / "events.jsonl", "a") as fh:  # another writer, no columns
        fh.write('{"kind":"batch","step":11,"epoch":1,"time":1.0,"loss":0.5}\n')
    feed = RunFeed(tmp_path)
    feed.read_all_here()
    x, y = feed.series.curve("batch", "loss")
    assert x.tolist() == list(range(1, 12)) and y[-1] == 0.5


def test_columns_that_link_outside_the_run_are_refused(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    _write(run, range(1, 11))
    outside = tmp_path / "secret.bin"
    outside.write_bytes(np.arange(10, dtype="<f8").tobytes())
    step_file = run / COLUMNS_DIR / "c0.f8"
    step_file.unlink()
    step_file.symlink_to(outside)
    assert find_columns(run) is None
    feed = RunFeed(run)  # the JSON is read instead
    feed.read_all_here()
    assert feed.series.curve("batch", "loss")[0].tolist() == list(range(1, 11))


def test_a_columns_folder_that_links_outside_is_never_written_through(tmp_path, monkeypatch):
    import tuitrain.ui.series.feed as feed_module

    monkeypatch.setattr(feed_module, "CACHE_FROM", 0)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "keep.f8").write_bytes(b"precious")
    run = tmp_path / "run"
    run.mkdir()
    _write(run, range(1, 21), columns=False)
    (run / COLUMNS_DIR).symlink_to(outside)
    feed = RunFeed(run)
    feed.read_all_here()
    assert feed.series.curve("batch", "loss")[0].tolist() == list(range(1, 21))
    assert [p.name for p in outside.iterdir()] == ["keep.f8"] and (outside / "keep.f8").read_bytes() == b"precious"
    EventWriter(run / "events.jsonl").close()  # a resumed trainer leaves it alone too
    assert [p.name for p in outside.iterdir()] == ["keep.f8"]


def test_rows_formatted_at_flush_time_keep_every_value_as_the_json_rules_say(tmp_path):
    values = [0.123456789, float("nan"), float("inf"), -float("inf"), 123456.0, 1e-7, 3.0, -2.5e38, 1e300, True]
    writer = EventWriter(tmp_path / "events.jsonl", flush_interval=3600)
    for step, value in enumerate(values, 1):
        writer.batch(step, 1, {"m": value, "loss": 0.5}, float("nan") if step == 2 else 10.0)
    writer.close()
    text = (tmp_path / "events.jsonl").read_text().splitlines()
    assert text[0] == '{"k":"m","0":"m","1":"loss"}' and text[1].startswith('{"s":1,"e":1,"t":')
    assert text[1].endswith('"r":10,"0":0.12346,"1":0.5}') and '"r":0,"0":NaN' in text[2]
    rows = [e for e in read_events(tmp_path / "events.jsonl") if e["kind"] == "batch"]
    got = [r["m"] for r in rows]
    assert got[0] == 0.12346 and math.isnan(got[1]) and got[2:4] == [math.inf, -math.inf]
    assert got[4:] == [123456, 1e-7, 3, -2.5e38, 1e300, 1] and rows[1]["samples_per_s"] == 0
    cols = find_columns(tmp_path)
    assert cols.files["m"][1] == "<f8"  # 1e300 does not fit float32: the column is float64
    np.testing.assert_array_equal(cols.column("m")[[0, 4, 8]], [0.123456789, 123456.0, 1e300])


def test_rows_whose_metric_names_change_from_batch_to_batch_keep_each_value_in_its_column(tmp_path):
    """The writer buffers rows of one key layout; other names or another order flush it first."""
    layouts = [{"loss": 1.0, "acc": 0.5}, {"acc": 0.25, "loss": 2.0}, {"loss": 3.0}, {"auc": 0.75, "loss": 4.0}]
    _write(tmp_path, range(1, 41), metrics=lambda s: {k: v * s for k, v in layouts[s % 4].items()})
    rows = [e for e in read_events(tmp_path / "events.jsonl") if e["kind"] == "batch"]
    assert [r["step"] for r in rows] == list(range(1, 41))
    for row in rows:
        expected = {k: v * row["step"] for k, v in layouts[row["step"] % 4].items()}
        assert {k: row[k] for k in ("loss", "acc", "auc") if k in row} == expected
    cols = find_columns(tmp_path)
    acc, auc = cols.column("acc"), cols.column("auc")
    assert cols.column("loss").tolist() == [float(s * [1.0, 2.0, 3.0, 4.0][s % 4]) for s in range(1, 41)]
    assert np.isnan(acc[2::4]).all() and np.isnan(auc[0::4]).all() and auc[2] == np.float32(0.75 * 3)
    text = (tmp_path / "events.jsonl").read_text()
    assert text.count('"k":"m"') == 2  # acc and loss first, auc when it appears: each name declared once


def test_timed_flushes_happen_off_the_batch_path_and_keep_every_row_in_order(tmp_path):
    """flush_interval 0: every batch asks the flush thread; epoch rows flush on the caller's thread meanwhile."""
    writer = EventWriter(tmp_path / "events.jsonl", flush_interval=0)
    writer.status("running", epochs=3)
    for step in range(1, 601):
        writer.batch(step, 1 + (step - 1) // 200, {"loss": 1.0 / step}, 50.0)
        if step % 200 == 0:
            writer.epoch(step, step // 200, {"loss": 1.0 / step}, samples_per_s=50.0, epochs=3, steps=200)
    assert writer._flusher is not None and writer._flusher.name == "tuitrain-events-flush"
    writer.close()
    assert not writer._flusher.is_alive()
    events = read_events(tmp_path / "events.jsonl")
    kinds = [(e["kind"], e["step"]) for e in events if e["kind"] in ("batch", "epoch")]
    expected = []
    for step in range(1, 601):
        expected.append(("batch", step))
        if step % 200 == 0:
            expected.append(("epoch", step))
    assert kinds == expected  # each epoch row after its epoch's batches, none lost or doubled
    cols = find_columns(tmp_path)
    assert cols.rows == 600 and cols.column("step").tolist() == list(range(1, 601))
