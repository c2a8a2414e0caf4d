"""Where trials run: one slot per GPU by default, each trial seeing only its GPU."""

from __future__ import annotations

from tuitrain.sweep.schedule import Slot, plan_slots
from tuitrain.trainer.devices import visible_gpus


def test_one_slot_per_gpu_by_default_and_one_without_gpus():
    assert [s.env() for s in plan_slots(None, ["0", "1"])] == [{"CUDA_VISIBLE_DEVICES": "0"}, {"CUDA_VISIBLE_DEVICES": "1"}]
    assert plan_slots(None, []) == [Slot(0)] and plan_slots(None, [])[0].env() == {}


def test_more_trials_than_gpus_share_them_round_robin():
    assert [s.gpu for s in plan_slots(3, ["0", "1"])] == ["0", "1", "0"]
    assert [s.tuner_id for s in plan_slots(2, [], prefix="host-7-")] == ["host-7-slot0", "host-7-slot1"]


def test_visible_gpus_follow_cuda_visible_devices(monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "2,5")
    assert visible_gpus() == ["2", "5"]  # a trial sees "2": the machine's third GPU
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    assert visible_gpus() == []
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "-1")
    assert visible_gpus() == []
