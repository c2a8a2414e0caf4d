"""System samples while a run trains: process CPU and memory, and per-GPU utilisation and memory.

The trainer starts a ``SystemSampler`` thread that appends one JSON line every few seconds to
``system.jsonl`` in the run directory (readable while written, like ``events.jsonl``)::

    {"t": 12.0, "cpu": 187.5, "rss": 912261120, "ram": 41.3,
     "gpus": [{"index": 0, "util": 97, "mem": 30064771072, "mem_total": 85899345920}]}

``t`` is seconds since the run started, ``cpu`` the trainer process' CPU percent (100 = one core),
``rss`` its resident memory in bytes, ``ram`` the machine's memory in use (percent). GPU figures
come from NVIDIA's management library (``nvidia-ml-py``, imported as ``pynvml``) when it loads,
else from TensorFlow's own allocator (memory only, ``util`` null). With no GPU, ``gpus`` is empty
and nothing fails. At the end the peaks go into ``run.json`` under ``system``.
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
from pathlib import Path
from typing import Any, Callable

from tuitrain.runs.layout import SYSTEM_FILE
DEFAULT_EVERY_S = 2.0


class Nvml:
    """The GPUs NVML reports. ``Nvml.open()`` gives ``(None, reason)`` where NVML is not usable."""

    def __init__(self, module: Any, handles: list[Any]) -> None:
        self.nv = module
        self.handles = handles

    @classmethod
    def open(cls, module: Any = None) -> tuple["Nvml | None", str | None]:
        if module is None:
            try:
                import pynvml as module  # the nvidia-ml-py package (the `gpu` extra)
            except ImportError:
                return None, "nvidia-ml-py is not installed (it comes with the gpu extra)"
        try:
            module.nvmlInit()
        except Exception as err:  # NVMLError_LibraryNotFound, _DriverNotLoaded…: no driver here
            return None, f"NVML did not start: {err}"
        try:
            handles = [module.nvmlDeviceGetHandleByIndex(i) for i in range(module.nvmlDeviceGetCount())]
        except Exception as err:  # noqa: BLE001
            _quiet(module.nvmlShutdown)
            return None, f"NVML could not list the GPUs: {err}"
        return cls(module, handles), None

    def names(self) -> list[str]:
        out = []
        for h in self.handles:
            name = self.nv.nvmlDeviceGetName(h)
            out.append(name.decode() if isinstance(name, bytes) else str(name))
        return out

    def sample(self) -> list[dict[str, Any]]:
        gpus = []
        for i, h in enumerate(self.handles):
            row: dict[str, Any] = {"index": i, "util": None, "mem": None, "mem_total": None}
            try:
                row["util"] = int(self.nv.nvmlDeviceGetUtilizationRates(h).gpu)
            except Exception:  # noqa: BLE001 - some GPUs (MIG slices) report no utilisation
                pass
            try:
                mem = self.nv.nvmlDeviceGetMemoryInfo(h)
                row["mem"], row["mem_total"] = int(mem.used), int(mem.total)
            except Exception:  # noqa: BLE001
                pass
            gpus.append(row)
        return gpus

    def close(self) -> None:
        _quiet(self.nv.nvmlShutdown)


def _quiet(fn: Callable[[], Any]) -> None:
    try:
        fn()
    except Exception:  # noqa: BLE001 - shutting down a library that may be half-started
        pass


def nvml_gpu_names(module: Any = None) -> list[str] | None:
    """The GPU names the driver lists, or None when NVML cannot be asked."""
    nvml, _why = Nvml.open(module)
    if nvml is None:
        return None
    try:
        return nvml.names()
    finally:
        nvml.close()


def tensorflow_gpu_memory() -> list[dict[str, Any]]:
    """Memory TensorFlow's allocator holds on each GPU: the fallback when NVML is missing."""
    import tensorflow as tf

    rows = []
    for i, _gpu in enumerate(tf.config.list_logical_devices("GPU")):
        try:
            used = int(tf.config.experimental.get_memory_info(f"GPU:{i}")["current"])
        except Exception:  # noqa: BLE001
            used = None
        rows.append({"index": i, "util": None, "mem": used, "mem_total": None})
    return rows


