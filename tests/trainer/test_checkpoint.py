"""The Checkpointer on its own: what is on disk after each epoch, and after a kill at every step of a commit."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tuitrain.trainer import checkpoint
from tuitrain.trainer.checkpoint import STAGES, Checkpointer, checkpoint_state, read_state


class Killed(BaseException):
    """What a kill -9 leaves: no ``except Exception`` cleanup runs."""


def tiny_model():
    import keras

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def at_epoch(model, epoch: int):
    """Weights that say which epoch they are from: every value equals the epoch number."""
    model.set_weights([np.full(w.shape, float(epoch), dtype=w.dtype) for w in model.get_weights()])


def weights_epoch(path) -> int:
    import keras

    values = np.concatenate([w.ravel() for w in keras.models.load_model(path, safe_mode=True).get_weights()])
    assert np.all(values == values[0])
    return int(values[0])


def run_epochs(cp: Checkpointer, model, epochs, losses) -> None:
    for epoch, loss in zip(epochs, losses):
        at_epoch(model, epoch + 1)
        cp.on_epoch_end(epoch, {"loss": loss})


@pytest.fixture
def model():
    return tiny_model()


def test_last_and_best_hold_the_epochs_their_state_names(tmp_path, model):
    cp = Checkpointer(tmp_path, monitor="loss", mode="min", every_s=0)
    cp.set_model(model)
    run_epochs(cp, model, range(4), [0.9, 0.5, 0.7, 0.8])
    assert weights_epoch(tmp_path / "last.keras") == 4
    assert weights_epoch(tmp_path / "best.keras") == 2
    state = read_state(tmp_path)
    assert (state["epochs_done"], state["best"], state["best_epoch"]) == (4, 0.5, 2)
    assert checkpoint_state(tmp_path / "best.keras")["best_epoch"] == 2
    assert json.loads((tmp_path / "state.json").read_text())["epochs_done"] == 4
    assert cp.saves == 4
    assert not [p for p in tmp_path.iterdir() if ".tmp" in p.name]


def test_spacing_keeps_the_best_weights_until_the_end(tmp_path, model):
    cp = Checkpointer(tmp_path, monitor="loss", mode="min", every_s=3600)
    cp.set_model(model)
    run_epochs(cp, model, range(5), [0.9, 0.8, 0.3, 0.6, 0.7])
    assert cp.saves == 1 and weights_epoch(tmp_path / "last.keras") == 1  # only the first epoch wrote
    cp.finalize()
    assert weights_epoch(tmp_path / "last.keras") == 5
    assert weights_epoch(tmp_path / "best.keras") == 3  # kept in memory, written at the end
    assert read_state(tmp_path)["best_epoch"] == 3
    assert weights_epoch(tmp_path / "last.keras") == 5  # the model got its current weights back


def test_max_mode_and_non_finite_values(tmp_path, model):
    cp = Checkpointer(tmp_path, monitor="accuracy", mode="max", every_s=0)
    cp.set_model(model)
    for epoch, acc in enumerate([0.2, float("nan"), 0.6, float("inf"), 0.4]):
        at_epoch(model, epoch + 1)
        cp.on_epoch_end(epoch, {"accuracy": acc})
    assert read_state(tmp_path)["best_epoch"] == 3 and weights_epoch(tmp_path / "best.keras") == 3


def test_a_failed_run_never_overwrites_good_checkpoints(tmp_path, model):
    class Live:
        failure = None
        epochs_done = 1

    live = Live()
    cp = Checkpointer(tmp_path, monitor="loss", mode="min", every_s=0, live=live)
    cp.set_model(model)
    at_epoch(model, 1)
    cp.on_epoch_end(0, {"loss": 0.5})
    live.failure, live.epochs_done = "loss became nan at step 9", 2
    at_epoch(model, 2)
    cp.on_epoch_end(1, {"loss": float("nan")})
    cp.finalize()
    assert weights_epoch(tmp_path / "last.keras") == 1 and read_state(tmp_path)["epochs_done"] == 1


def test_state_json_alone_is_read_for_checkpoints_without_state_inside(tmp_path, model):
    model.save(tmp_path / "last.keras")
    (tmp_path / "state.json").write_text(json.dumps({"epochs_done": 7, "monitor": "loss"}))
    assert read_state(tmp_path)["epochs_done"] == 7


def test_the_old_layout_resumed_with_the_wrong_epoch(tmp_path, model):
    """The fault as it was seen: killed after last.keras was renamed, before state.json was written.

    ``state.json`` (what resume used to read) still names the previous epoch while ``last.keras``
    holds the new weights; the state committed inside the checkpoint names the right one.
    """
    cp = Checkpointer(tmp_path, monitor="loss", mode="min", every_s=0)
    cp.set_model(model)
    run_epochs(cp, model, range(2), [0.9, 0.8])

    def kill(stage):
        if stage == "last_renamed":
            raise Killed

    checkpoint.fault_hook = kill
    try:
        with pytest.raises(Killed):
            run_epochs(cp, model, [2], [0.95])
    finally:
        checkpoint.fault_hook = None
    assert json.loads((tmp_path / "state.json").read_text())["epochs_done"] == 2  # stale
    assert weights_epoch(tmp_path / "last.keras") == 3
    assert read_state(tmp_path)["epochs_done"] == 3


@pytest.mark.parametrize("improves", [True, False], ids=["best-improves", "best-unchanged"])
@pytest.mark.parametrize("stage", STAGES)
def test_kill_at_every_stage_of_a_commit_leaves_consistent_checkpoints(tmp_path, model, stage, improves):
    cp = Checkpointer(tmp_path, monitor="loss", mode="min", every_s=0)
    cp.set_model(model)
    run_epochs(cp, model, range(2), [0.9, 0.5])  # committed: last = 2, best = 2

    def kill(reached):
        if reached == stage:
            raise Killed

    checkpoint.fault_hook = kill
    try:
        try:
            run_epochs(cp, model, [2], [0.1 if improves else 0.7])
        except Killed:
            pass
    finally:
        checkpoint.fault_hook = None

    state = read_state(tmp_path)
    assert weights_epoch(tmp_path / "last.keras") == state["epochs_done"] in (2, 3)
    assert weights_epoch(tmp_path / "best.keras") == state["best_epoch"]
    assert state["best"] == {2: 0.5, 3: 0.1}[state["best_epoch"]]
    # A new trainer (resume) clears what the killed one left and commits again.
    again = Checkpointer(tmp_path, monitor="loss", mode="min", every_s=0,
                         epochs_done=state["epochs_done"], best=state["best"], best_epoch=state["best_epoch"])
    assert not [p for p in tmp_path.iterdir() if ".tmp" in p.name]
    again.set_model(model)
    run_epochs(again, model, [state["epochs_done"]], [0.05])
    assert read_state(tmp_path)["epochs_done"] == state["epochs_done"] + 1
    assert weights_epoch(tmp_path / "best.keras") == state["epochs_done"] + 1


def test_a_disk_error_mid_save_leaves_the_previous_checkpoint_and_no_temp_file(tmp_path, model, monkeypatch):
    cp = Checkpointer(tmp_path, monitor="loss", mode="min", every_s=0)
    cp.set_model(model)
    run_epochs(cp, model, [0], [0.9])

    def full(stage):
        if stage == "saved":
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(checkpoint, "fault_hook", full)
    with pytest.raises(OSError):
        run_epochs(cp, model, [1], [0.5])
    assert weights_epoch(tmp_path / "last.keras") == 1 == read_state(tmp_path)["epochs_done"]
    assert not [p for p in tmp_path.iterdir() if ".tmp" in p.name]


def test_a_huge_or_hostile_state_file_in_a_copied_run_is_no_state(tmp_path):
    """#22: checkpoints' state files are read with a size bound (a 3 GB state.json is not read)."""
    with open(tmp_path / checkpoint.STATE, "wb") as fh:
        fh.truncate(3 * 2 ** 30)
    assert read_state(tmp_path) == {}
    (tmp_path / checkpoint.STATE).write_text("[" * 100_000)
    assert read_state(tmp_path) == {}
    (tmp_path / checkpoint.STATE).write_text('{"epochs_done": 4}')
    assert read_state(tmp_path) == {"epochs_done": 4}


def test_an_epoch_a_stop_cut_short_is_never_the_best(tmp_path, model):
    class Live:
        failure = None
        epochs_done = 1
        epoch_partial = False

    live = Live()
    cp = Checkpointer(tmp_path, monitor="loss", mode="min", every_s=0, live=live)
    cp.set_model(model)
    at_epoch(model, 1)
    cp.on_epoch_end(0, {"loss": 0.5})
    live.epoch_partial = True  # stopped after a few batches of epoch 2: their mean loss looks better
    at_epoch(model, 2)
    cp.on_epoch_end(1, {"loss": 0.1})
    cp.finalize()
    assert weights_epoch(tmp_path / "best.keras") == 1
    assert (read_state(tmp_path)["best"], read_state(tmp_path)["best_epoch"]) == (0.5, 1)
    assert weights_epoch(tmp_path / "last.keras") == 2  # the last checkpoint still holds what was trained
