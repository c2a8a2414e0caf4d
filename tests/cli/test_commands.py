"""One command line: the app takes train's options, unknown words and options are errors, --version."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tuitrain import __version__
from tuitrain.__main__ import main
from tuitrain.cli.main import build_app_parser


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out.strip() == f"tuitrain {__version__}"


@pytest.mark.parametrize("word, close", [("spiral_mlq", "spiral_mlp"), ("atach", "attach"), ("metric", "metrics")])
def test_an_unknown_word_is_an_error_with_close_names(capsys, word, close):
    assert main([word]) == 2
    err = capsys.readouterr().err
    assert f"'{word}' is not a command, a preset, a run directory or a TensorBoard log folder" in err
    assert f"Did you mean '{close}'" in err


def test_a_folder_that_is_no_run_is_an_error(capsys, tmp_path):
    assert main([str(tmp_path)]) == 2
    assert "neither a run directory (no run.json) nor a TensorBoard log folder" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--bogus"], ["spiral_mlp", "--bogus"], ["runs", "--bogus"], ["train", "x", "--nope"],
                                  ["metrics", "r", "--csv", "--json"], ["train", "spiral_mlp", "--log-every-epochs", "0"]])
def test_unknown_or_bad_options_are_errors_everywhere(capsys, argv):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2 and "error:" in capsys.readouterr().err


def test_the_app_takes_set_and_runs_dir_like_train():
    args = build_app_parser().parse_args(["spiral_mlp", "--set", "fit.epochs=300", "--set", "layers.0.units=8",
                                          "--runs-dir", "elsewhere"])
    assert args.target == "spiral_mlp" and args.overrides == ["fit.epochs=300", "layers.0.units=8"]
    assert args.runs_dir == "elsewhere"


def test_train_to_a_file_writes_whole_lines_every_n_epochs(tmp_path):
    done = subprocess.run([sys.executable, "-m", "tuitrain", "train", "spiral_mlp", "--runs-dir", str(tmp_path),
                           "--set", "data.samples=200", "--set", "fit.epochs=5", "--log-every-epochs", "2"],
                          capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert "\r" not in done.stdout
    epochs = [line.split()[1] for line in done.stdout.splitlines() if line.startswith("epoch ")]
    assert epochs == ["2/5", "4/5", "5/5"]
    assert done.stdout.splitlines()[-1].startswith("finished after 5 epochs")


def test_attach_refuses_a_folder_that_is_no_run(capsys, tmp_path):
    assert main(["attach", str(tmp_path)]) == 2
    assert "neither a run directory (no run.json) nor a TensorBoard log folder" in capsys.readouterr().err


def test_a_bad_set_for_the_app_is_an_error_before_it_opens(capsys):
    assert main(["spiral_mlp", "--set", "fit.epoch=3"]) == 2
    err = capsys.readouterr().err
    assert "fit.epoch" in err and "epochs" in err
