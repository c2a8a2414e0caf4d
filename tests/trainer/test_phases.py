"""[[phases]] through the real trainer process: one run, epochs counted on, trainability and
learning rate changed at the boundary, and --resume continuing in the right phase."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import pytest

from tuitrain.__main__ import main as cli_main
from tuitrain.runs.events import read_events
from tuitrain.runs.listing import list_runs
from tuitrain.runs.rundir import read_run_json
from tuitrain.trainer.phases import Cursor, phases_record, resume_cursor

PHASED = """
name = "phased"
seed = 1
[data]
source = "synthetic:spiral"
samples = 200
[[layers]]
name = "body"
type = "Dense"
units = 16
activation = "relu"
trainable = false
[[layers]]
type = "Dense"
units = 2
activation = "softmax"
[compile]
optimizer = { type = "Adam", learning_rate = 0.01 }
loss = "sparse_categorical_crossentropy"
[fit]
batch_size = 50
checkpoint_every = 0
[[phases]]
epochs = 1
[[phases]]
epochs = 1
unfreeze = { layer = "body" }
learning_rate = 0.001
"""


def keras_counts(body_trainable: bool) -> tuple[int, int]:
    """(trainable, frozen) parameters as Keras counts them for the same stack."""
    import keras

    body = keras.layers.Dense(16, activation="relu")
    model = keras.Sequential([keras.Input((2,)), body, keras.layers.Dense(2, activation="softmax")])
    body.trainable = body_trainable
    return model.count_params() - sum(int(w.numpy().size) for w in model.non_trainable_weights), \
        sum(int(w.numpy().size) for w in model.non_trainable_weights)


@pytest.fixture(scope="module")
def phased_run(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("phased")
    (folder / "phased.toml").write_text(PHASED)
    assert cli_main(["train", str(folder / "phased.toml"), "--runs-dir", str(folder / "runs")]) == 0
    return list_runs(folder / "runs")[0].path


def phase_events(run_dir: Path) -> list[dict]:
    return [e for e in read_events(run_dir / "events.jsonl") if e["kind"] == "phase"]


def test_phases_train_in_one_run_with_epochs_counted_on(phased_run):
    info = read_run_json(phased_run)
    assert info["status"] == "finished" and info["epochs_done"] == 2 and info["phase"] == 2
    assert [p["start_epoch"] for p in info["phases"]] == [0, 1]
    epochs = [e for e in read_events(phased_run / "events.jsonl") if e["kind"] == "epoch"]
    assert [e["epoch"] for e in epochs] == [1, 2]
    assert [e["epochs"] for e in epochs] == [2, 2]  # counted against the run, not the phase
    assert [e["lr"] for e in epochs] == pytest.approx([0.01, 0.001])  # the optimizer rebuilt at phase 2's rate
    with open(phased_run / "metrics.csv", newline="") as fh:
        assert [int(r["epoch"]) for r in csv.DictReader(fh)] == [0, 1]  # appended, not restarted


def test_phase_events_mark_each_boundary_with_what_keras_trains(phased_run):
    events = phase_events(phased_run)
    assert [(e["phase"], e["start_epoch"], e["epoch"]) for e in events] == [(1, 0, 0), (2, 1, 1)]
    assert (events[0]["trainable_params"], events[0]["frozen_params"]) == keras_counts(False)
    assert (events[1]["trainable_params"], events[1]["frozen_params"]) == keras_counts(True)
    assert events[1]["unfreeze"] == "body" and events[1]["learning_rate"] == pytest.approx(0.001)
    assert events[1]["step"] == 4  # 160 training samples in batches of 50


def _rewrite_state(checkpoint: Path, **changes) -> None:
    from tuitrain.trainer.checkpoint import STATE_ENTRY

    with zipfile.ZipFile(checkpoint) as old:
        entries = {i.filename: old.read(i) for i in old.infolist()}
    state = json.loads(entries[STATE_ENTRY]) | changes
    entries[STATE_ENTRY] = json.dumps(state).encode()
    with zipfile.ZipFile(checkpoint, "w") as new:
        for name, data in entries.items():
            new.writestr(name, data)


def test_resume_in_the_middle_of_a_phase_keeps_its_trainability_and_rate(phased_run, capsys):
    from tuitrain.trainer.checkpoint import read_state

    state = read_state(phased_run / "checkpoints")
    assert (state["phase"], state["phase_start"], state["epochs_done"]) == (1, 1, 2)
    assert cli_main(["train", "--resume", str(phased_run), "--set", "phases.1.epochs=2"]) == 0, capsys.readouterr().out
    last = phase_events(phased_run)[-1]
    assert (last["phase"], last["start_epoch"], last["resumed"]) == (2, 1, True)
    assert (last["trainable_params"], last["frozen_params"]) == keras_counts(True)
    epochs = [e for e in read_events(phased_run / "events.jsonl") if e["kind"] == "epoch"]
    assert [e["epoch"] for e in epochs] == [1, 2, 3]
    assert epochs[-1]["lr"] == pytest.approx(0.001)  # the loaded optimizer of phase 2, not [compile]'s


def test_resume_after_phase_one_enters_phase_two_with_a_new_optimizer(tmp_path, capsys):
    """A checkpoint of phase 1's end: the resumed run enters phase 2 (unfreeze, new optimizer)."""
    (tmp_path / "phased.toml").write_text(PHASED)
    assert cli_main(["train", str(tmp_path / "phased.toml"), "--runs-dir", str(tmp_path / "runs")]) == 0
    run_dir = list_runs(tmp_path / "runs")[0].path
    _rewrite_state(run_dir / "checkpoints" / "last.keras", epochs_done=1, phase=0, phase_start=0)
    assert cli_main(["train", "--resume", str(run_dir)]) == 0, capsys.readouterr().out
    last = phase_events(run_dir)[-1]
    assert (last["phase"], last["start_epoch"], last.get("resumed")) == (2, 1, None)
    epochs = [e for e in read_events(run_dir / "events.jsonl") if e["kind"] == "epoch"]
    assert [e["epoch"] for e in epochs][-1] == 2 and epochs[-1]["lr"] == pytest.approx(0.001)


PHASES = [{"epochs": 2}, {"epochs": 3, "unfreeze": {"layer": "b", "top": 2}, "learning_rate": 1e-4}]


@pytest.mark.parametrize(("state", "done", "cursor"), [
    ({}, 0, Cursor(0, 0)),
    ({}, 1, Cursor(0, 0)),
    ({}, 2, Cursor(1, 2)),  # a checkpoint from before phases were recorded: the planned phase
    ({"phase": 0, "phase_start": 0}, 2, Cursor(1, 2)),  # phase 1 complete
    ({"phase": 1, "phase_start": 1}, 3, Cursor(1, 1)),  # phase 2 began early (EarlyStopping in phase 1)
    ({"phase": 1, "phase_start": 2}, 5, Cursor(2, 5)),  # all done
    ({"phase": 7, "phase_start": 2}, 3, Cursor(1, 2)),  # nonsense in the state: the plan decides
])
def test_resume_cursor(state, done, cursor):
    assert resume_cursor(PHASES, state, done, 0) == cursor


def test_phases_record_for_run_json():
    assert phases_record(PHASES) == [{"start_epoch": 0, "epochs": 2},
                                     {"start_epoch": 2, "epochs": 3, "learning_rate": 1e-4,
                                      "unfreeze": {"layer": "b", "top": 2}}]
