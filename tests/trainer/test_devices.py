"""`tuitrain devices`: what TensorFlow sees, and the reason when it sees no GPU."""

from __future__ import annotations

import json
import subprocess
import sys

from tuitrain.trainer.devices import Device, DeviceReport, diagnose, driver_version, report_lines

NO_GPU = dict(gpus_seen=0, built_with_cuda=True, cuda_visible_devices=None, driver="550.54.15", nvml_gpus=2,
              cuda_libs_installed=True)


def test_each_cause_of_a_missing_gpu_is_named_with_its_fix() -> None:
    assert diagnose(**dict(NO_GPU, gpus_seen=1)) is None
    assert "CUDA_VISIBLE_DEVICES='-1' hides every GPU" in diagnose(**dict(NO_GPU, cuda_visible_devices="-1"))
    assert "CUDA_VISIBLE_DEVICES='' hides every GPU" in diagnose(**dict(NO_GPU, cuda_visible_devices=""))
    cpu_only = diagnose(**dict(NO_GPU, built_with_cuda=False))
    assert "CPU-only wheel" in cpu_only and "tuitrain[gpu]" in cpu_only
    assert "macOS or Windows" in diagnose(**dict(NO_GPU, built_with_cuda=False, system="Darwin"))
    assert "no NVIDIA driver found" in diagnose(**dict(NO_GPU, driver=None, nvml_gpus=None))
    assert "sees no GPU" in diagnose(**dict(NO_GPU, nvml_gpus=0))
    libs = diagnose(**dict(NO_GPU, cuda_libs_installed=False))
    assert "the driver sees 2 GPUs but TensorFlow found no CUDA libraries" in libs and "tensorflow[and-cuda]" in libs
    assert "names no GPU the driver has" in diagnose(**dict(NO_GPU, cuda_visible_devices="7"))
    assert "versions may not match" in diagnose(**NO_GPU)


def test_driver_version_file(tmp_path) -> None:
    f = tmp_path / "version"
    f.write_text("NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar  5 22:23:56 UTC 2024\n")
    assert driver_version(str(f)) == "550.54.15"
    assert driver_version(str(tmp_path / "missing")) is None


def test_report_lists_gpus_and_suggests_mirrored_for_several() -> None:
    report = DeviceReport("2.21.0", True, "12.5.1", "9", [
        Device("CPU", 0, "16 logical cores, 125.0 GiB RAM"),
        Device("GPU", 0, "NVIDIA H100", "9.0", 80 * 2**30),
        Device("GPU", 1, "NVIDIA H100", "9.0", 80 * 2**30),
    ], driver="550.54.15", nvml_gpus=["NVIDIA H100"] * 2)
    text = "\n".join(report_lines(report))
    assert "GPU:0  NVIDIA H100, compute capability 9.0, memory limit 80.0 GiB" in text
    assert "2 GPUs visible" in text and 'strategy = "mirrored"' in text


def test_devices_command_on_this_machine_says_why_there_is_no_gpu() -> None:
    out = subprocess.run([sys.executable, "-m", "tuitrain", "devices", "--json"], capture_output=True, text=True,
                         timeout=120, env={**__import__("os").environ, "CUDA_VISIBLE_DEVICES": "-1"})
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["devices"][0]["kind"] == "CPU" and not [d for d in report["devices"] if d["kind"] == "GPU"]
    assert report["cuda_visible_devices"] == "-1" and "hides every GPU" in report["problem"]
