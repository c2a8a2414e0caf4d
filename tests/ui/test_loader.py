"""The one run loader: a long events file read chunk by chunk in a thread, applied on the event loop."""

from __future__ import annotations

import shutil
import threading

from textual.app import App

from tests.ui.waiting import wait_for
from tuitrain.runs.events import EventWriter
from tuitrain.ui.series import feed as feed_module
from tuitrain.ui.series.feed import RunFeed
from tuitrain.ui.series.loader import load_run

ROWS = 3000


def write_run(path, rows: int = ROWS):
    path.mkdir()
    writer = EventWriter(path / "events.jsonl", flush_interval=3600)
    writer.status("running", epochs=1, steps_per_epoch=rows)
    for step in range(1, rows + 1):
        writer.batch(step, 1, {"loss": 1.0 / step}, 100.0)
    writer.status("finished")
    writer.close()
    shutil.rmtree(path / "columns", ignore_errors=True)  # the JSON, chunk by chunk (binary columns come in one)
    return path


async def test_every_chunk_is_applied_on_the_event_loop_then_done_once(tmp_path, monkeypatch):
    monkeypatch.setattr(feed_module, "FEED_CHUNK", 8_000)  # many chunks
    feed = RunFeed(write_run(tmp_path / "run"))
    loop_thread, chunks, done = threading.get_ident(), [], []

    def on_parts(f, parts):
        assert threading.get_ident() == loop_thread  # the series is only touched on the loop
        chunks.append(f.apply(parts))

    app = App()
    async with app.run_test() as pilot:
        load_run(app.screen, feed, on_parts=on_parts, on_done=done.append, group="t")
        await wait_for(pilot, lambda: done, "the whole file")
    assert len(chunks) > 5 and sum(chunks) >= ROWS and len(feed.series.batch) == ROWS
    assert done == [feed]


async def test_a_cancelled_feed_stops_and_reports_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(feed_module, "FEED_CHUNK", 4_000)
    feed = RunFeed(write_run(tmp_path / "run"))
    done = []

    def on_parts(f, parts):
        f.apply(parts)
        f.cancel()  # the run is no longer shown after the first chunk

    app = App()
    async with app.run_test() as pilot:
        worker = load_run(app.screen, feed, on_parts=on_parts, on_done=done.append, group="t")
        await wait_for(pilot, lambda: worker.is_finished, "the worker to stop")
    assert done == [] and 0 < len(feed.series.batch) < ROWS
