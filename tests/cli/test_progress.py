"""The plain progress display of `tuitrain train` and the runs table (no trainer process)."""

from __future__ import annotations

import io
from pathlib import Path

from tuitrain.cli.train_commands import runs_table
from tuitrain.cli.progress import ProgressView
from tuitrain.common.fmt import fmt_duration
from tuitrain.runs.rundir import RunInfo

RUNNING = {"kind": "status", "step": 0, "epoch": 0, "time": 2.0, "status": "running", "epochs": 4, "steps_per_epoch": 10}


def _batch(step: int, t: float) -> dict:
    return {"kind": "batch", "step": step, "epoch": (step - 1) // 10 + 1, "time": t, "samples_per_s": 3200,
            "loss": 0.5, "accuracy": 0.75}


def test_terminal_view_rewrites_one_batch_line_with_eta():
    out = io.StringIO()
    view = ProgressView(out, live=True)
    view.feed(RUNNING)
    view.feed(_batch(1, 3.0))
    view.feed(_batch(15, 10.0))  # 14 steps in 7 s → 25 steps left ≈ 12.5 s
    view.render()
    line = out.getvalue().rsplit("\r\x1b[2K", 1)[1]
    assert line == "epoch 2/4 [##########----------] 5/10  loss 0.5  accuracy 0.75  3200 samples/s  ETA 0:12"


def test_pipe_view_prints_epoch_status_and_log_lines_only():
    out = io.StringIO()
    view = ProgressView(out, live=False)
    view.feed({"kind": "log", "step": 0, "epoch": 0, "time": 0.1, "message": "loading TensorFlow"})
    view.feed(RUNNING)
    view.feed(_batch(10, 3.0))
    view.render()  # nothing on a pipe
    view.feed({"kind": "epoch", "step": 10, "epoch": 1, "time": 3.1, "samples_per_s": 3000, "epochs": 4, "steps": 10,
               "loss": 0.4, "val_loss": 0.45, "lr": 0.01})
    view.feed({"kind": "status", "step": 12, "epoch": 2, "time": 3.5, "status": "paused", "message": "paused at step 12 (epoch 2)"})
    view.feed({"kind": "status", "step": 40, "epoch": 4, "time": 9.0, "status": "finished"})
    assert out.getvalue().splitlines() == [
        "loading TensorFlow",
        "epoch 1/4  loss 0.4  val_loss 0.45  lr 0.01  3000 samples/s  ETA -",
        "paused: paused at step 12 (epoch 2)",
    ]
    assert view.final_status == "finished"


def test_runs_table_and_durations(tmp_path):
    gpu_run = tmp_path / "a"
    gpu_run.mkdir()
    (gpu_run / "run.json").write_text('{"system": {"gpu_mem_peak": 3758096384}}')
    runs = [RunInfo(gpu_run, "spiral-1", "spiral", "finished", 0.0, 65.0, 5, 5, {"val_loss": 0.123456}, 65.0, "val_loss"),
            RunInfo(Path("r/b"), "spiral-2", "spiral", "crashed", 0.0, None, 1, 30, {}, 3725.0)]
    assert runs_table(runs).splitlines() == [
        "NAME      STATUS    EPOCHS  BEST             DURATION  GPU MEM  REASON",
        "spiral-1  finished  5/5     val_loss 0.1235  1:05      3.5 GiB",
        "spiral-2  crashed   1/30    -                1:02:05   -        the trainer left no error and no log (it may not have started)",
    ]
    failed = RunInfo(Path("r/c"), "spiral-3", "spiral", "failed", 0.0, 1.0, 0, 30, {}, 1.0,
                     error="p.toml:12: layers[1].unitz: Dense has no argument 'unitz'")
    assert runs_table([failed]).splitlines()[1].endswith("p.toml:12: layers[1].unitz: Dense has no argument 'unitz'")
    assert fmt_duration(None) == "-"


def test_train_and_runs_commands_refuse_bad_arguments_before_starting_anything(tmp_path, capsys):
    from tuitrain.__main__ import main as cli_main

    assert cli_main(["train", "--runs-dir", str(tmp_path)]) == 2
    assert "needs a PRESET" in capsys.readouterr().err
    assert cli_main(["train", "spiral_mlp", "--resume", str(tmp_path)]) == 2
    assert "either a PRESET or --resume" in capsys.readouterr().err
    assert cli_main(["train", "--resume", str(tmp_path / "nope")]) == 2
    assert "not a run directory" in capsys.readouterr().err
    assert cli_main(["train", "spiral_mlp", "--runs-dir", str(tmp_path), "--set", "fit.flush_interval=0"]) == 2
    assert "fit.flush_interval: expected seconds (a number > 0, at most 3600), got 0" in capsys.readouterr().err
    assert cli_main(["runs", "--runs-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.startswith(f"no runs under {tmp_path}")
    not_a_dir = tmp_path / "file.txt"
    not_a_dir.write_text("x")
    assert cli_main(["runs", "--runs-dir", str(not_a_dir)]) == 2
    assert f"{not_a_dir}: not a directory" in capsys.readouterr().err
    not_a_dir.unlink()
    assert list(tmp_path.iterdir()) == []


def test_engine_options_are_checked_with_their_key_path():
    import pytest

    from tuitrain.trainer.fit_options import engine_options
    from tuitrain.common.errors import SpecError

    opts = engine_options({"checkpoint_monitor": "val_accuracy", "log_every": 5, "tensorboard": True})
    assert (opts.monitor_for(True), opts.mode_for("val_accuracy"), opts.log_every, opts.tensorboard) == ("val_accuracy", "max", 5, True)
    assert engine_options({}).monitor_for(False) == "loss" and engine_options({}).mode_for("val_loss") == "min"
    with pytest.raises(SpecError, match=r"fit\.log_every: expected an integer ≥ 1, got 0"):
        engine_options({"log_every": 0})
    with pytest.raises(SpecError, match=r"fit\.checkpoint_mode"):
        engine_options({"checkpoint_mode": "best"})


def test_pipe_view_prints_every_nth_epoch_and_the_last():
    out = io.StringIO()
    view = ProgressView(out, live=False, every_epochs=3)
    for epoch in range(1, 8):
        view.feed({"kind": "epoch", "step": 10 * epoch, "epoch": epoch, "time": float(epoch), "samples_per_s": 100,
                   "epochs": 7, "steps": 10, "loss": 1.0 / epoch})
    assert [line.split()[1] for line in out.getvalue().splitlines()] == ["3/7", "6/7", "7/7"]


def test_a_killed_runs_reason_is_not_tensorflows_start_up_chatter(tmp_path):
    """A trainer killed with -9 leaves only TensorFlow's start-up lines in its log; ``cuInit`` failing
    on a machine without a GPU is no reason the run ended."""
    from tuitrain.runs.rundir import RunInfo, write_run_json
    from tuitrain.cli.train_commands import failure_reason

    write_run_json(tmp_path, {"status": "crashed", "name": "r", "started": 1.0})
    (tmp_path / "trainer.log").write_text(
        "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
        "E0000 00:00:1796228576.927191    2539 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA error\n")
    assert failure_reason(RunInfo.from_dir(tmp_path)).startswith("the trainer process ended without writing its outcome")
    with open(tmp_path / "trainer.log", "a") as log:
        log.write("MemoryError: cannot allocate\n")
    assert failure_reason(RunInfo.from_dir(tmp_path)) == "MemoryError: cannot allocate"
