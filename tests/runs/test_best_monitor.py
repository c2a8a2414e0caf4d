"""`RunInfo.best_monitor` (`pick_best`): the one metric `tuitrain runs` shows as a run's best."""

from __future__ import annotations

from pathlib import Path

import pytest

from tuitrain.runs.rundir import RunInfo, pick_best

BEST = {"val_accuracy": 0.9, "val_auc": 0.95, "loss": 0.1, "val_loss": 0.3, "accuracy": 0.97}


def _run(best, monitor=None):
    return RunInfo(Path("r"), "r", "p", "finished", 0.0, 1.0, 1, 1, dict(best), 1.0, monitor)


@pytest.mark.parametrize("best, monitor, shown", [
    (BEST, "val_auc", ("val_auc", 0.95)),  # the preset's monitor
    (BEST, None, ("val_loss", 0.3)),  # Keras' default monitor
    (BEST, "val_precision", ("val_loss", 0.3)),  # a monitor never logged
    ({"loss": 0.1, "val_mae": 2.0, "val_mse": 5.0}, None, ("val_mae", 2.0)),  # the first validation metric
    ({"accuracy": 0.8, "loss": 0.4}, None, ("loss", 0.4)),  # no validation data
    ({}, "val_loss", None),
])
def test_one_monitored_metric(best, monitor, shown):
    assert pick_best(best, monitor) == shown
    assert _run(best, monitor).best_monitor == shown


def test_runs_shows_only_that_metric(tmp_path, capsys):
    from tests.cli.runs_on_disk import fake_run
    from tuitrain.__main__ import main

    fake_run(tmp_path, "a", best=BEST, monitor=None)
    assert main(["runs", "--runs-dir", str(tmp_path)]) == 0
    row = capsys.readouterr().out.splitlines()[1]
    assert "val_loss 0.3" in row and "val_accuracy" not in row and "val_auc" not in row
