"""What TensorFlow sees on this machine, and why a GPU it does not see is missing.

``tuitrain devices`` and the app's devices panel show the same ``DeviceReport``. The common
reasons a GPU server trains on its CPU are checked in the order that explains the most:
``CUDA_VISIBLE_DEVICES`` hiding every GPU, a TensorFlow wheel built without CUDA, no NVIDIA
driver, the driver present but TensorFlow's CUDA libraries missing (the ``gpu`` extra not
installed). ``diagnose`` is a pure function of those facts so each case is testable without a GPU.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
from dataclasses import asdict, dataclass, field
from typing import Any

GPU_EXTRA = "pip install 'tuitrain[gpu]'   (TensorFlow with its CUDA libraries: tensorflow[and-cuda])"
# The pip packages tensorflow[and-cuda] brings: without them a CUDA-built wheel finds no libcudart/libcudnn.
CUDA_PIP_PACKAGES = ("nvidia-cuda-runtime-cu12", "nvidia-cudnn-cu12")
DRIVER_VERSION_FILE = "/proc/driver/nvidia/version"


@dataclass
class Device:
    """One device TensorFlow lists: ``kind`` is ``CPU`` or ``GPU``; ``index`` as in ``GPU:0``."""

    kind: str
    index: int
    name: str = ""  # the GPU's product name ("NVIDIA H100 80GB HBM3"); empty for a CPU
    compute_capability: str | None = None  # "9.0"
    memory_limit: int | None = None  # bytes TensorFlow will use on it

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.index}"


@dataclass
class DeviceReport:
    """Everything ``tuitrain devices`` prints; ``asdict`` of it is the ``--json`` output."""

    tensorflow: str
    built_with_cuda: bool
    cuda_version: str | None
    cudnn_version: str | None
    devices: list[Device] = field(default_factory=list)
    driver: str | None = None  # NVIDIA driver version, when a driver is installed
    nvml_gpus: list[str] = field(default_factory=list)  # GPUs the driver sees (names), through NVML
    cuda_visible_devices: str | None = None
    problem: str | None = None  # why no GPU is visible (None when one is, or when none is expected)

    @property
    def gpus(self) -> list[Device]:
        return [d for d in self.devices if d.kind == "GPU"]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def diagnose(*, gpus_seen: int, built_with_cuda: bool, cuda_visible_devices: str | None,
             driver: str | None, nvml_gpus: int | None, cuda_libs_installed: bool, system: str = "Linux") -> str | None:
    """The likely reason TensorFlow sees no GPU, as one sentence with the fix; None when it sees one.

    ``nvml_gpus`` is how many GPUs the driver lists through NVML, None when NVML cannot be asked.
    """
    if gpus_seen:
        return None
    if cuda_visible_devices is not None and cuda_visible_devices.strip() in ("", "-1", "none", "NoDevFiles"):
        return (f"CUDA_VISIBLE_DEVICES={cuda_visible_devices!r} hides every GPU from this process: "
                "unset it or list the GPUs to use (CUDA_VISIBLE_DEVICES=0,1).")
    if not built_with_cuda:
        where = " (TensorFlow has no CUDA build for macOS or Windows; use Linux or WSL2)" if system != "Linux" else ""
        return f"this TensorFlow was built without CUDA (a CPU-only wheel){where}: {GPU_EXTRA}."
    if driver is None and not nvml_gpus:
        return ("no NVIDIA driver found (no " + DRIVER_VERSION_FILE + ", NVML not loadable): this machine has no "
                "NVIDIA GPU, or its driver is not installed (nvidia-smi should list the GPUs).")
    if nvml_gpus == 0 and cuda_visible_devices is None:
        return f"the NVIDIA driver ({driver or 'NVML'}) is installed but sees no GPU: check nvidia-smi and dmesg."
    if not cuda_libs_installed:
        return (f"the driver sees {nvml_gpus or 'a'} GPU{'s' if nvml_gpus != 1 else ''} but TensorFlow found no "
                f"CUDA libraries to use them: {GPU_EXTRA}.")
    if cuda_visible_devices:
        return (f"CUDA_VISIBLE_DEVICES={cuda_visible_devices!r} names no GPU the driver has: "
                "list indices from nvidia-smi (CUDA_VISIBLE_DEVICES=0,1).")
    return ("the driver sees the GPU but TensorFlow did not register it: the CUDA/cuDNN versions may not match "
            "this TensorFlow (run with TF_CPP_MIN_LOG_LEVEL=0 to see why, or reinstall the gpu extra).")


def driver_version(path: str = DRIVER_VERSION_FILE) -> str | None:
    """The kernel module's version line ("NVRM version: ... 550.54.15 ..."), without NVML."""
    try:
        with open(path, "rb") as fh:  # a /proc file reports size 0: read a bounded amount, not "whole"
            text = fh.read(64 * 1024).decode("utf-8", errors="replace")
    except OSError:
        return None
    for word in text.split():
        if word.count(".") >= 1 and word.replace(".", "").isdigit():
            return word
    return text.strip().splitlines()[0][:80] if text.strip() else None


def cuda_libs_installed() -> bool:
    """Whether the CUDA runtime/cuDNN pip packages of ``tensorflow[and-cuda]`` are installed."""
    for name in CUDA_PIP_PACKAGES:
        try:
            importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return False
    return True


