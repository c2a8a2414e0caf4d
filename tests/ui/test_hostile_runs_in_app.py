"""The app on run directories it cannot fully trust: a damaged ``run.json``, hostile event lines.

The readers underneath have their own tests (tests/runs/test_hostile_runs.py); here the user's
view: ``tuitrain attach DIR`` on such a run shows what can be read, says what could not and where,
and the app keeps working.
"""

from __future__ import annotations

from pathlib import Path

from tests.runs.test_hostile_runs import GOOD, MALFORMED, make_run
from tests.ui.test_train_pane import open_runs
from tests.ui.waiting import wait_for, wait_ready
from tuitrain.runs.events import EventWriter
from tuitrain.runs.rundir import write_run_json
from tuitrain.ui.app import TuitrainApp
from tuitrain.ui.panes.train.pane import TrainPane

HOSTILE_LINES = [
    b'{"a": ' + b"[" * 5000 + b"]" * 5000 + b"}",  # nested too deeply for any JSON parser's stack
    b'{"kind": "epoch", "loss": "\xff\xfe"}',  # not UTF-8
    b"\x1b[2J\x1b[31m not json",  # terminal escapes: must never reach the screen as codes
]


def write_events(run_dir: Path, epochs: int) -> None:
    writer = EventWriter(run_dir / "events.jsonl")
    writer.status("running", epochs=epochs, steps_per_epoch=5)
    for epoch in range(1, epochs + 1):
        for step in range(5 * (epoch - 1) + 1, 5 * epoch + 1):
            writer.batch(step, epoch, {"loss": 1.0 / step}, samples_per_s=100.0)
        writer.epoch(5 * epoch, epoch, {"loss": 1.0 / epoch, "val_loss": 1.1 / epoch}, samples_per_s=100.0,
                     epochs=epochs, steps=5)
    writer.close()


def panel_text(app: TuitrainApp) -> str:
    return "\n".join(str(s.render()) for s in app.query("TrainPane Static"))


async def test_attach_to_a_damaged_run_shows_its_epochs_and_says_what_was_skipped(tmp_path, open_app):
    run_dir = make_run(tmp_path, "damaged", MALFORMED["not-json"][0])
    write_events(run_dir, epochs=2)
    with open(run_dir / "events.jsonl", "ab") as events:
        events.write(b"\n".join(HOSTILE_LINES) + b"\n")
    async with open_app(None, run_dir=run_dir, pane="train", background=False, size=(120, 40)) as (app, pilot):  # what `tuitrain attach DIR` opens
        app.query_one(TrainPane)  # the pane is up
        table = app.query_one("#train-epochs")
        await wait_for(pilot, lambda: table.row_count == 2 and "skipped" in panel_text(app), "the readable epochs")
        text = panel_text(app)
        await wait_for(pilot, lambda: app.run_status == "invalid", "the invalid status")
        assert "run.json is not valid JSON" in text
        assert "3 lines of events.jsonl skipped" in text
        assert "nested too deeply" in text and "not UTF-8" in text
        assert "\x1b" not in text
        await wait_ready(pilot)
        await pilot.press("2")  # the app still answers keys
        await wait_for(pilot, lambda: app.query_one("#panes").active == "layers", "the Layers pane")


async def test_runs_screen_lists_damaged_runs_beside_good_ones(tmp_path, monkeypatch, open_app):
    good = tmp_path / "good"
    good.mkdir()
    write_run_json(good, GOOD)
    write_events(good, epochs=3)
    for name in ("not-json", "pid-text", "deep"):
        make_run(tmp_path, name, MALFORMED[name][0])
    monkeypatch.setenv("TUITRAIN_RUNS", str(tmp_path))
    async with open_app(None, run_dir=good, pane="train", background=False, size=(120, 40)) as (app, pilot):
        await wait_for(pilot, lambda: app.query_one("#train-epochs").row_count == 3, "the good run's epochs")
        await wait_ready(pilot)
        screen = await open_runs(app, pilot)
        table = screen.query_one("DataTable")
        await wait_for(pilot, lambda: table.row_count == 4, "four runs listed")
        rows = ["  ".join(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)]
        assert sum("invalid" in row for row in rows) == 3
        assert any("good" in row and "finished" in row for row in rows)


async def test_attach_to_a_damaged_tensorboard_folder_shows_its_epochs_and_where_the_damage_is(tmp_path):
    """#22: a record claiming 1 TiB once killed the reader; now the epochs show and the damage is named."""
    from tests.runs.hostile_tb import TIB, epoch_records, lying_header, write_log

    logdir = tmp_path / "tb"
    before = epoch_records(range(1, 3))
    write_log(logdir, *before, lying_header(TIB), *epoch_records(range(3, 5)))
    app = TuitrainApp(None, run_dir=logdir, pane="train", background=False)
    async with app.run_test(size=(160, 40)) as pilot:
        table = app.query_one("#train-epochs")
        await wait_for(pilot, lambda: table.row_count == 4 and "damaged" in panel_text(app), "the four epochs")
        text = " ".join(panel_text(app).split())
        offset = sum(map(len, before))
        assert f"1 damaged part of the event files skipped (events.out.tfevents.1.host: offset {offset}: record claims" in text
