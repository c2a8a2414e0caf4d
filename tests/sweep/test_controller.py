"""The controller's decisions with trainers faked (each "run" is written at once): failures, GPUs, Hyperband.

The real trainer processes are in test_sweep_e2e.py; here a fake ``start_run`` writes a finished
run directory whose epoch rows carry the objective, so the oracle, the slots and sweep.json are
checked in seconds.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.sweep.test_check import PRESET
from tuitrain.preset import parse_preset
from tuitrain.runs.events import EventWriter
from tuitrain.runs.layout import EVENTS_FILE
from tuitrain.runs.rundir import new_run_dir, write_run_json
from tuitrain.sweep.config import sweep_config
from tuitrain.sweep.controller import run_controller
from tuitrain.sweep.launch import new_sweep
from tuitrain.sweep.sweepdir import SweepInfo


class FakeStart:
    """Writes a finished (or failed) run whose val_accuracy per epoch follows from its values."""

    def __init__(self, fail_units: int | None = None) -> None:
        self.fail_units = fail_units
        self.calls: list[dict] = []

    @staticmethod
    def accuracy(preset, epoch: int) -> float:
        return round(preset.layers[0]["units"] / 100 + epoch / 1000 - preset.layers[1]["rate"] / 10, 6)

    def __call__(self, preset, *, runs_dir, name, env, info):
        self.calls.append({"name": name, "env": env, "info": info, "fit": dict(preset.fit), "units": preset.layers[0]["units"]})
        run = new_run_dir(Path(runs_dir), name)
        writer = EventWriter(run / EVENTS_FILE, t0=0.0)
        first, epochs = int(preset.fit.get("initial_epoch", 0)), int(preset.fit.get("epochs", 2))
        for epoch in range(first + 1, epochs + 1):
            writer.epoch(epoch * 10, epoch, {"loss": 1.0, "val_accuracy": self.accuracy(preset, epoch)},
                         samples_per_s=1.0, epochs=epochs, steps=10)
        writer.close()
        failed = preset.layers[0]["units"] == self.fail_units
        write_run_json(run, {"name": run.name, "status": "failed" if failed else "finished", "pid": None,
                             "started": 1.0, "ended": 2.0, "epochs_done": 0 if failed else epochs,
                             "epochs_total": epochs, "error": "ValueError: boom in trial" if failed else None,
                             **info})
        return run


def _sweep(tmp_path: Path, space: str = "", **sweep_keys) -> Path:
    text = PRESET.replace('objective = "val_accuracy"\n', 'objective = "val_accuracy"\n' +
                        "".join(f"{k} = {json.dumps(v)}\n" for k, v in sweep_keys.items()))
    if space:
        text = text.split("[sweep.space]")[0] + "[sweep.space]\n" + space
    preset = parse_preset(text, file=str(tmp_path / "s.toml"), path=tmp_path / "s.toml")
    return new_sweep(preset, sweep_config(preset), runs_dir=tmp_path / "runs")


def test_a_failing_trial_is_recorded_with_its_reason_and_the_sweep_goes_on(tmp_path):
    sweep_dir = _sweep(tmp_path, max_trials=4, algorithm="grid", parallel=1,
                       space='"layers.0.units" = { values = [4, 8, 16, 32] }\n')
    start = FakeStart(fail_units=8)
    assert run_controller(sweep_dir, gpus=lambda: [], start=start, poll_s=0.0) == "finished"
    info = SweepInfo.from_dir(sweep_dir)
    assert sorted(c["units"] for c in start.calls) == [4, 8, 16, 32]  # grid: every value once
    failed = [t for t in info.trials if t.status == "failed"]
    assert [t.values for t in failed] == [{"layers.0.units": 8}]
    assert failed[0].error == "ValueError: boom in trial" and failed[0].score is None
    assert [t.values["layers.0.units"] for t in info.trials if t.status == "finished"] == [32, 16, 4]  # ranked
    assert info.best.values == {"layers.0.units": 32} and info.status == "finished"
    oracle_trial = json.loads((sweep_dir / "oracle" / f"trial_{failed[0].trial_id}" / "trial.json").read_text())
    assert oracle_trial["status"] == "FAILED"  # the oracle knows, and never hands it out again


def test_the_ranking_is_the_best_epoch_of_each_trials_own_metrics(tmp_path):
    sweep_dir = _sweep(tmp_path, max_trials=3, algorithm="random", parallel=1)
    run_controller(sweep_dir, gpus=lambda: [], start=FakeStart(), poll_s=0.0)
    info = SweepInfo.from_dir(sweep_dir)
    from tuitrain.runs.compare import read_all, series_rows

    own = {t.trial_id: max(r["val_accuracy"] for r in series_rows(read_all(t.run_dir), "epoch")) for t in info.trials}
    assert [t.score for t in info.trials] == sorted(own.values(), reverse=True)
    assert {t.trial_id: t.score for t in info.trials} == own


def test_two_fake_gpus_give_two_trials_at_once_each_seeing_only_its_gpu(tmp_path):
    sweep_dir = _sweep(tmp_path, max_trials=4)  # no `parallel`: one trial per visible GPU
    start = FakeStart()
    run_controller(sweep_dir, gpus=lambda: ["0", "1"], start=start, poll_s=0.0)
    envs = [c["env"] for c in start.calls]
    assert envs[:2] == [{"CUDA_VISIBLE_DEVICES": "0"}, {"CUDA_VISIBLE_DEVICES": "1"}]  # started together
    assert sorted(e["CUDA_VISIBLE_DEVICES"] for e in envs) == ["0", "0", "1", "1"]
    data = json.loads((sweep_dir / "sweep.json").read_text())
    assert data["slots"] == [{"index": 0, "gpu": "0"}, {"index": 1, "gpu": "1"}]
    run = SweepInfo.from_dir(sweep_dir).trials[0].run_dir
    sweep_field = json.loads((run / "run.json").read_text())["sweep"]
    assert sweep_field["dir"] == str(sweep_dir.resolve()) and set(sweep_field["values"]) == {"layers.0.units", "layers.1.rate"}


def test_without_gpus_one_trial_at_a_time(tmp_path):
    sweep_dir = _sweep(tmp_path, max_trials=2)
    start = FakeStart()
    run_controller(sweep_dir, gpus=lambda: [], start=start, poll_s=0.0)
    assert [c["env"] for c in start.calls] == [{}, {}]
    assert json.loads((sweep_dir / "sweep.json").read_text())["slots"] == [{"index": 0, "gpu": None}]


def test_hyperband_budgets_become_epochs_and_continue_the_earlier_trial(tmp_path):
    sweep_dir = _sweep(tmp_path, max_trials=8, algorithm="hyperband", factor=2, parallel=1)
    start = FakeStart()
    run_controller(sweep_dir, gpus=lambda: [], start=start, poll_s=0.0)
    first = start.calls[0]
    assert first["fit"]["initial_epoch"] == 0 and "warm_start" not in first["info"]
    continued = [c for c in start.calls if c["fit"]["initial_epoch"] > 0]
    assert continued, [c["fit"] for c in start.calls]
    later = continued[0]
    assert later["info"]["warm_start"].endswith("checkpoints/last.keras")
    earlier_run = Path(later["info"]["warm_start"]).parents[1].name
    assert earlier_run.startswith("trial-") and later["fit"]["epochs"] > later["fit"]["initial_epoch"]


def test_a_stop_request_ends_the_sweep_without_new_trials(tmp_path):
    from tuitrain.runs.control import request_control

    sweep_dir = _sweep(tmp_path, max_trials=4)
    request_control(sweep_dir, "stop_batch")  # `tuitrain sweep --stop DIR` before the controller looked
    start = FakeStart()
    assert run_controller(sweep_dir, gpus=lambda: [], start=start, poll_s=0.0) == "stopped"
    assert start.calls == [] and SweepInfo.from_dir(sweep_dir).status == "stopped"
