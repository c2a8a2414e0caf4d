"""Chart curves cached beside a run's columns: built once, reused, rebuilt when stale, ignored when corrupt."""

import json

import numpy as np
import pytest

import tuitrain.ui.series.curve_store as store_module
import tuitrain.ui.series.curves as curves_module
from tuitrain.runs.columns import COLUMNS_DIR
from tuitrain.runs.events import EventWriter
from tuitrain.ui.series.downsample import MinMaxPyramid, ema
from tuitrain.ui.series.feed import RunFeed

ROWS = 6_000
SMOOTH = 0.6


@pytest.fixture(autouse=True)
def _small_thresholds(monkeypatch):
    """Curves of a few thousand rows behave as 10^6-row ones do (stored, prepared in a worker)."""
    monkeypatch.setattr(store_module, "STORE_FROM", 1_000)
    monkeypatch.setattr(curves_module, "STORE_FROM", 1_000)
    monkeypatch.setattr(curves_module, "PREPARE_AT", 1_000)


def _write(path, steps, loss=lambda s: 1.0 / s + 0.01 * np.sin(s)):
    writer = EventWriter(path / "events.jsonl", flush_interval=3600)
    writer.status("running", epochs=1)
    for step in steps:
        writer.batch(step, 1, {"loss": float(loss(step))}, 50.0)
    writer.close()


def _open(path):
    feed = RunFeed(path)
    feed.read_all_here()
    return feed.series


def _chart(series, smoothing=SMOOTH):
    """What the chart does: the curve is prepared in a worker when not ready, then drawn from its pyramid."""
    if not series.ready("batch", "loss", smoothing):
        series.prepare("batch", "loss", smoothing)
    return series.chart_points("batch", "loss", "step", smoothing, columns=50)


def _expected(series, smoothing=SMOOTH):
    """A brute-force scan of the smoothed column: what the chart must show."""
    x, y = series.batch.get("step").astype(np.float64), series.batch.get("loss")
    y = ema(y, smoothing).astype(np.float32) if smoothing else y
    # chart_points picks each column's min and max from the pyramid: compare the values per column
    return x, y.astype(np.float64)


def _curves(path):
    return sorted(p.name for p in (path / COLUMNS_DIR / store_module.CURVES_DIR).iterdir())


def _assert_exact(series, points, smoothing=SMOOTH):
    x, y = _expected(series, smoothing)
    px, py = points
    idx = np.searchsorted(x, px)
    np.testing.assert_array_equal(y[idx], py)  # every point drawn is a point of the smoothed curve
    assert py.min() == y.min() and py.max() == y.max()  # and the extremes are there


def test_a_long_curve_is_saved_once_and_the_next_open_reads_it_instead(tmp_path, monkeypatch):
    _write(tmp_path, range(1, ROWS + 1))
    first = _open(tmp_path)
    drawn = _chart(first)
    _assert_exact(first, drawn)
    names = _curves(tmp_path)
    assert any(n.endswith(".sm") for n in names) and any(n.endswith(".pyr") for n in names)
    mtimes = {n: (tmp_path / COLUMNS_DIR / "curves" / n).stat().st_mtime_ns for n in names}

    calls = []
    monkeypatch.setattr(curves_module, "ema", lambda *a, **k: calls.append(a) or ema(*a, **k))
    update = MinMaxPyramid.update

    def counted(self, y):
        before = self.levels
        update(self, y)
        if self.levels != before:
            calls.append("pyramid built")

    monkeypatch.setattr(MinMaxPyramid, "update", counted)
    again = _open(tmp_path)
    assert again.ready("batch", "loss", SMOOTH)  # no worker needed: the saved curve is used
    np.testing.assert_array_equal(_chart(again)[1], drawn[1])
    np.testing.assert_array_equal(_chart(again)[0], drawn[0])
    assert calls == []  # nothing smoothed, no pyramid built
    assert {n: (tmp_path / COLUMNS_DIR / "curves" / n).stat().st_mtime_ns for n in names} == mtimes


def test_the_raw_curve_pyramid_is_kept_too(tmp_path):
    _write(tmp_path, range(1, ROWS + 1))
    raw = _chart(_open(tmp_path), smoothing=0.0)
    assert any(n.endswith("-0.pyr") for n in _curves(tmp_path))
    again = _open(tmp_path)
    assert again._curve("batch", "loss", 0.0).pyramid.levels  # loaded, not built
    np.testing.assert_array_equal(_chart(again, 0.0)[1], raw[1])
    _assert_exact(again, raw, 0.0)


