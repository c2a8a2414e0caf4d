"""Every printing command at COLUMNS=80: no line longer than 80, and every number it prints is whole (the
same numbers as the unbounded output, none cut by a wrap or a "…")."""

from __future__ import annotations

import io
import re
import time
import types

import pytest

from tests.cli.runs_on_disk import fake_run
from tests.ui.snapshot_apps.sweep_fixture import write_sweep
from tuitrain.__main__ import main
from tuitrain.cli.progress import ProgressView
from tuitrain.runs.names import resolve_run

WIDTH = 80
LONG_ERROR = ("p.toml:12: layers[1].unitz: Dense has no argument 'unitz'. Did you mean 'units'? Arguments: units, "
              "activation, use_bias, kernel_initializer, bias_initializer")
NUMBER = re.compile(r"(?<![\w.])\d[\d,.:]*\d(?![\w])|(?<![\w.])\d(?![\w.])")


def _on_disk(root):
    fake_run(root, "spiral_mlp-20261205-101500", units=64, started=100.0,
             best={"val_accuracy": 0.9312, "val_loss": 0.2345}, system={"gpu_mem_peak": 3758096384})
    fake_run(root, "transfer_learning-20261205-113000-2", started=200.0, status="failed", error=LONG_ERROR)
    fake_run(root, "digits_mlp-20261205-120000", units=128, started=300.0, monitor="val_accuracy",
             description="The spiral with 128 units in its first layer, 1,797 samples and 10 classes, to see the width.")
    write_sweep(root)


COMMANDS = {
    "runs": ["runs", "--runs-dir", "runs"],
    "runs --columns": ["runs", "--runs-dir", "runs", "--columns", "layers[0].units,compile.optimizer,fit.epochs"],
    "sweeps": ["sweeps", "--runs-dir", "runs"],
    "presets": ["presets"],
    "diff": ["diff", "spiral_mlp-20261205-101500", "digits_mlp-20261205-120000", "--runs-dir", "runs"],
    "new --list": ["new", "--list"],
    "devices": ["devices"],
    "check": ["check", "digits_mlp"],
}


def _output(capsys, argv, columns):
    if columns:
        capsys.readouterr()
    assert main(argv) == 0
    out, err = capsys.readouterr()
    return out + err


