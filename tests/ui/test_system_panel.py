"""The system panel beside the loss and the devices screen: what a user sees with and without a GPU."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static

from tests.trainer.test_system import FakeNvml
from tuitrain.trainer.devices import Device, DeviceReport
from tuitrain.ui.screens.devices import DevicesScreen, load_text
from tuitrain.ui.widgets.system_panel import SystemPanel, _History, distribute_line, sparkline, system_text

GIB = 2**30


def test_sparkline_scales_to_the_top_and_keeps_the_latest_values() -> None:
    assert sparkline([0, 50, 100], 10, top=100) == "▁▅█"
    assert sparkline(list(range(20)), 4) == "▇▇██"
    assert sparkline([], 5) == ""


def test_distribute_line_names_strategy_replicas_precision_and_workers() -> None:
    assert distribute_line({}) == ""
    assert distribute_line({"strategy": "mirrored", "replicas": 8, "precision": "mixed_float16"}) == \
        "mirrored · 8 replicas · mixed_float16"
    assert distribute_line({"strategy": "multi_worker", "replicas": 2, "precision": "float32",
                            "workers": ["a:1", "b:1"], "workers_joined": None}) == \
        "multi_worker · ?/2 workers joined · 2 replicas · float32"


def test_cpu_machine_shows_cpu_memory_and_why_there_is_no_gpu() -> None:
    history = _History()
    for cpu in (50.0, 150.0, 100.0):
        history.add({"t": 1, "cpu": cpu, "rss": 600 * 2**20, "ram": 40, "gpus": []})
    text = system_text(history, {"strategy": "default", "replicas": 1, "precision": "float32",
                                 "gpu_problem": "no NVIDIA driver found (no /proc/driver/nvidia/version): install it"}, 40).plain
    lines = text.splitlines()
    assert lines[0] == "default · 1 replica · float32"
    assert lines[1].startswith("CPU") and lines[1].endswith("100%")
    assert lines[2].startswith("mem") and lines[2].endswith("600.0 MiB")
    assert lines[3] == "no GPU visible: no NVIDIA driver found (d: details)"


def test_gpu_machine_shows_utilisation_and_memory_per_gpu() -> None:
    from tuitrain.trainer.system import clean_sample

    history = _History()  # a sample as SystemTail gives it: checked, numbers as floats
    history.add(clean_sample({"t": 1, "cpu": 99.0, "rss": GIB, "ram": 40,
                              "gpus": [{"index": 0, "util": 97, "mem": 30 * GIB, "mem_total": 80 * GIB},
                                       {"index": 1, "util": None, "mem": 2 * GIB, "mem_total": None}]}))
    lines = system_text(history, {}, 44).plain.splitlines()
    assert lines[2].startswith("GPU0") and lines[2].endswith("97%")
    assert lines[3].startswith("mem0") and lines[3].endswith("30.0 GiB/80.0")
    assert lines[4].startswith("GPU1") and lines[4].endswith("2.0 GiB")  # memory only (no NVML utilisation)
    assert "no GPU visible" not in "\n".join(lines)


class PanelApp(App):
    def compose(self) -> ComposeResult:
        yield SystemPanel(id="panel")


async def test_panel_updates_with_new_samples_and_clears_for_another_run() -> None:
    app = PanelApp()
    async with app.run_test(size=(60, 12)) as pilot:
        panel = app.query_one(SystemPanel)
        panel.set_info({"strategy": "mirrored", "replicas": 2, "precision": "float32"})
        panel.add([{"t": 2, "cpu": 180.0, "rss": GIB, "ram": 10, "gpus": []}])
        await pilot.pause()
        shown = str(panel.render())
        assert "mirrored · 2 replicas" in shown and "180%" in shown and "no GPU visible" in shown
        panel.clear()
        await pilot.pause()
        assert str(panel.render()).strip() == ""


class DevicesApp(App):
    def __init__(self, report: DeviceReport) -> None:
        super().__init__()
        self.report = report

    def on_mount(self) -> None:
        self.push_screen(DevicesScreen(probe=lambda: self.report, nvml_module=FakeNvml()))


async def test_devices_screen_lists_the_devices_and_the_load() -> None:
    report = DeviceReport("2.21.0", False, None, None, [Device("CPU", 0, "2 logical cores, 8.0 GiB RAM")],
                          problem="this TensorFlow was built without CUDA (a CPU-only wheel): pip install 'tuitrain[gpu]'")
    app = DevicesApp(report)
    async with app.run_test(size=(110, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DevicesScreen)
        text = str(screen.query_one("#devices-report", Static).render())
        assert "built without CUDA" in text and "CPU:0" in text and "no GPU visible: this TensorFlow was built without CUDA" in text
        load = str(screen.query_one("#devices-load", Static).render())
        assert "GPU:0 NVIDIA H100 80GB HBM3: 90% busy" in load
        await pilot.press("escape")
        assert not isinstance(app.screen, DevicesScreen)


def test_load_without_nvml_says_why() -> None:
    assert "GPU load: not available (NVML did not start: Driver Not Loaded)" in load_text(FakeNvml(fail_init=True)).plain