class SystemSampler:
    """A daemon thread appending a sample to ``path`` every ``every_s`` seconds until ``stop()``."""

    def __init__(self, path: Path, *, t0: float, every_s: float = DEFAULT_EVERY_S, nvml_module: Any = None,
                 gpu_fallback: Callable[[], list[dict[str, Any]]] | None = None, pid: int | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        import psutil

        self.path = Path(path)
        self.t0 = t0
        self.every_s = every_s
        self.clock = clock
        self.process = psutil.Process(pid or os.getpid())
        self.process.cpu_percent(None)  # the first reading is always 0: prime it now
        self.nvml, self.gpu_note = Nvml.open(nvml_module)
        self.gpu_fallback = gpu_fallback
        self.samples = 0
        self.peaks: dict[str, Any] = {"cpu_peak": 0.0, "rss_peak": 0, "gpu_mem_peak": None, "gpu_util_peak": None}
        self._util_sum = 0.0
        self._util_n = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def sample_once(self) -> dict[str, Any]:
        """Take one sample, append it, update the peaks; returns the sample."""
        import psutil

        gpus: list[dict[str, Any]] = []
        if self.nvml is not None:
            gpus = self.nvml.sample()
        elif self.gpu_fallback is not None:
            try:
                gpus = self.gpu_fallback()
            except Exception:  # noqa: BLE001 - memory figures are a nicety, never a failure
                gpus = []
        with self.process.oneshot():
            cpu = self.process.cpu_percent(None)
            rss = self.process.memory_info().rss
        sample = {"t": round(self.clock() - self.t0, 3), "cpu": round(cpu, 1), "rss": int(rss),
                  "ram": round(psutil.virtual_memory().percent, 1), "gpus": gpus}
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(sample, separators=(",", ":")) + "\n")
        self.samples += 1
        self._track(sample)
        return sample

    def _track(self, sample: dict[str, Any]) -> None:
        p = self.peaks
        p["cpu_peak"] = max(p["cpu_peak"], sample["cpu"])
        p["rss_peak"] = max(p["rss_peak"], sample["rss"])
        mem = [g["mem"] for g in sample["gpus"] if g.get("mem") is not None]
        util = [g["util"] for g in sample["gpus"] if g.get("util") is not None]
        if mem:
            p["gpu_mem_peak"] = max(p["gpu_mem_peak"] or 0, max(mem))
        if util:
            p["gpu_util_peak"] = max(p["gpu_util_peak"] or 0, max(util))
            self._util_sum += sum(util) / len(util)
            self._util_n += 1

    def summary(self) -> dict[str, Any]:
        """What ``run.json`` keeps under ``system``: peaks, mean GPU utilisation, where GPU figures came from."""
        out = dict(self.peaks, samples=self.samples, every_s=self.every_s)
        out["gpu_util_mean"] = round(self._util_sum / self._util_n, 1) if self._util_n else None
        out["gpu_source"] = "nvml" if self.nvml is not None else ("tensorflow" if self.gpu_fallback else None)
        out["gpu_note"] = self.gpu_note
        return out

    def _loop(self) -> None:
        while True:
            try:
                self.sample_once()
            except Exception:  # noqa: BLE001 - a full disk or a vanished GPU must not stop training
                pass
            if self._stop.wait(self.every_s):
                return

    def start(self) -> "SystemSampler":
        self._thread = threading.Thread(target=self._loop, name="system-sampler", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> dict[str, Any]:
        """Stop the thread (after one last sample) and return ``summary()``."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
            try:
                self.sample_once()
            except Exception:  # noqa: BLE001
                pass
        if self.nvml is not None:
            self.nvml.close()
        return self.summary()


MAX_GPUS = 64  # GPUs in one sample; more were not measured on one machine
MAX_BYTES = 2 ** 60  # a memory figure over an exbibyte was not measured


def _number(value: Any, low: float = 0.0, high: float = 1e18) -> float | None:
    """A finite number within [low, high], else None (NaN, text, a 400-digit integer, a bool)."""
    if type(value) not in (int, float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if low <= number <= high else None  # NaN fails both comparisons


def _byte_count(value: Any) -> int | None:
    number = _number(value, 0, MAX_BYTES)
    return None if number is None else int(number)


def clean_sample(row: Any) -> dict[str, Any] | None:
    """One ``system.jsonl`` line as the panel reads it, every value checked; None when ``t`` is no time.

    A copied or hand-edited file may hold anything (``"gpus": 5``, ``"cpu": "high"``, NaN): what is not
    a number in range becomes None, a GPU entry that is no table is dropped, at most ``MAX_GPUS`` are kept.
    """
    if not isinstance(row, dict) or _number(row.get("t"), -1e12, 1e12) is None:
        return None
    gpus = row.get("gpus") if isinstance(row.get("gpus"), list) else []
    return {"t": float(row["t"]), "cpu": _number(row.get("cpu"), 0, 1e6), "rss": _byte_count(row.get("rss")),
            "ram": _number(row.get("ram"), 0, 100),
            "gpus": [{"index": int(_number(g.get("index"), 0, MAX_GPUS - 1) or 0), "util": _number(g.get("util"), 0, 100),
                      "mem": _byte_count(g.get("mem")), "mem_total": _byte_count(g.get("mem_total"))}
                     for g in gpus[:MAX_GPUS] if isinstance(g, dict)]}


class SystemTail:
    """Reads ``system.jsonl`` incrementally (the Train pane's charts); a torn last line waits.

    Only the new samples of each poll are dicts (the panel keeps its last 120); what is kept for the
    whole run is numeric: :attr:`times`, :attr:`cpu` and :attr:`rss` columns and the GPU memory peak
    (a 23 MB file once became 645 MB of dicts)."""

    def __init__(self, run_dir: Path) -> None:
        from array import array

        self.path = Path(run_dir) / SYSTEM_FILE
        self.offset = 0
        self.times, self.cpu, self.rss = array("d"), array("d"), array("d")
        self.gpu_mem_peak: int | None = None
        self.skipped = 0  # lines that were not a sample

    def poll(self, limit: int = 4 << 20) -> list[dict[str, Any]]:
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                chunk = f.read(limit)
        except OSError:
            return []
        end = chunk.rfind(b"\n")
        if end < 0:
            if len(chunk) >= limit:  # one line longer than the limit: not a sample; skip it
                self.offset += len(chunk)
                self.skipped += 1
            return []
        self.offset += end + 1
        new = []
        for line in chunk[: end + 1].splitlines():
            try:
                sample = clean_sample(json.loads(line))
            except (ValueError, RecursionError):
                sample = None
            if sample is None:
                self.skipped += 1 if line.strip() else 0
                continue
            new.append(sample)
            self._keep(sample)
        return new

    def _keep(self, sample: dict[str, Any]) -> None:
        self.times.append(sample["t"])
        self.cpu.append(sample["cpu"] if sample["cpu"] is not None else math.nan)
        self.rss.append(sample["rss"] if sample["rss"] is not None else math.nan)
        for gpu in sample["gpus"]:
            if gpu["mem"] is not None:
                self.gpu_mem_peak = max(self.gpu_mem_peak or 0, gpu["mem"])


def peak_gpu_memory(run_dir: Path, info: dict[str, Any] | None = None) -> int | None:
    """Peak GPU memory of a run: ``run.json``'s summary, else the samples (a crashed run has no summary).

    Both may come from a copied run: a NaN, a string or a 400-digit number is no peak (None), not a crash."""
    system = (info or {}).get("system")
    peak = _byte_count(system.get("gpu_mem_peak")) if isinstance(system, dict) else None
    if peak is not None:
        return peak
    if not (Path(run_dir) / SYSTEM_FILE).is_file():
        return None
    tail = SystemTail(run_dir)
    while tail.poll():
        pass
    return tail.gpu_mem_peak


def start_sampler(run_dir: Path, *, t0: float, every_s: float) -> SystemSampler | None:
    """The trainer's sampler (None when ``fit.system_every = 0``); TensorFlow's memory figures when NVML is absent."""
    if every_s <= 0:
        return None
    import tensorflow as tf

    fallback = tensorflow_gpu_memory if tf.config.list_physical_devices("GPU") else None
    return SystemSampler(Path(run_dir) / SYSTEM_FILE, t0=t0, every_s=every_s, gpu_fallback=fallback).start()
