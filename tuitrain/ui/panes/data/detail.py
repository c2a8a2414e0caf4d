"""The Data pane's right side: one tensor read in full.

Its dtype, shape and statistics (the numbers of ``tuitrain check``), a slice of its values chosen
with an index such as ``0`` or ``0, :, 5``, class counts for labels, image samples for
image-shaped tensors and a histogram.  The pane decides which tensor is shown and what goes with
it (its labels, the class names); this widget only draws it, so the list and the drawing change
apart.  Its rules live in ``data.tcss`` (the pane's stylesheet, which reaches it by id).
"""

from __future__ import annotations

from typing import Any, Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from tuitrain.ui.panes.data.tensors import TensorEntry
from tuitrain.ui.widgets.image_preview import ImagePreview, is_image_tensor
from tuitrain.ui.widgets.chart.plotext_view import PlotextView

HIST_SAMPLE = 20_000  # values drawn into the histogram at most (a fixed stride, so it is deterministic)
HIST_BINS = 30
MAX_IMAGES = 8


def pack_line(parts: list[str], width: int, indent: int, gap: str = "   ") -> str:
    """``parts`` joined by ``gap``, broken between parts (never inside one) to fit ``width`` columns;
    lines after the first are indented by ``indent`` (under the first part).  ``width`` 0: one line."""
    lines = [""]
    for part in parts:
        used = indent + len(lines[-1])
        if lines[-1] and width and used + len(gap) + len(part) > width:
            lines.append("")
        lines[-1] = f"{lines[-1]}{gap}{part}" if lines[-1] else part
    return ("\n" + " " * indent).join(lines)


