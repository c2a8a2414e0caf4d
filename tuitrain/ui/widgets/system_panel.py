"""Small live charts of a run's system samples (CPU, memory, each GPU) beside the loss.

The trainer appends a sample to ``system.jsonl`` every few seconds (``tuitrain.trainer.system``);
the Train pane hands new samples to ``SystemPanel.add`` and run.json to ``set_info``. Each line is
a label, a sparkline of the recent samples and the latest value. With no GPU the panel says so,
with the reason the trainer recorded (``gpu_problem`` in run.json). Drawing is plain text, cheap
enough to redo on every new sample.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from rich.text import Text
from textual.widgets import Static

from tuitrain.trainer.devices import fmt_bytes

__all__ = ["SystemPanel", "sparkline", "distribute_line", "system_text"]

_BARS = "▁▂▃▄▅▆▇█"
HISTORY = 120  # samples kept per series (4 minutes at the default 2 s)


def sparkline(values: list[float], width: int, top: float | None = None) -> str:
    """The last ``width`` values as block characters, scaled to ``top`` (default: their maximum)."""
    values = [v for v in values[-width:] if v is not None]
    if not values or width <= 0:
        return ""
    high = top if top else max(values) or 1.0
    return "".join(_BARS[min(len(_BARS) - 1, max(0, int(v / high * (len(_BARS) - 1) + 0.5)))] for v in values)


def distribute_line(info: dict[str, Any]) -> str:
    """``mirrored · 2 replicas · mixed_float16`` (and the workers of a multi-machine run)."""
    strategy = info.get("strategy")
    if not strategy:
        return ""
    parts = [str(strategy)]
    if info.get("workers"):
        joined = info.get("workers_joined")
        parts.append(f"{joined if joined is not None else '?'}/{len(info['workers'])} workers joined")
    replicas = info.get("replicas")
    if replicas is not None:
        parts.append(f"{replicas} replica{'s' if replicas != 1 else ''}")
    parts.append(str(info.get("precision") or "float32"))
    return " · ".join(parts)


class _History:
    def __init__(self) -> None:
        self.cpu: deque[float] = deque(maxlen=HISTORY)
        self.rss: deque[float] = deque(maxlen=HISTORY)
        self.gpu_util: dict[int, deque[float]] = {}
        self.gpu_mem: dict[int, deque[float]] = {}
        self.last: dict[str, Any] | None = None

    def add(self, sample: dict[str, Any]) -> None:
        self.cpu.append(float(sample.get("cpu") or 0.0))
        self.rss.append(float(sample.get("rss") or 0))
        for gpu in sample.get("gpus") or []:
            if not isinstance(gpu, dict):
                continue
            i = int(gpu.get("index", 0))
            self.gpu_util.setdefault(i, deque(maxlen=HISTORY)).append(gpu.get("util"))
            self.gpu_mem.setdefault(i, deque(maxlen=HISTORY)).append(gpu.get("mem"))
        self.last = sample


def system_text(history: _History, info: dict[str, Any], width: int) -> Text:
    """The panel's lines for ``width`` columns."""
    out = Text(no_wrap=True, overflow="ellipsis")
    line = distribute_line(info)
    if line:
        out.append(line + "\n", style="bold")
    last = history.last
    if last is None:
        out.append("system: waiting for the first sample", style="dim")
        return out
    label, value_w = 6, 14
    spark_w = max(4, width - label - value_w - 2)

    def row(name: str, values: list[float], value: str, top: float | None = None, style: str = "") -> None:
        out.append(f"{name:<{label}}", style="bold")
        out.append(sparkline(list(values), spark_w, top).ljust(spark_w), style=style)
        out.append(f" {value:>{value_w}}\n")

    cpu = last.get("cpu")  # samples come from SystemTail, checked: a number or None
    row("CPU", list(history.cpu), f"{cpu:.0f}%" if cpu is not None else "-", style="green")
    row("mem", list(history.rss), f"{fmt_bytes(last.get('rss'))}", style="cyan")
    gpus = [g for g in last.get("gpus") or [] if isinstance(g, dict)]
    for gpu in gpus:
        i = int(gpu.get("index", 0))
        util = gpu.get("util")
        if util is not None:
            row(f"GPU{i}", list(history.gpu_util.get(i, [])), f"{util:.0f}%", top=100, style="magenta")
        total = gpu.get("mem_total")
        used = gpu.get("mem")
        value = f"{fmt_bytes(used)}" + (f"/{fmt_bytes(total).split()[0]}" if total else "")
        row(f"mem{i}" if util is not None else f"GPU{i}", list(history.gpu_mem.get(i, [])), value, top=total,
            style="yellow")
    if not gpus:
        reason = str(info.get("gpu_problem") or "")
        short = reason.split(" (")[0].split(": ")[0]  # the cause; the fix is on the devices screen (d)
        out.append("no GPU visible" + (f": {short} (d: details)" if short else ""), style="dim italic")
    return out


class SystemPanel(Static):
    """CPU, memory and GPU sparklines of the run shown; ``clear`` when another run is shown."""

    DEFAULT_CSS = """
    SystemPanel { height: auto; max-height: 12; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self.history = _History()
        self.info: dict[str, Any] = {}

    def clear(self) -> None:
        self.history = _History()
        self.info = {}
        self.refresh_text()

    def add(self, samples: list[dict[str, Any]]) -> None:
        for sample in samples:
            self.history.add(sample)
        if samples:
            self.refresh_text()

    def set_info(self, info: dict[str, Any]) -> None:
        keys = ("strategy", "replicas", "precision", "workers", "workers_joined", "gpu_problem")
        new = {k: info.get(k) for k in keys}
        if new != self.info:
            self.info = new
            self.refresh_text()

    def refresh_text(self) -> None:
        empty = self.history.last is None and not self.info.get("strategy")
        self.display = not empty  # a run from before system samples existed: no empty lines
        self.update("" if empty else system_text(self.history, self.info, max(24, self.size.width or 40)))

    def on_resize(self) -> None:
        self.refresh_text()
