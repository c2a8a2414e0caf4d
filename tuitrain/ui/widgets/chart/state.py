"""The chart's state line (what is shown and how) and legend line, fitted to the chart's width.

At 80 columns the chart is about 48 cells wide; the state must still read whole: the metric view,
per batch or epoch, smoothing, lin/log, the x axis and its zoom window, the run in focus. So each
part has a long and a compact form, and the compact ones are used when the long line does not fit.
The legend line names the curves and, when the run shown is not the preset's own, the run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from tuitrain.ui.widgets.chart.window import window_text

if TYPE_CHECKING:  # render.py imports this module
    from tuitrain.ui.widgets.chart.render import ChartOptions

__all__ = ["legend_line", "smoothing_text", "state_line"]

SEPARATOR = " · "
MIN_RUN_NAME = 14  # "watching " plus at least this much of the run's name stays on screen


def smoothing_text(smoothing: float) -> str:
    """``ema .6``, ``ema .95``: the EMA weight without its leading zero."""
    return "ema " + f"{smoothing:g}".removeprefix("0")


def state_line(options: ChartOptions, width: int, *, overlay: bool = False, hidden: int = 0) -> Text:
    """``loss · batch · ema .6 · lin · x step 100–200 · ▸ run-b`` in at most ``width`` cells."""
    view = options.metric or ("all metrics (scaled)" if overlay else "all metrics")
    short_view = options.metric or ("all (scaled)" if overlay else "all")
    smoothing = options.granularity == "batch" and options.smoothing > 0
    long_parts = [view, f"per {options.granularity}", *([smoothing_text(options.smoothing)] if smoothing else []),
                  "log y" if options.log_y else "linear y", "x " + window_text(options.x_window, options.x_axis)]
    short_parts = [short_view, options.granularity, *([smoothing_text(options.smoothing)] if smoothing else []),
                   "log" if options.log_y else "lin", "x " + window_text(options.x_window, options.x_axis)]
    tail = []
    if options.focus:
        tail.append(f"▸ {options.focus}")
    if hidden > 0:
        tail.append(f"+{hidden} more (/)")
    shortest = [options.metric or "all", *short_parts[1:-1], short_parts[-1].removeprefix("x ")]
    for parts in (long_parts + tail, short_parts + tail, shortest + tail):
        line = SEPARATOR.join(parts)
        if len(line) <= width:
            break
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(parts[0], style="bold")
    text.append(SEPARATOR + SEPARATOR.join(parts[1:]), style="dim")
    text.truncate(width, overflow="ellipsis")
    return text


def legend_line(entries: list[tuple[str, int]], width: int, *, extra: str = "", watching: str = "") -> Text:
    """``━ train  ━ validation  │ phase 2 from epoch 4  watching spiral_mlp-2026…`` in ``width`` cells:
    the watched run's name is cut (never dropped) before curve names are left out."""
    tail = ""
    if watching:  # the name is cut down to MIN_RUN_NAME before a curve's name is left out
        names = sum(len(name) + 4 for name, _ in entries) + len(extra)
        tail = "watching " + _cut(watching, max(MIN_RUN_NAME, width - names - len("watching ") - 1))
    room = width - (len(tail) + 1 if tail else 0)
    text = Text(no_wrap=True, overflow="ellipsis")
    left_out = 0
    for name, color in entries:
        if left_out or (text.cell_len + len(name) + 2 > room and text.cell_len):
            left_out += 1
            continue
        text.append("━ ", style=f"color({color})")
        text.append(name + "  ")
    if left_out and text.cell_len + len(f"+{left_out}") <= room:
        text.append(f"+{left_out}  ", style="dim")
    if extra and text.cell_len + len(extra) <= room:
        text.append(extra, style="color(8)")
    if tail:
        text.append(" " * max(1, width - text.cell_len - len(tail)))
        text.append(tail, style="bold")
    text.truncate(width, overflow="ellipsis")
    return text


def _cut(name: str, keep: int) -> str:
    return name if len(name) <= keep else name[: keep - 1] + "…"


def label_top_frame(plot: Text, label: str) -> Text | None:
    """The plot with `` label `` written into its top frame (``┌─ watching run-2026… ───┐``), as a
    border title; None when the plot has no frame row to carry it (several panels: titles there)."""
    lines = plot.split("\n", allow_blank=True)
    if not lines:
        return None
    top = lines[0]
    start, end = top.plain.find("┌"), top.plain.rfind("┐")
    room = end - start - 4
    if start < 0 or end < 0 or top.plain.count("┌") != 1 or room < MIN_RUN_NAME:
        return None
    title = Text(f" {_cut(label, room - 2)} ", style="bold")
    at = start + 2
    lines[0] = Text.assemble(top[:at], title, top[at + title.cell_len:])
    return Text("\n").join(lines)