class TensorDetail(VerticalScroll):
    """Stats, index box, values, class counts, images and histogram of the tensor the pane chose."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._histogram_of: TensorEntry | None = None
        self._first_index = ""  # an index chosen before the index box was composed (the pane mounts first)
        # What the pane asked to draw before this widget's children existed (the pane's on_mount can
        # run first when the Data pane mounts after the first frame); drawn by on_mount.
        self._before_compose: Callable[[], None] | None = None

    def on_mount(self) -> None:
        if self._before_compose is not None:
            draw, self._before_compose = self._before_compose, None
            draw()

    def _composed(self, draw: Callable[[], None]) -> bool:
        """True when the children exist; otherwise keep ``draw`` (the latest request) for on_mount."""
        if self.query("#tensor-stats"):
            return True
        self._before_compose = draw
        return False

    def compose(self) -> ComposeResult:
        yield Static("", id="tensor-stats")
        with Horizontal(id="slice-row"):
            yield Label("index", id="slice-label")
            yield Input(self._first_index, id="slice-index", compact=True, placeholder=": (all)   e.g. 0  or  0, :, 5")
        yield Static("", id="slice-values", markup=False)
        yield Static("", id="class-counts")
        yield ImagePreview(id="images")
        histogram = PlotextView(id="histogram")
        histogram.border_title = "histogram"  # set here: the pane's on_mount may run before this child exists
        yield histogram

    # --- the index box -------------------------------------------------------------
    def reset_index(self, entry: TensorEntry | None) -> None:
        """A data tensor opens at its first sample; weights and playground results whole."""
        value = ""
        if entry is not None and entry.group == "data":  # no tensor yet (the first frame): numpy stays unloaded
            from tuitrain.ui.widgets.tensor_text import default_index

            value = default_index(entry.array.shape)
        box = next(iter(self.query("#slice-index").results(Input)), None)
        if box is None:
            self._first_index = value
            return
        with box.prevent(Input.Changed):
            box.value = value

    def step_index(self, entry: TensorEntry, delta: int) -> None:
        from tuitrain.ui.widgets.tensor_text import step_index

        box = self.query_one("#slice-index", Input)
        with box.prevent(Input.Changed):
            box.value = step_index(box.value, entry.array.shape, delta)

    # --- drawing -------------------------------------------------------------------
    def show_nothing(self, why: str) -> None:
        """No tensor to show: ``why`` in place of the stats, everything else hidden."""
        if not self._composed(lambda: self.show_nothing(why)):
            return
        self.border_title = "tensor"
        self.query_one("#tensor-stats", Static).update(Text(why, style="italic"))
        self.query_one("#slice-values", Static).update("")
        self.query_one("#class-counts", Static).update("")
        self.query_one("#images", ImagePreview).clear()
        histogram = self.query_one("#histogram", PlotextView)
        histogram.replot(None)
        histogram.display = False
        self._histogram_of = None
        self.query_one("#slice-row").display = False

    def show(self, entry: TensorEntry, *, labels: TensorEntry | None, is_labels: bool, class_names: list) -> None:
        """Draw ``entry``; ``labels`` captions its images, ``is_labels`` shows class counts instead."""
        if not self._composed(lambda: self.show(entry, labels=labels, is_labels=is_labels, class_names=class_names)):
            return
        from tuitrain.ui.widgets.tensor_text import stats_table

        histogram = self.query_one("#histogram", PlotextView)
        self.query_one("#slice-row").display = True
        self.border_title = entry.label
        self.query_one("#tensor-stats", Static).update(stats_table(entry.stats, kind=entry.kind))
        self._show_values(entry, self.query_one("#slice-values", Static))
        self._show_counts(entry, self.query_one("#class-counts", Static), is_labels, class_names)
        self._show_images(entry, self.query_one("#images", ImagePreview), labels)
        histogram.display = entry.array.size > 0
        if self._histogram_of is not entry:  # the histogram does not depend on the index: redraw only for a new tensor
            self._histogram_of = entry
            self._show_histogram(entry, histogram, is_labels)

    def _show_values(self, entry: TensorEntry, widget: Static) -> None:
        import numpy as np

        from tuitrain.ui.widgets.tensor_text import (
            IndexError_,
            format_index,
            parse_index,
            values_text,
        )

        text = self.query_one("#slice-index", Input).value
        try:
            index = parse_index(text, entry.array.shape)
        except IndexError_ as err:
            widget.update(str(err))
            widget.set_class(True, "-error")
            return
        widget.set_class(False, "-error")
        part = entry.array[index] if index else entry.array
        width = max(self.size.width - 4, 20)
        head = f"{entry.label}[{format_index(index)}]  shape {tuple(np.shape(part))}\n"
        widget.update(head + values_text(part, width))

    @staticmethod
    def _show_counts(entry: TensorEntry, widget: Static, is_labels: bool, names: list) -> None:
        if not is_labels:
            widget.update("")
            widget.display = False
            return
        from tuitrain.data import class_counts

        counts = class_counts(entry.array)
        total = max(sum(counts.values()), 1)
        parts = [f"{k}{f' {names[k]}' if k < len(names) else ''}: {n:,} ({100 * n / total:.1f} %)"
                 for k, n in counts.items()]
        text = Text("class counts  ", style="bold")
        # The box's own width is 0 while hidden; the detail's content width is what it will get.
        width = widget.parent.scrollable_content_region.width if isinstance(widget.parent, Widget) else 0
        text.append(pack_line(parts, width, len(text)))
        widget.update(text)
        widget.display = True

    def _show_images(self, entry: TensorEntry, widget: ImagePreview, labels: TensorEntry | None) -> None:
        import numpy as np

        shape = entry.array.shape
        if not is_image_tensor(shape) or shape[0] == 0:
            widget.clear()
            widget.display = False
            return
        widget.display = True
        text = self.query_one("#slice-index", Input).value.strip()
        first = text.split(",")[0].strip()
        start = int(first) % shape[0] if first.lstrip("-").isdigit() else 0
        images, captions = [], []
        for i in range(start, min(start + MAX_IMAGES, shape[0])):
            images.append(entry.array[i])
            caption = f"#{i}"
            if labels is not None and i < len(labels.array):
                y = labels.array[i]
                y = int(np.argmax(y)) if np.ndim(y) and np.size(y) > 1 else y.item() if np.ndim(y) else y
                caption += f" y={y}"
            captions.append(caption)
        widget.show(images, captions)

    @staticmethod
    def _show_histogram(entry: TensorEntry, widget: PlotextView, is_labels: bool) -> None:
        import numpy as np

        if is_labels:
            from tuitrain.data import class_counts

            counts = class_counts(entry.array)
            widget.border_title = f"{entry.label}: samples per class"

            def draw(fig: Any, markers: list) -> None:
                fig.draw(fig.bar([str(k) for k in counts], list(counts.values()), marker=markers[0], width=0.6))

            widget.replot(draw)
            return
        flat = np.asarray(entry.array).reshape(-1)
        if flat.dtype.kind not in "biuf":
            widget.replot(None)
            return
        stride = max(1, flat.size // HIST_SAMPLE)
        sample = flat[::stride].astype(np.float64)
        sample = sample[np.isfinite(sample)]
        widget.border_title = f"{entry.label}: histogram of {sample.size:,} values" + (
            f" (every {stride})" if stride > 1 else ""
        )
        if sample.size == 0:
            widget.replot(None)
            return
        data = sample.tolist()
        bins = HIST_BINS if np.ptp(sample) > 0 else 1

        def draw(fig: Any, markers: list) -> None:
            fig.draw(fig.hist(data, bins=bins, marker=markers[0]))

        widget.replot(draw)
