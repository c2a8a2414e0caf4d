"""Listing runs reads run.json only: a runs folder of big or odd event files lists at once."""

import os

from tuitrain.runs.listing import list_runs
from tuitrain.runs.rundir import write_run_json


def test_list_runs_reads_run_json_and_never_the_event_logs(tmp_path):
    for i in range(30):
        run = tmp_path / f"r-{i:02d}"
        run.mkdir()
        write_run_json(run, {"status": "finished", "started": 1000.0 + i, "ended": 1100.0 + i, "preset_name": "p",
                             "epochs_done": 3, "epochs_total": 3, "best": {"val_loss": 0.5 - i / 100},
                             "monitor": "val_loss"})
        os.mkfifo(run / "events.jsonl")  # reading it would block this test forever
        os.mkfifo(run / "trainer.log")
    runs = list_runs(tmp_path)
    assert [r.name for r in runs[:2]] == ["r-29", "r-28"]
    assert runs[0].best_monitor == ("val_loss", 0.5 - 29 / 100) and runs[0].epochs_done == 3
