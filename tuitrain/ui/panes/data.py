"""Data & tensor pane: every data tensor, each layer's weights, and the tensor playground.

Left: the list of tensors (x/y train/val, then weights once the model is built,
then the playground result).  Right: the chosen tensor's dtype, shape and
statistics (the numbers of ``tuitrain check``, from ``tuitrain.data.describe``),
a slice of its values chosen with an index such as ``0`` or ``0, :, 5``, class
counts for labels, image samples for image-shaped tensors and a histogram.
Statistics are computed in a thread worker that posts a message back.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tuitrain.ui.app_access import AppAccess
from tuitrain.ui.panes.data_editor import DataEditor
from tuitrain.ui.widgets.image_preview import ImagePreview, is_image_tensor
from tuitrain.ui.widgets.plotext_view import PlotextView

# numpy and tuitrain.data are imported inside methods: this module is imported before the first
# paint and neither is needed until data arrives.

PANE_COMMANDS: list[tuple[str, str, str]] = [
    ("Data: next sample", "show the next index along the first axis", "next_index"),
    ("Data: previous sample", "show the previous index along the first axis", "previous_index"),
    ("Data: choose slice", "type the index to preview, e.g. 0 or 0, :, 5", "focus_slice"),
    ("Data: tensor playground", "type a tf/np constructor and see the tensor", "focus_playground"),
    ("Data: edit", "the data source, its options, validation split and preprocessing steps", "edit_data"),
    ("Data: change source", "another data set, file or folder for this preset", "edit_source"),
    ("Data: source options and validation split", "a form from the source's own arguments", "edit_options"),
    ("Data: add a preprocessing step", "rescale, standardize, reshape, one_hot…", "add_step"),
]

HIST_SAMPLE = 20_000  # values drawn into the histogram at most (a fixed stride, so it is deterministic)
HIST_BINS = 30
MAX_IMAGES = 8


@dataclass
class TensorEntry:
    key: str  # option id: "data:x_train", "weights:dense/kernel", "playground"
    label: str
    group: str  # data | weights | playground
    array: Any  # np.ndarray
    stats: Any  # tuitrain.data.TensorStats
    kind: str = ""  # "tf.Tensor" / "np.ndarray" for playground results


class TensorsDescribed(Message):
    def __init__(self, group: str, entries: list[TensorEntry], token: object) -> None:
        super().__init__()
        self.group = group
        self.entries = entries
        self.token = token


class PlaygroundDone(Message):
    def __init__(self, entry: TensorEntry | None, error: str | None) -> None:
        super().__init__()
        self.entry = entry
        self.error = error


def _describe_all(group: str, arrays: list[tuple[str, Any]]) -> list[TensorEntry]:
    from tuitrain.data import describe

    return [TensorEntry(f"{group}:{name}", name, group, array, describe(name, array)) for name, array in arrays]


def model_weights(model: Any) -> list[tuple[str, Any]]:
    """(layer/weight, values) for every weight of every layer, in layer order."""
    import numpy as np

    out = []
    seen: set[str] = set()
    for layer in model.layers:
        for weight in layer.weights:
            short = str(getattr(weight, "name", "w")).split("/")[-1].split(":")[0]
            label = f"{layer.name}/{short}"
            if label in seen:  # a wrapper's two inner layers (Bidirectional) name their weights alike
                label = str(getattr(weight, "path", label))
            seen.add(label)
            out.append((label, np.asarray(weight.numpy())))
    return out


class DataPane(AppAccess, Horizontal):
    """Pick a tensor on the left, read it on the right."""

    DEFAULT_CSS = Path(__file__).with_name("data.tcss").read_text(encoding="utf-8")
    BINDINGS = [
        Binding("plus,equals_sign", "next_index", "Next", id="data.next"),
        Binding("minus", "previous_index", "Prev", id="data.previous"),
        Binding("i", "focus_slice", "Index", id="data.slice"),
        Binding("t", "focus_playground", "Playground", id="data.playground"),
        Binding("e", "edit_data", "Edit data", id="data.edit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._entries: dict[str, list[TensorEntry]] = {"data": [], "weights": [], "playground": []}
        self._selected: str | None = None
        self._tokens: dict[str, object] = {}
        self._waiting: set[str] = set()  # background work whose result is not on screen yet
        self._histogram_of: TensorEntry | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="tensor-side"):
            # In a box of its own: Textual moves the focus of a widget that a tab switch hides to a
            # focusable sibling, which would switch back to this tab.
            with Vertical(id="data-editor-box"):
                yield DataEditor(id="data-editor")
            yield OptionList(id="tensor-list")
        with Vertical(id="tensor-main"):
            with VerticalScroll(id="tensor-detail"):
                yield Static("", id="tensor-stats")
                with Horizontal(id="slice-row"):
                    yield Label("index", id="slice-label")
                    yield Input("", id="slice-index", compact=True, placeholder=": (all)   e.g. 0  or  0, :, 5")
                yield Static("", id="slice-values", markup=False)
                yield Static("", id="class-counts")
                yield ImagePreview(id="images")
                yield PlotextView(id="histogram")
            with Horizontal(id="playground-row"):
                yield Label("tf/np ›", id="playground-label")
                yield Input(id="playground", compact=True, placeholder="tf.zeros((2, 3))  or  np.arange(12).reshape(3, 4)")
            yield Static("", id="playground-error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#tensor-side").border_title = "data · tensors"
        self.query_one("#histogram").border_title = "histogram"
        self.watch(self.app, "dataset", self._dataset_changed)
        self.watch(self.app, "build_report", self._report_changed)
        self.watch(self.app, "load_error", lambda _: self._show_selected())

    # --- app state → entries -----------------------------------------------------
    def _dataset_changed(self, dataset: Any) -> None:
        token = self._tokens["data"] = object()
        if dataset is None:
            self._set_entries("data", [])
            self._work_ended("describing data")
            return
        self._start_describe("data", list(dataset.tensors().items()), token)

    def _report_changed(self, report: Any) -> None:
        token = self._tokens["weights"] = object()
        model = (report.model if report is not None else None)
        if model is None:
            self._set_entries("weights", [])
            self._work_ended("describing weights")
            return
        self._start_describe("weights", model, token)

    def pending(self) -> list[str]:
        """This pane's background work not on screen yet (part of the app's ``ready`` state)."""
        return sorted(self._waiting)

    def _work_started(self, what: str) -> None:
        self._waiting.add(what)
        self.app.refresh_ready()

    def _work_ended(self, what: str) -> None:
        self._waiting.discard(what)
        self.app.refresh_ready()

    def _start_describe(self, group: str, source: Any, token: object) -> None:
        self._work_started(f"describing {group}")
        self._describe(group, source, token)

    @work(thread=True, group="describe", exit_on_error=False)
    def _describe(self, group: str, source: Any, token: object) -> None:
        arrays = model_weights(source) if group == "weights" else source
        self.post_message(TensorsDescribed(group, _describe_all(group, arrays), token))

    @on(TensorsDescribed)
    def _described(self, message: TensorsDescribed) -> None:
        if self._tokens.get(message.group) is message.token:
            self._set_entries(message.group, message.entries)
            self._work_ended(f"describing {message.group}")

    def _set_entries(self, group: str, entries: list[TensorEntry]) -> None:
        self._entries[group] = entries
        listing = self.query_one("#tensor-list", OptionList)
        options: list[Option | None] = []
        titles = {"data": "data", "weights": "weights", "playground": "playground"}
        for name, items in self._entries.items():
            if not items:
                continue
            options.append(Option(Text(titles[name], style="bold"), disabled=True))
            options.extend(Option(f" {e.label if len(e.label) <= 19 else e.label[:18] + '…'}", id=e.key) for e in items)
        listing.clear_options()
        listing.add_options(options)
        keys = [e.key for items in self._entries.values() for e in items]
        if self._selected not in keys:
            self._selected = keys[0] if keys else None
            self._reset_index()
        if self._selected is not None:
            listing.highlighted = listing.get_option_index(self._selected)
        self._show_selected()

    # --- selection ---------------------------------------------------------------
    def entry(self) -> TensorEntry | None:
        for items in self._entries.values():
            for e in items:
                if e.key == self._selected:
                    return e
        return None

    def select(self, key: str) -> None:
        """Show the tensor with this option id (``data:x_train``, ``weights:dense/kernel``, ``playground``)."""
        listing = self.query_one("#tensor-list", OptionList)
        listing.highlighted = listing.get_option_index(key)
        self._choose(key)

    @on(OptionList.OptionHighlighted, "#tensor-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id and event.option.id != self._selected:
            self._choose(event.option.id)

    def _choose(self, key: str) -> None:
        self._selected = key
        self._reset_index()
        self._show_selected()

    def _reset_index(self) -> None:
        from tuitrain.ui.widgets.tensor_text import default_index

        entry = self.entry()
        box = self.query_one("#slice-index", Input)
        with box.prevent(Input.Changed):
            box.value = default_index(entry.array.shape) if entry is not None and entry.group == "data" else ""

    @on(Input.Changed, "#slice-index")
    def _index_typed(self) -> None:
        self._show_selected()

    def action_next_index(self) -> None:
        self._step(+1)

    def action_previous_index(self) -> None:
        self._step(-1)

    def _step(self, delta: int) -> None:
        from tuitrain.ui.widgets.tensor_text import step_index

        entry = self.entry()
        if entry is None:
            return
        box = self.query_one("#slice-index", Input)
        with box.prevent(Input.Changed):
            box.value = step_index(box.value, entry.array.shape, delta)
        self._show_selected()

    def action_focus_slice(self) -> None:
        self.query_one("#slice-index", Input).focus()

    def action_edit_data(self) -> None:
        self.query_one(DataEditor).focus()

    def action_edit_source(self) -> None:
        self.query_one(DataEditor).edit_source()

    def action_edit_options(self) -> None:
        self.query_one(DataEditor).edit_options()

    def action_add_step(self) -> None:
        editor = self.query_one(DataEditor)
        editor.focus()
        editor.action_add_step()

    def action_focus_playground(self) -> None:
        self.query_one("#playground", Input).focus()

    # --- drawing -----------------------------------------------------------------
    def _show_selected(self) -> None:
        from tuitrain.ui.widgets.tensor_text import stats_table

        entry = self.entry()
        stats = self.query_one("#tensor-stats", Static)
        values = self.query_one("#slice-values", Static)
        counts = self.query_one("#class-counts", Static)
        images = self.query_one("#images", ImagePreview)
        histogram = self.query_one("#histogram", PlotextView)
        detail = self.query_one("#tensor-detail")
        if entry is None:
            detail.border_title = "tensor"
            if self.app.load_error:
                stats.update(Text("No data: see the error above.", style="italic"))
            elif not self.app.tf_ready:
                stats.update(Text("loading TensorFlow…", style="italic"))
            else:
                stats.update(Text("loading data…", style="italic"))
            values.update("")
            counts.update("")
            images.clear()
            histogram.replot(None)
            histogram.display = False
            self._histogram_of = None
            self.query_one("#slice-row").display = False
            return
        self.query_one("#slice-row").display = True
        detail.border_title = entry.label
        stats.update(stats_table(entry.stats, kind=entry.kind))
        self._show_values(entry, values)
        self._show_counts(entry, counts)
        self._show_images(entry, images)
        histogram.display = entry.array.size > 0
        if self._histogram_of is not entry:  # the histogram does not depend on the index: redraw only for a new tensor
            self._histogram_of = entry
            self._show_histogram(entry, histogram)

    def _show_values(self, entry: TensorEntry, widget: Static) -> None:
        import numpy as np

        from tuitrain.ui.widgets.tensor_text import IndexError_, format_index, parse_index, values_text

        text = self.query_one("#slice-index", Input).value
        try:
            index = parse_index(text, entry.array.shape)
        except IndexError_ as err:
            widget.update(str(err))
            widget.set_class(True, "-error")
            return
        widget.set_class(False, "-error")
        part = entry.array[index] if index else entry.array
        width = max(self.query_one("#tensor-detail").size.width - 4, 20)
        head = f"{entry.label}[{format_index(index)}]  shape {tuple(np.shape(part))}\n"
        widget.update(head + values_text(part, width))

    def _label_entry(self, entry: TensorEntry) -> TensorEntry | None:
        """The labels that go with an x tensor (x_train → y_train)."""
        if entry.group != "data" or not entry.label.startswith("x"):
            return None
        key = "data:y" + entry.label[1:]
        return next((e for e in self._entries["data"] if e.key == key), None)

    def _is_labels(self, entry: TensorEntry) -> bool:
        dataset = self.app.dataset
        return (
            entry.group == "data"
            and entry.label.startswith("y")
            and getattr(dataset, "task", None) == "classification"
        )

    def _show_counts(self, entry: TensorEntry, widget: Static) -> None:
        if not self._is_labels(entry):
            widget.update("")
            widget.display = False
            return
        from tuitrain.data import class_counts

        counts = class_counts(entry.array)
        dataset = self.app.dataset
        names = (dataset.class_names if dataset is not None else None) or []
        total = max(sum(counts.values()), 1)
        text = Text("class counts  ", style="bold")
        for k, n in counts.items():
            name = f" {names[k]}" if k < len(names) else ""
            text.append(f"{k}{name}: {n:,} ({100 * n / total:.1f} %)   ")
        widget.update(text)
        widget.display = True

    def _show_images(self, entry: TensorEntry, widget: ImagePreview) -> None:
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
        labels = self._label_entry(entry)
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

    def _show_histogram(self, entry: TensorEntry, widget: PlotextView) -> None:
        import numpy as np

        if self._is_labels(entry):
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

    def on_resize(self) -> None:
        self._show_selected()

    # --- playground --------------------------------------------------------------
    @on(Input.Submitted, "#playground")
    def _playground_submitted(self, event: Input.Submitted) -> None:
        self.query_one("#playground-error", Static).update(Text("evaluating…", style="italic"))
        self._work_started("evaluating the playground")
        self._evaluate(event.value)

    @work(thread=True, exclusive=True, group="playground", exit_on_error=False)
    def _evaluate(self, text: str) -> None:
        from tuitrain.data import describe
        from tuitrain.playground import PlaygroundError, as_numpy, evaluate, kind_of

        try:
            value = evaluate(text)
            array = as_numpy(value)
            label = text.strip()
            entry = TensorEntry("playground", label, "playground", array, describe(label, array), kind=kind_of(value))
        except PlaygroundError as err:
            self.post_message(PlaygroundDone(None, str(err)))
            return
        except Exception as err:  # noqa: BLE001 - a dead worker would leave "evaluating…" on screen forever
            self.post_message(PlaygroundDone(None, f"could not evaluate that: {type(err).__name__}: {err}"))
            return
        self.post_message(PlaygroundDone(entry, None))

    @on(PlaygroundDone)
    def _playground_done(self, message: PlaygroundDone) -> None:
        self._work_ended("evaluating the playground")
        error = self.query_one("#playground-error", Static)
        if message.error:
            error.update(message.error)
            error.set_class(True, "-error")
            return
        error.update("")
        error.set_class(False, "-error")
        self._set_entries("playground", [message.entry])
        self.select("playground")