def test_a_resumed_run_makes_the_saved_curves_stale(tmp_path):
    _write(tmp_path, range(1, ROWS + 1))
    _chart(_open(tmp_path))
    # resumed from step 2000 with other values: as many rows as before, but not the same ones
    _write(tmp_path, range(2001, ROWS + 1), loss=lambda s: 5.0 + np.cos(s))
    series = _open(tmp_path)
    assert len(series.batch) == ROWS
    assert not series.ready("batch", "loss", SMOOTH)  # the saved curve belongs to the old rows
    _assert_exact(series, _chart(series))
    head = json.loads(next((tmp_path / COLUMNS_DIR / "curves").glob("*-0.6.json")).read_text())
    assert head["lineage"] == series.store[0].lineage  # saved again for the new rows
    assert _open(tmp_path).ready("batch", "loss", SMOOTH)


def test_a_run_that_went_on_extends_the_saved_curve(tmp_path):
    writer = EventWriter(tmp_path / "events.jsonl", flush_interval=3600)
    for step in range(1, ROWS + 1):
        writer.batch(step, 1, {"loss": 1.0 / step}, 50.0)
    writer.flush()
    _chart(_open(tmp_path))
    for step in range(ROWS + 1, ROWS + 700):
        writer.batch(step, 1, {"loss": 2.0 + step % 7}, 50.0)
    writer.close()
    series = _open(tmp_path)
    assert len(series.batch) == ROWS + 699
    _assert_exact(series, _chart(series))  # the cached prefix plus the new rows, as a scan says


@pytest.mark.parametrize("damage", ["torn_values", "torn_pyramid", "index_outside_its_block", "bad_header",
                                    "link", "folder_link", "other_smoothing"])
def test_a_damaged_cache_is_ignored_and_rebuilt(tmp_path, damage):
    _write(tmp_path, range(1, ROWS + 1))
    good = _chart(_open(tmp_path))
    folder = tmp_path / COLUMNS_DIR / "curves"
    values, pyramid, head = (next(folder.glob(f"*-0.6.{ext}")) for ext in ("sm", "pyr", "json"))
    if damage == "torn_values":
        values.write_bytes(values.read_bytes()[:-3])
    elif damage == "torn_pyramid":
        pyramid.write_bytes(pyramid.read_bytes()[:-8])
    elif damage == "index_outside_its_block":
        data = np.fromfile(pyramid, dtype="<i8")
        data[0] = ROWS - 1  # a valid row, but not of block 0: another file's pyramid, or garbage
        data.tofile(pyramid)
    elif damage == "bad_header":
        head.write_text('{"format": "tuitrain-curves/1", "rows": "many"}')
    elif damage == "link":
        outside = tmp_path / "elsewhere.sm"
        outside.write_bytes(values.read_bytes())
        values.unlink()
        values.symlink_to(outside)
    elif damage == "folder_link":  # the whole folder moved elsewhere and linked back: not read, not written
        elsewhere = tmp_path / "elsewhere"
        folder.rename(elsewhere)
        folder.symlink_to(elsewhere)
        before = {q.name: q.stat().st_mtime_ns for q in elsewhere.iterdir()}
    elif damage == "other_smoothing":
        meta = json.loads(head.read_text())
        head.write_text(json.dumps({**meta, "smoothing": 0.9}))
    series = _open(tmp_path)
    assert not series.ready("batch", "loss", SMOOTH)
    again = _chart(series)
    np.testing.assert_array_equal(again[1], good[1])
    _assert_exact(series, again)
    if damage == "link":
        assert not values.is_symlink()  # replaced by a file of the run, never written through the link
        assert (tmp_path / "elsewhere.sm").read_bytes() != b""
    if damage == "folder_link":
        after = {q.name: q.stat().st_mtime_ns for q in (tmp_path / "elsewhere").iterdir()}
        assert after == before  # nothing saved through the link
        assert not _open(tmp_path).ready("batch", "loss", SMOOTH)
        return
    assert _open(tmp_path).ready("batch", "loss", SMOOTH)  # rebuilt


def test_short_runs_and_json_only_runs_store_nothing(tmp_path):
    _write(tmp_path, range(1, 500))
    _chart(_open(tmp_path))
    assert not (tmp_path / COLUMNS_DIR / "curves").exists()
