"""The bundled transfer-learning preset trains both phases through the real trainer process."""

from __future__ import annotations

from tuitrain.__main__ import main as cli_main
from tuitrain.runs.events import read_events
from tuitrain.runs.listing import list_runs
from tuitrain.runs.rundir import read_run_json


def _keras_counts_per_phase():
    """What Keras says: the preset's model with the backbone frozen, then its last 20 layers unfrozen."""
    from tuitrain.model import prepare
    from tuitrain.model.phases import apply_phase_trainability, trainable_counts
    from tuitrain.preset import find_preset, load_preset

    preset = load_preset(find_preset("transfer_learning"), ["data.samples=64"])
    model = prepare(preset).model
    backbone = model.get_layer("backbone")
    frozen = trainable_counts(model)
    apply_phase_trainability(model, preset.phases, 1, preset.layers)
    unfrozen = trainable_counts(model)
    top = backbone.layers[-20:]
    assert [layer.trainable for layer in backbone.layers[:-20]] == [False] * (len(backbone.layers) - 20)
    assert all(layer.trainable != (type(layer).__name__ == "BatchNormalization") for layer in top)
    return frozen, unfrozen, model.layers[-1].count_params()  # the Dense head


def test_transfer_learning_preset_trains_frozen_then_fine_tuned(tmp_path, capsys):
    rc = cli_main(["train", "transfer_learning", "--runs-dir", str(tmp_path), "--set", "data.samples=64",
                   "--set", "phases.0.epochs=1", "--set", "phases.1.epochs=1"])
    assert rc == 0, capsys.readouterr().out
    run_dir = list_runs(tmp_path)[0].path
    info = read_run_json(run_dir)
    assert info["status"] == "finished" and info["epochs_done"] == 2
    assert [(p["start_epoch"], p["epochs"]) for p in info["phases"]] == [(0, 1), (1, 1)]
    assert info["phases"][1]["unfreeze"] == {"layer": "backbone", "top": 20}
    events = [e for e in read_events(run_dir / "events.jsonl") if e["kind"] == "phase"]
    assert [(e["phase"], e["start_epoch"]) for e in events] == [(1, 0), (2, 1)]
    frozen, unfrozen, head = _keras_counts_per_phase()
    assert (events[0]["trainable_params"], events[0]["frozen_params"]) == frozen
    assert (events[1]["trainable_params"], events[1]["frozen_params"]) == unfrozen
    assert frozen[0] == head < unfrozen[0]  # phase 1 trains the head alone; phase 2 more
    assert sum(frozen) == sum(unfrozen)
    epochs = [e for e in read_events(run_dir / "events.jsonl") if e["kind"] == "epoch"]
    assert [e["epoch"] for e in epochs] == [1, 2]
    assert [round(e["lr"], 6) for e in epochs] == [0.001, 0.0001]
