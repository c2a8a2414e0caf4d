"""The devices panel: what TensorFlow sees on this machine, why a GPU is missing, and load right now.

The same report as ``tuitrain devices``; probing imports TensorFlow, so it runs in a thread and
the screen says "probing…" until it is back. Below it the machine's CPU and memory and (through
NVML, when installed) each GPU's utilisation and memory, refreshed every two seconds.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from tuitrain.trainer.devices import fmt_bytes
from tuitrain.ui.screens.dialogs.form_dialog import ModalBase

REFRESH_S = 2.0


def load_text(nvml_module: Any = None) -> Text:
    """The machine's load now: CPU and memory (psutil), each GPU through NVML if it loads."""
    import psutil

    from tuitrain.trainer.system import Nvml

    mem = psutil.virtual_memory()
    text = Text()
    text.append("now  ", style="bold")
    text.append(f"CPU {psutil.cpu_percent(None):.0f}% of {psutil.cpu_count()} cores · "
                f"memory {fmt_bytes(mem.used)} of {fmt_bytes(mem.total)} ({mem.percent:.0f}%)")
    nvml, why = Nvml.open(nvml_module)
    if nvml is None:
        text.append(f"\nGPU load: not available ({why})", style="dim")
        return text
    try:
        for name, gpu in zip(nvml.names(), nvml.sample()):
            util = "?" if gpu["util"] is None else f"{gpu['util']}%"
            text.append(f"\nGPU:{gpu['index']} {name}: {util} busy, {fmt_bytes(gpu['mem'])} of {fmt_bytes(gpu['mem_total'])}")
    finally:
        nvml.close()
    return text


class DevicesScreen(ModalBase[None]):
    """``tuitrain devices`` inside the app; escape closes it."""

    DEFAULT_CSS = """
    DevicesScreen > VerticalScroll {
        width: 100; max-width: 100%; height: auto; max-height: 90%;
        padding: 0 1;
    }
    #devices-report { height: auto; }
    #devices-load { height: auto; margin-top: 1; }
    """
    BINDINGS = [Binding("escape,q", "dismiss", "Close")]

    def __init__(self, *, probe: Any = None, nvml_module: Any = None) -> None:
        super().__init__()
        self._probe = probe  # tests pass a function returning a DeviceReport
        self._nvml_module = nvml_module

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="modal-box") as scroll:
            scroll.border_title = "Devices"
            scroll.border_subtitle = "escape: close"
            yield Static(Text("probing TensorFlow's devices…", style="italic"), id="devices-report")
            yield Static("", id="devices-load")

    def on_mount(self) -> None:
        self.run_worker(self._probe_devices, thread=True, exclusive=True, group="devices-probe")
        self._show_load()
        self.set_interval(REFRESH_S, self._show_load)

    def _probe_devices(self) -> None:
        from tuitrain.trainer.devices import probe, report_lines

        try:
            report = (self._probe or probe)()
            text = Text("\n".join(report_lines(report)))
        except Exception as err:  # noqa: BLE001 - a broken install is what this screen helps to find
            text = Text(f"TensorFlow could not be asked: {type(err).__name__}: {err}", style="red")
        self.app.call_from_thread(self._show_report, text)

    def _show_report(self, text: Text) -> None:
        if self.is_mounted:
            self.query_one("#devices-report", Static).update(text)

    def _show_load(self) -> None:
        self.query_one("#devices-load", Static).update(load_text(self._nvml_module))
