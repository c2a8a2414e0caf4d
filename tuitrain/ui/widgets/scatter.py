"""A text scatter plot: one swept key (x) against the objective (y), one mark per trial.

Drawn in characters at the widget's size (no plotting library): numbers on a linear axis (a log
axis when the values span more than a factor of 20), anything else as evenly spaced categories.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.widget import Widget


@dataclass(frozen=True)
class Point:
    x: Any
    y: float
    best: bool = False


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _fmt(v: Any) -> str:
    return f"{v:.3g}" if isinstance(v, float) else str(v)


def x_positions(values: list[Any], width: int) -> tuple[list[int], list[str]]:
    """Columns for the x values and the axis labels (ends for numbers, every category otherwise)."""
    if values and all(_is_number(v) for v in values):
        lo, hi = min(values), max(values)
        log = lo > 0 and hi / lo > 20
        f = (lambda v: math.log10(v)) if log else float
        span = (f(hi) - f(lo)) or 1.0
        cols = [round((f(v) - f(lo)) / span * (width - 1)) for v in values]
        return cols, [_fmt(lo), _fmt(hi) + (" (log)" if log else "")]
    cats = sorted({_fmt(v) for v in values})
    step = (width - 1) / max(1, len(cats) - 1) if len(cats) > 1 else 0
    where = {c: round(i * step) if len(cats) > 1 else width // 2 for i, c in enumerate(cats)}
    return [where[_fmt(v)] for v in values], cats


def scatter_text(points: list[Point], width: int, height: int, *, title: str = "") -> Text:
    """The plot as text: a y axis with the objective's range, marks (◆ the best), x labels below."""
    out = Text()
    if title:
        out.append(title[:width] + "\n", style="bold")
        height -= 1
    if not points:
        out.append("(no finished trials yet)", style="dim")
        return out
    ys = [p.y for p in points]
    lo, hi = min(ys), max(ys)
    label_w = max(len(f"{lo:.4g}"), len(f"{hi:.4g}")) + 1
    plot_w, plot_h = max(4, width - label_w - 1), max(2, height - 2)
    cols, labels = x_positions([p.x for p in points], plot_w)
    grid = [[" "] * plot_w for _ in range(plot_h)]
    best_cells = set()
    for p, col in zip(points, cols):
        row = plot_h - 1 - round((p.y - lo) / ((hi - lo) or 1.0) * (plot_h - 1))
        if p.best:
            best_cells.add((row, col))
        grid[row][col] = "◆" if p.best else ("●" if grid[row][col] == " " else "◉")
    for r, cells in enumerate(grid):
        label = f"{hi:.4g}" if r == 0 else (f"{lo:.4g}" if r == plot_h - 1 else "")
        out.append(label.rjust(label_w) + "│", style="dim")
        for c, ch in enumerate(cells):
            out.append(ch, style="bold green" if (r, c) in best_cells else "cyan")
        out.append("\n")
    out.append(" " * label_w + "└" + "─" * plot_w + "\n", style="dim")
    axis = "  ".join(labels) if len(labels) > 2 else (labels[0].ljust(plot_w - len(labels[-1])) + labels[-1]
                                                         if len(labels) == 2 else labels[0] if labels else "")
    out.append(" " * (label_w + 1) + axis[:plot_w], style="dim")
    return out


class Scatter(Widget):
    """``set_points`` then it redraws at its own size."""

    DEFAULT_CSS = """
    Scatter {
        width: 1fr;
        height: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.points: list[Point] = []
        self.caption = ""

    def set_points(self, points: list[Point], title: str) -> None:
        self.points, self.caption = list(points), title
        self.refresh()

    def render(self) -> Text:
        return scatter_text(self.points, self.size.width, self.size.height, title=self.caption)
