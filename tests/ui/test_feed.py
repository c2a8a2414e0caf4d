"""RunFeed: a run read chunk by chunk (as a worker does) ends up as if read at once; Backoff."""

import threading

import numpy as np
import pytest

from tuitrain.runs.events import EventWriter
from tuitrain.ui.series.feed import Backoff, RunFeed


def _run(tmp_path, rows=30_000, columns=True):
    writer = EventWriter(tmp_path / "events.jsonl", flush_interval=3600, columns=columns)
    writer.status("running", epochs=3, steps_per_epoch=rows // 3)
    for step in range(1, rows + 1):
        writer.batch(step, 1 + (step - 1) * 3 // rows, {"loss": 1.0 / step}, 100.0)
    writer.close()
    return tmp_path


def test_a_worker_reading_in_chunks_gives_the_whole_run_with_progress(tmp_path):
    feed = RunFeed(_run(tmp_path, columns=False))  # the JSON path (runs without binary columns)
    feed.reader.chunk = 100_000  # about 1,700 rows a chunk
    fractions = []
    done = threading.Event()
    chunks = []

    def worker():  # what the pane's thread worker does; the test thread applies, as the event loop would
        while not feed.cancelled:
            parts = feed.read()
            if not parts and feed.reader.at_end:
                break
            chunks.append(parts)
        done.set()

    threading.Thread(target=worker).start()
    done.wait(60)
    for parts in chunks:
        feed.apply(parts)
        fractions.append(feed.reader.fraction)
    x, y = feed.series.curve("batch", "loss")
    assert x.tolist() == list(range(1, 30_001))
    np.testing.assert_allclose(y, 1.0 / x, rtol=1e-4)
    assert len(chunks) > 10 and fractions[-1] == 1.0 and not feed.loading
    assert "100 %" in feed.progress_text()
    # the columns were sized once from the file size, not regrown chunk after chunk
    assert feed.series.batch.columns["loss"].nbytes <= 4 * 30_000 * 1.1


def test_a_cancelled_feed_reads_and_applies_nothing(tmp_path):
    feed = RunFeed(_run(tmp_path, 100))
    feed.cancel()
    assert feed.read() == [] and feed.read_all_here() == 0 and len(feed.series.batch) == 0


def test_backoff_polls_soon_after_data_and_rarely_when_idle_or_ended():
    b = Backoff(fast=0.5, slow=4.0, ended=10.0)
    assert [b.next(False, True) for _ in range(5)] == [1.0, 2.0, 4.0, 4.0, 4.0]
    assert b.next(True, True) == 0.5
    assert b.next(False, False) == 10.0


def test_a_long_json_only_run_gets_its_columns_built_by_another_process(tmp_path, monkeypatch):
    """The build runs beside the app (two cores), the feed then maps what it built: the same rows."""
    import tuitrain.ui.series.feed as feed_module
    from tuitrain.runs.columns import COLUMNS_DIR, find_columns

    monkeypatch.setattr(feed_module, "BUILD_FROM", 1)
    run = _run(tmp_path, rows=3000, columns=False)
    feed = RunFeed(run)
    assert feed._builder is not None and feed.loading
    assert feed.progress_text().startswith("indexing events.jsonl for the chart (once): 0 % of")
    feed.read_all_here()
    assert feed._builder is None and find_columns(run) is not None and (run / COLUMNS_DIR / "index.json").exists()
    x, y = feed.series.curve("batch", "loss")
    assert x.tolist() == list(range(1, 3001))
    np.testing.assert_allclose(y, 1.0 / x, rtol=1e-4)
    assert feed.reader._decoder.line_no < 10  # no batch line was decoded here: the rows came as columns


def test_a_failed_build_falls_back_to_reading_the_json(tmp_path, monkeypatch):
    import subprocess
    import sys

    import tuitrain.ui.series.feed as feed_module

    monkeypatch.setattr(feed_module, "BUILD_FROM", 1)
    monkeypatch.setattr(feed_module, "start_build", lambda *a: subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"]))
    run = _run(tmp_path, rows=3000, columns=False)
    feed = RunFeed(run)
    feed.read_all_here()
    x, y = feed.series.curve("batch", "loss")
    assert x.tolist() == list(range(1, 3001))
    np.testing.assert_allclose(y, 1.0 / x, rtol=1e-4)


@pytest.mark.parametrize("ending", ["done", "failed"])
def test_the_chart_fills_in_while_the_columns_are_built(tmp_path, monkeypatch, ending):
    """What the build has committed is handed over at each look, the rest when it is done (or, when it
    failed, the JSON from the start): every row once."""
    import tuitrain.runs.columns as columns_module
    import tuitrain.ui.series.feed as feed_module

    run = _run(tmp_path, rows=6000, columns=False)
    monkeypatch.setattr(feed_module, "BUILD_FROM", 1)

    class Builder:  # the child's work done here: two 64 KB chunks at the first look, all of it at the second
        returncode = None

        def wait(self, timeout):
            if self.returncode is None and not hasattr(self, "started"):
                self.started = iter(range(3))
                columns_module.build_columns(run, chunk=64 * 1024, cancelled=lambda: next(self.started, None) is None)
                raise feed_module.subprocess.TimeoutExpired("build", timeout)
            if ending == "done":
                columns_module.build_columns(run)
            self.returncode = 0 if ending == "done" else 1
            return self.returncode

        def poll(self):
            return self.returncode

    monkeypatch.setattr(feed_module, "start_build", lambda *a: Builder())
    feed = RunFeed(run)
    first = feed.read()
    rows_first = sum(len(p.arrays["step"]) for p in first if hasattr(p, "arrays"))
    assert 0 < rows_first < 6000 and feed.loading  # part of the run, drawn while the rest is built
    feed.apply(first)
    feed.read_all_here()
    x, y = feed.series.curve("batch", "loss")
    assert x.tolist() == list(range(1, 6001))
    np.testing.assert_allclose(y, 1.0 / x, rtol=1e-4)
    assert feed.series.status == "running"