@pytest.mark.parametrize("command", COMMANDS)
def test_output_fits_80_columns_with_every_number_whole(command, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _on_disk(tmp_path / "runs")
    now = time.time()  # a running trial's duration is counted to now: the same now for both outputs
    monkeypatch.setattr("tuitrain.runs.rundir.time", types.SimpleNamespace(time=lambda: now, strftime=time.strftime))
    monkeypatch.delenv("COLUMNS", raising=False)
    wide = _output(capsys, COMMANDS[command], None)  # into a pipe: no width, nothing cut or wrapped
    monkeypatch.setenv("COLUMNS", str(WIDTH))
    narrow = _output(capsys, COMMANDS[command], WIDTH)
    too_long = [line for line in narrow.splitlines() if len(line) > WIDTH]
    assert not too_long, f"{len(too_long)} lines over {WIDTH} columns:\n" + "\n".join(too_long)
    if command != "devices":  # the others print fixed input; what devices says depends on the machine
        assert max(map(len, wide.splitlines())) > WIDTH  # the command had something to fit
    assert not re.search(r"\d…", narrow)
    assert set(NUMBER.findall(narrow)) - {str(WIDTH)} <= set(NUMBER.findall(wide))  # "left out at 80 columns"


def test_runs_at_80_shortens_a_long_name_in_the_middle_and_it_still_finds_the_run(capsys, tmp_path, monkeypatch):
    _on_disk(tmp_path)
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["runs", "--runs-dir", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["NAME", "STATUS", "EPOCHS", "BEST", "DURATION"]  # GPU memory left out first
    assert lines[1].split() == ["digits_mlp-20261205-120000", "finished", "5/5", "val_accuracy", "0.93", "1:05"]
    failed = lines.index(next(line for line in lines if line.startswith("transfer_…-20261205-113000-2 ")))
    assert resolve_run("transfer_…-20261205-113000-2", tmp_path) == tmp_path / "transfer_learning-20261205-113000-2"
    assert lines[failed + 1].startswith("  ↳ p.toml:12: layers[1].unitz: Dense has no argument 'unitz'.")
    assert lines[failed + 2] == "    'units'? Arguments: units, …"  # wrapped between words (cut at 100 as before)


def test_train_progress_wraps_between_fields_and_the_live_line_leaves_metrics_off():
    out = io.StringIO()
    view = ProgressView(out, live=True, width=WIDTH)
    view.feed({"kind": "status", "step": 0, "epoch": 0, "time": 1.0, "status": "running", "epochs": 30,
               "steps_per_epoch": 25})
    metrics = {"loss": 0.123456, "accuracy": 0.98765, "val_loss": 0.234567, "val_accuracy": 0.95432,
               "precision": 0.912345, "val_precision": 0.90123}
    view.feed({"kind": "batch", "step": 3, "epoch": 1, "time": 2.0, "samples_per_s": 31234, **metrics})
    view.render()
    live = out.getvalue().rsplit("\r\x1b[2K", 1)[1]
    assert len(live) <= WIDTH and live.startswith("epoch 1/30 [##------------------] 3/25  loss 0.1235")
    assert live.endswith("31234 samples/s  ETA -")
    view.feed({"kind": "epoch", "step": 25, "epoch": 1, "time": 3.0, "samples_per_s": 30000, "epochs": 30,
               "steps": 25, "lr": 0.001, **metrics})
    printed = out.getvalue().rsplit("\r\x1b[2K", 1)[1].splitlines()
    assert all(len(line) <= WIDTH for line in printed) and len(printed) == 2
    fields = [f for line in printed for f in line.strip().split("  ")]
    assert fields == ["epoch 1/30", "loss 0.1235", "accuracy 0.9877", "val_loss 0.2346", "val_accuracy 0.9543",
                      "precision 0.9123", "val_precision 0.9012", "lr 0.001", "30000 samples/s", "ETA 0:33"]


def test_train_prints_within_80_columns(capsys, tmp_path, monkeypatch, preset_file):
    monkeypatch.setenv("COLUMNS", str(WIDTH))
    monkeypatch.chdir(tmp_path)  # paths as people give them (a path is one word: it is never broken)
    preset_file()
    assert main(["train", "p.toml", "--set", "fit.epochs=2", "--set", "data.validation_split=0.25",
                 "--set", 'compile.metrics=["accuracy", {type = "SparseTopKCategoricalAccuracy", k = 1}]']) == 0
    lines = capsys.readouterr().out.splitlines()
    assert all(len(line) <= WIDTH for line in lines), "\n".join(lines)
    epoch = next(i for i, line in enumerate(lines) if line.startswith("epoch 2/2  accuracy "))
    assert lines[epoch + 1].startswith("  ") and lines[epoch + 2].startswith("  ")  # wrapped between fields
    fields = " ".join(lines[epoch:epoch + 3]).split()
    assert fields[fields.index("val_loss") + 1].replace(".", "", 1).isdigit() and fields[-2] == "ETA"
    assert lines[-1].startswith("finished after 2 epochs")


def test_a_followed_sweeps_ranking_fits_80_columns(tmp_path):
    from tuitrain.cli.sweep_commands import sweep_table
    from tuitrain.sweep.sweepdir import list_sweeps

    write_sweep(tmp_path)
    [info] = list_sweeps(tmp_path)
    wide, narrow = sweep_table(info), sweep_table(info, WIDTH)
    assert max(map(len, wide.splitlines())) > WIDTH
    assert all(len(line) <= WIDTH for line in narrow.splitlines()), narrow
    assert set(NUMBER.findall(narrow)) <= set(NUMBER.findall(wide)) and not re.search(r"\d…", narrow)


    def trials(text):  # each trial's first cells, below the header; a failed trial's reason under its row
        lines = text.splitlines()
        body = lines[next(i for i, line in enumerate(lines) if "TRIAL" in line) + 1:]
        return [line.split()[:3] for line in body if not line.lstrip().startswith("↳")]

    assert trials(narrow) == trials(wide)
    assert narrow.splitlines()[-1] == "  ↳ ValueError: NaN loss at step 12"


def test_a_setting_asked_for_is_never_left_out_silently(capsys, tmp_path, monkeypatch):
    _on_disk(tmp_path)
    monkeypatch.setenv("COLUMNS", str(WIDTH))
    assert main(["runs", "--runs-dir", str(tmp_path), "--columns", "layers[0].units,compile.optimizer"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[0].split()[-1] == "…].UNITS"  # a long key's header cut at its start; its values whole
    assert " ".join(err.split()) == ("note: left out at 80 columns: compile.optimizer (a wider terminal or "
                                     "`tuitrain runs --json` shows them)")