def _tf_devices(tf: Any) -> list[Device]:
    limits: dict[str, int] = {}
    try:  # memory limits need the runtime; on a GPU this allocates its context (fine for a report)
        from tensorflow.python.client import device_lib

        for d in device_lib.list_local_devices():
            limits[d.name.replace("/device:", "").upper()] = int(d.memory_limit)
    except Exception:  # noqa: BLE001 - the list without limits is still worth showing
        pass
    devices: list[Device] = []
    for kind in ("CPU", "GPU"):
        for i, phys in enumerate(tf.config.list_physical_devices(kind)):
            name, cc = "", None
            if kind == "GPU":
                try:
                    details = tf.config.experimental.get_device_details(phys)
                    name = str(details.get("device_name", ""))
                    if details.get("compute_capability"):
                        cc = ".".join(str(p) for p in details["compute_capability"])
                except Exception:  # noqa: BLE001
                    pass
            if kind == "CPU":  # TensorFlow's CPU "memory limit" is a placeholder: the machine's figures say more
                import psutil

                name = f"{os.cpu_count()} logical cores, {fmt_bytes(psutil.virtual_memory().total)} RAM"
                devices.append(Device(kind, i, name))
                continue
            devices.append(Device(kind, i, name, cc, limits.get(f"{kind}:{i}")))
    return devices


def probe() -> DeviceReport:
    """Import TensorFlow and report what it sees (seconds: TensorFlow's start-up)."""
    import tensorflow as tf

    from tuitrain.trainer.system import nvml_gpu_names

    build = dict(tf.sysconfig.get_build_info())
    built = bool(build.get("is_cuda_build", tf.test.is_built_with_cuda()))
    devices = _tf_devices(tf)
    names = nvml_gpu_names()
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    driver = driver_version()
    report = DeviceReport(
        tensorflow=tf.__version__,
        built_with_cuda=built,
        cuda_version=build.get("cuda_version") if built else None,
        cudnn_version=build.get("cudnn_version") if built else None,
        devices=devices,
        driver=driver,
        nvml_gpus=names or [],
        cuda_visible_devices=visible,
    )
    report.problem = diagnose(gpus_seen=len(report.gpus), built_with_cuda=built, cuda_visible_devices=visible,
                              driver=driver, nvml_gpus=None if names is None else len(names), cuda_libs_installed=cuda_libs_installed(),
                              system=platform.system())
    return report


def missing_gpu_reason() -> str | None:
    """Why TensorFlow sees no GPU (None when it sees one): what the trainer records in run.json."""
    import tensorflow as tf

    if tf.config.list_physical_devices("GPU"):
        return None
    from tuitrain.trainer.system import nvml_gpu_names

    names = nvml_gpu_names()
    return diagnose(gpus_seen=0, built_with_cuda=bool(tf.sysconfig.get_build_info().get("is_cuda_build")),
                    cuda_visible_devices=os.environ.get("CUDA_VISIBLE_DEVICES"), driver=driver_version(),
                    nvml_gpus=None if names is None else len(names), cuda_libs_installed=cuda_libs_installed(),
                    system=platform.system())


def fmt_bytes(n: float | None) -> str:
    if n is None:
        return "-"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"  # pragma: no cover


def report_lines(report: DeviceReport) -> list[str]:
    """The report as the lines ``tuitrain devices`` prints and the devices panel shows."""
    cuda = (f"built with CUDA {report.cuda_version}, cuDNN {report.cudnn_version}" if report.built_with_cuda
            else "built without CUDA (CPU only)")
    lines = [f"TensorFlow {report.tensorflow}, {cuda}"]
    if report.driver or report.nvml_gpus:
        lines.append(f"NVIDIA driver {report.driver or '?'}; the driver sees {len(report.nvml_gpus)} GPU(s)")
    if report.cuda_visible_devices is not None:
        lines.append(f"CUDA_VISIBLE_DEVICES={report.cuda_visible_devices!r}")
    lines.append("")
    for d in report.devices:
        detail = [d.name] if d.name else []
        if d.compute_capability:
            detail.append(f"compute capability {d.compute_capability}")
        if d.memory_limit is not None:
            detail.append(f"memory limit {fmt_bytes(d.memory_limit)}")
        lines.append(f"  {d.label:<6} " + ", ".join(detail))
    n = len(report.gpus)
    if n:
        lines.append(f"\n{n} GPU{'s' if n > 1 else ''} visible: "
                     + ("set [distribute] strategy = \"mirrored\" to train on all of them." if n > 1 else "training uses it by default."))
    else:
        lines.append(f"\nno GPU visible: {report.problem or 'TensorFlow lists none.'}")
    return lines


def devices_command(args: Any) -> int:
    """``tuitrain devices [--json]``."""
    import json
    import sys

    from tuitrain.common.native_log import filtered_stderr

    with filtered_stderr():
        report = probe()
    if getattr(args, "json", False):
        json.dump(report.to_json(), sys.stdout, indent=2)
        print()
    else:
        from tuitrain.common.textfit import output_width, wrap

        width = output_width(sys.stdout)  # reasons are long sentences: wrapped between words
        print("\n".join(wrap(line, width, indent=line[: len(line) - len(line.lstrip())] + "  ")
                        for line in report_lines(report)))
    return 0


def visible_gpus() -> list[str]:
    """The CUDA ids of the GPUs a process started from here may use (``["0", "1"]``), without
    creating a GPU context: ``CUDA_VISIBLE_DEVICES`` when set, else the GPUs the driver lists.
    A sweep gives each trial one of them (``tuitrain.sweep.schedule``)."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        return [v.strip() for v in visible.split(",") if v.strip() and not v.strip().startswith("-")]
    from tuitrain.trainer.system import nvml_gpu_names

    names = nvml_gpu_names()
    if names is None:  # no NVML: ask TensorFlow (lists devices without allocating on them)
        import tensorflow as tf

        return [str(i) for i, _ in enumerate(tf.config.list_physical_devices("GPU"))]
    return [str(i) for i in range(len(names))]
