"""TensorBoard log folders read as runs, live while another process writes them."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tuitrain.runs.tensorboard import (
    TensorBoardReader,
    find_event_files,
    is_tensorboard_dir,
    metric_name,
    tensorboard_run_info,
)

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "tensorboard_writer.py"
DEADLINE_S = 120.0


def test_tags_map_to_the_trainers_metric_names():
    assert metric_name("train", "epoch_loss") == ("epoch", "loss")
    assert metric_name("validation", "epoch_accuracy") == ("epoch", "val_accuracy")
    assert metric_name("train", "epoch_learning_rate") == ("epoch", "lr")
    assert metric_name("train", "batch_loss") == ("batch", "loss")
    assert metric_name("", "Loss/train") == ("batch", "Loss/train")
    assert metric_name("eval_b", "epoch_loss") == ("epoch", "eval_b/loss")
    assert metric_name("validation", "evaluation_loss_vs_iterations") is None


def _wait(predicate, what, proc=None):
    end = time.monotonic() + DEADLINE_S
    while not predicate():
        if proc is not None and proc.poll() is not None and proc.returncode != 0:
            raise AssertionError(f"writer failed: {proc.stdout.read()}")
        if time.monotonic() > end:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """A log folder written by keras.callbacks.TensorBoard in another process, read while it runs."""
    tmp = tmp_path_factory.mktemp("tb")
    logdir, gate = tmp / "logs", tmp / "gate"
    proc = subprocess.Popen([sys.executable, str(SCRIPT), str(logdir), str(gate), "8", "6"], text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        _wait(lambda: is_tensorboard_dir(logdir), "the first event files", proc)
        reader = TensorBoardReader(logdir)
        seen: list[dict] = []
        _wait(lambda: seen.extend(reader.poll()) or len([e for e in seen if e["kind"] == "epoch"]) >= 2,
              "two epochs while the writer waits at its gate", proc)
        live = {"epochs": len([e for e in seen if e["kind"] == "epoch"]), "alive": proc.poll() is None,
                "status": reader.status()["status"]}
        gate.touch()
        out, _ = proc.communicate(timeout=DEADLINE_S)
        assert proc.returncode == 0, out
        _wait(lambda: seen.extend(reader.poll()) or len([e for e in seen if e["kind"] == "epoch"]) == 8,
              "all eight epochs after the writer ended")
        history = ast.literal_eval(next(line for line in out.splitlines() if line.startswith("HISTORY "))[8:])
        return {"logdir": logdir, "events": seen, "live": live, "history": history, "reader": reader}
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_folder_another_process_writes_is_read_live(written):
    live = written["live"]
    assert live["alive"] and live["status"] == "running" and 2 <= live["epochs"] < 8


def test_epoch_rows_carry_what_keras_logged_once_each(written):
    epochs = [e for e in written["events"] if e["kind"] == "epoch"]
    history = written["history"]
    assert [e["epoch"] for e in epochs] == list(range(1, 9))
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert [e[key] for e in epochs] == pytest.approx(history[key], rel=1e-6), key
    assert all(e["lr"] == pytest.approx(0.05) for e in epochs)
    assert [e for e in written["events"] if e["kind"] == "batch"] == []  # Keras' default: epoch summaries only
    times = [e["time"] for e in epochs]
    assert times == sorted(times) and times[0] >= 0


def test_the_folder_as_a_run(written):
    reader = written["reader"]
    assert reader.model_config["class_name"] == "Sequential"
    info = tensorboard_run_info(written["logdir"])
    assert info.name == "logs" and info.epochs_done == 8 and info.preset_name == "tensorboard"
    assert info.best["val_loss"] == pytest.approx(min(written["history"]["val_loss"]), rel=1e-6)
    assert info.best["accuracy"] == pytest.approx(max(written["history"]["accuracy"]), rel=1e-6)
    assert set(find_event_files(written["logdir"])) == {"train", "validation"}


def test_a_record_cut_in_half_is_read_once_it_is_whole(written, tmp_path):
    source = find_event_files(written["logdir"])["train"][0]
    data = source.read_bytes()
    target = tmp_path / "run" / "train" / source.name
    target.parent.mkdir(parents=True)
    target.write_bytes(data[: len(data) // 2])
    reader = TensorBoardReader(tmp_path / "run", settle_s=0.0)
    first = [e["epoch"] for e in reader.poll() if e["kind"] == "epoch"]
    assert first == list(range(1, len(first) + 1)) and len(first) < 8
    with open(target, "ab") as fh:
        fh.write(data[len(data) // 2:])
    rest = [e["epoch"] for e in reader.poll() if e["kind"] == "epoch"]
    assert first + rest == list(range(1, 9))


def test_a_run_directory_or_an_empty_folder_is_not_a_log_folder(tmp_path, written):
    assert not is_tensorboard_dir(tmp_path)
    run = tmp_path / "run"
    shutil.copytree(written["logdir"], run)
    assert is_tensorboard_dir(run)
    (run / "run.json").write_text("{}")
    assert not is_tensorboard_dir(run)


def test_a_folder_whose_writer_ended_is_finished_and_holds_nothing_back(written):
    assert written["reader"].status()["status"] == "finished"  # the writer process is gone
    info = tensorboard_run_info(written["logdir"])
    assert info.status == "finished" and info.ended is not None
    fresh = TensorBoardReader(written["logdir"])  # the app's reader, with its usual settle time
    assert len([e for e in fresh.poll() if e["kind"] == "epoch"]) == 8  # the last epoch at once, not 2 s later


def test_who_writes_an_event_file_is_read_from_its_name(tmp_path):
    import os
    import socket

    from tests.runs.hostile_tb import epoch_records, write_log
    from tuitrain.runs.tensorboard import writer_alive

    host, now = socket.gethostname(), int(time.time())
    mine = write_log(tmp_path / "mine", *epoch_records(range(1, 3)), name=f"events.out.tfevents.{now}.{host}.{os.getpid()}.0.v2")
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    gone = write_log(tmp_path / "gone", *epoch_records(range(1, 3)),
                     name=f"events.out.tfevents.{now}.{host}.{int(done.stdout)}.0.v2")
    far = write_log(tmp_path / "far", *epoch_records(range(1, 3)), name=f"events.out.tfevents.{now}.gpu-7.example.org.4242.1.v2")
    assert writer_alive(mine)  # this process, alive and older than its file
    os.utime(mine, (now - 3600, now - 3600))
    assert not writer_alive(mine)  # alive, but silent for an hour (a notebook that wrote once)
    assert not writer_alive(gone)  # written a moment ago, but its process has ended
    assert writer_alive(far)  # another host: only the file's age tells, and it is new
    os.utime(far, (now - 600, now - 600))
    assert not writer_alive(far)
    old_pid_new_file = write_log(tmp_path / "reused", *epoch_records(range(1, 3)),
                                 name=f"events.out.tfevents.{now - 10**6}.{host}.{os.getpid()}.0.v2")
    assert not writer_alive(old_pid_new_file)  # made before this process began: the pid was reused
    assert tensorboard_run_info(tmp_path / "gone").status == "finished"
