"""The system sampler: works with no GPU at all, and reads GPUs through a fake NVML."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

from tuitrain.trainer.system import Nvml, SystemSampler, SystemTail, nvml_gpu_names, peak_gpu_memory
from tuitrain.runs.layout import SYSTEM_FILE


class FakeNvml:
    """The calls of nvidia-ml-py the sampler makes, for two GPUs whose memory use grows per sample."""

    class NVMLError(Exception):
        pass

    def __init__(self, *, fail_init: bool = False) -> None:
        self.fail_init = fail_init
        self.calls = 0
        self.shutdown = False

    def nvmlInit(self) -> None:
        if self.fail_init:
            raise self.NVMLError("Driver Not Loaded")

    def nvmlShutdown(self) -> None:
        self.shutdown = True

    def nvmlDeviceGetCount(self) -> int:
        return 2

    def nvmlDeviceGetHandleByIndex(self, i: int) -> int:
        return i

    def nvmlDeviceGetName(self, h: int) -> bytes:
        return b"NVIDIA H100 80GB HBM3"

    def nvmlDeviceGetUtilizationRates(self, h: int) -> SimpleNamespace:
        if h == 1:
            raise self.NVMLError("Not Supported")  # e.g. a MIG slice: memory only
        return SimpleNamespace(gpu=90, memory=40)

    def nvmlDeviceGetMemoryInfo(self, h: int) -> SimpleNamespace:
        self.calls += 1
        return SimpleNamespace(used=(h + 1) * self.calls * 2**30, total=80 * 2**30, free=0)


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_no_gpu_samples_cpu_and_memory(tmp_path: Path) -> None:
    path = tmp_path / SYSTEM_FILE
    sampler = SystemSampler(path, t0=0.0, nvml_module=FakeNvml(fail_init=True), clock=lambda: 5.0)
    assert sampler.nvml is None and "Driver Not Loaded" in sampler.gpu_note
    sample = sampler.sample_once()
    assert sample["t"] == 5.0 and sample["gpus"] == [] and sample["rss"] > 10 * 2**20 and 0 < sample["ram"] <= 100
    summary = sampler.summary()
    assert summary["gpu_mem_peak"] is None and summary["gpu_source"] is None and summary["samples"] == 1
    assert lines(path) == [sample]
    assert peak_gpu_memory(tmp_path, {}) is None


def test_fake_nvml_gives_per_gpu_utilisation_memory_and_peaks(tmp_path: Path) -> None:
    nv = FakeNvml()
    sampler = SystemSampler(tmp_path / SYSTEM_FILE, t0=0.0, nvml_module=nv)
    first, second = sampler.sample_once(), sampler.sample_once()
    assert first["gpus"][0] == {"index": 0, "util": 90, "mem": 2**30, "mem_total": 80 * 2**30}
    assert first["gpus"][1]["util"] is None and first["gpus"][1]["mem"] == 2 * 2 * 2**30
    summary = sampler.stop()
    assert nv.shutdown
    assert summary["gpu_source"] == "nvml" and summary["gpu_util_peak"] == 90 and summary["gpu_util_mean"] == 90
    assert summary["gpu_mem_peak"] == second["gpus"][1]["mem"] == 2 * 4 * 2**30
    # The runs table's figure: from run.json's summary, else (a crashed run) from the samples.
    assert peak_gpu_memory(tmp_path, {"system": summary}) == 8 * 2**30
    assert peak_gpu_memory(tmp_path, {}) == 8 * 2**30
    assert nvml_gpu_names(FakeNvml()) == ["NVIDIA H100 80GB HBM3"] * 2
    assert nvml_gpu_names(FakeNvml(fail_init=True)) is None


def test_thread_samples_until_stopped(tmp_path: Path) -> None:
    sampler = SystemSampler(tmp_path / SYSTEM_FILE, t0=0.0, every_s=0.01, nvml_module=FakeNvml(fail_init=True)).start()
    tail = SystemTail(tmp_path)
    seen: list[dict] = []
    while len(seen) < 3:
        seen += tail.poll()
    summary = sampler.stop()
    assert summary["samples"] >= 4 and summary["rss_peak"] > 0  # stop() takes one last sample


def test_tail_waits_for_a_torn_last_line(tmp_path: Path) -> None:
    path = tmp_path / SYSTEM_FILE
    path.write_text('{"t":1,"cpu":5,"rss":1,"ram":1,"gpus":[]}\n{"t":2,"cp')
    tail = SystemTail(tmp_path)
    assert [s["t"] for s in tail.poll()] == [1]
    with open(path, "a") as f:
        f.write('u":1,"rss":1,"ram":1,"gpus":[]}\nnot json\n')
    assert [s["t"] for s in tail.poll()] == [2]


def test_missing_nvml_module_is_a_reason_not_an_error(monkeypatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_pynvml(name, *args, **kwargs):
        if name == "pynvml":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pynvml)
    nvml, why = Nvml.open()
    assert nvml is None and "nvidia-ml-py is not installed" in why
