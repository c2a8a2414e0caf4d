"""Data & tensor pane: every data tensor, each layer's weights, and the tensor playground.

Left: the data editor (source, options, split, preprocessing: ``data_editor``) over the list of
tensors (x/y train/val, then weights once the model is built, then the playground result).
Right: the chosen tensor read in full (``data_detail.TensorDetail``).  This module keeps the
list in step with the app's data set and model, the selection and the keys; statistics are
computed in thread workers (``data_tensors``) that post a message back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, OptionList, Static

from tuitrain.ui.styles import NARROW_COLUMNS
from tuitrain.ui.widgets.lists import SteadyOptionList
from tuitrain.ui.app_access import AppAccess
from tuitrain.ui.pane_actions import PaneAction, bindings
from tuitrain.ui.panes.data.detail import TensorDetail
from tuitrain.ui.panes.data.editor import DataEditor
from tuitrain.ui.panes.data.tensors import (
    PlaygroundDone,
    TensorEntry,
    TensorsDescribed,
    describe_all,
    evaluate_playground,
    model_weights,
    tensor_options,
)

PANE_ACTIONS = [
    PaneAction("next_index", "plus,equals_sign", "Next", "Data: next sample",
               "show the next index along the first axis", "data.next"),
    PaneAction("previous_index", "minus", "Prev", "Data: previous sample",
               "show the previous index along the first axis", "data.previous"),
    PaneAction("focus_slice", "i", "Index", "Data: choose slice", "type the index to preview, e.g. 0 or 0, :, 5", "data.slice"),
    PaneAction("focus_playground", "t", "Playground", "Data: tensor playground",
               "type a tf/np constructor and see the tensor", "data.playground"),
    PaneAction("edit_data", "e", "Edit data", "Data: edit",
               "the data source, its options, validation split and preprocessing steps", "data.edit"),
    PaneAction("edit_source", title="Data: change source", help="another data set, file or folder for this preset"),
    PaneAction("edit_options", title="Data: source options and validation split",
               help="a form from the source's own arguments"),
    PaneAction("add_step", title="Data: add a preprocessing step", help="rescale, standardize, reshape, one_hot…"),
]




class DataPane(AppAccess, Horizontal):
    """Pick a tensor on the left, read it on the right."""

    DEFAULT_CSS = Path(__file__).with_name("data.tcss").read_text(encoding="utf-8")
    BINDINGS = bindings(PANE_ACTIONS)

    def __init__(self) -> None:
        super().__init__()
        self._entries: dict[str, list[TensorEntry]] = {"data": [], "weights": [], "playground": []}
        self._selected: str | None = None
        self._tokens: dict[str, object] = {}
        self._waiting: set[str] = set()  # background work whose result is not on screen yet

    def compose(self) -> ComposeResult:
        with Vertical(id="tensor-side"):
            # In a box of its own: Textual moves the focus of a widget that a tab switch hides to a
            # focusable sibling, which would switch back to this tab.
            with Vertical(id="data-editor-box"):
                yield DataEditor(id="data-editor")
            yield SteadyOptionList(id="tensor-list")
        with Vertical(id="tensor-main"):
            yield TensorDetail(id="tensor-detail")
            with Horizontal(id="playground-row"):
                yield Label("tf/np ›", id="playground-label")
                yield Input(id="playground", compact=True, placeholder="e.g. tf.zeros((2, 3)) or np.arange(12)")
            yield Static("", id="playground-error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#tensor-side").border_title = "data · tensors"
        self.watch(self.app, "dataset", self._dataset_changed)
        self.watch(self.app, "build_report", self._report_changed)
        for message in ("preset_error", "data_error", "notice"):
            self.watch(self.app, message, lambda _: self._show_selected())

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
        self.post_message(TensorsDescribed(group, describe_all(group, arrays), token))

    @on(TensorsDescribed)
    def _described(self, message: TensorsDescribed) -> None:
        if self._tokens.get(message.group) is message.token:
            self._set_entries(message.group, message.entries)
            self._work_ended(f"describing {message.group}")

    def _set_entries(self, group: str, entries: list[TensorEntry]) -> None:
        self._entries[group] = entries
        listing = self.query_one("#tensor-list", OptionList)
        listing.clear_options()
        listing.add_options(tensor_options(self._entries))
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
        self.query_one(TensorDetail).reset_index(self.entry())

    @on(Input.Changed, "#slice-index")
    def _index_typed(self) -> None:
        self._show_selected()

    def action_next_index(self) -> None:
        self._step(+1)

    def action_previous_index(self) -> None:
        self._step(-1)

    def _step(self, delta: int) -> None:
        entry = self.entry()
        if entry is None:
            return
        self.query_one(TensorDetail).step_index(entry, delta)
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
        entry = self.entry()
        detail = self.query_one(TensorDetail)
        if entry is None:
            if self.app.notice and not (self.app.preset_error or self.app.data_error):
                detail.show_nothing(f"No data: {self.app.notice}")  # a run opened alone: no box above says why
            elif self.app.preset_message:
                detail.show_nothing("No data: see the error above.")
            elif not self.app.tf_ready:
                detail.show_nothing("loading TensorFlow…")
            else:
                detail.show_nothing("loading data…")
            return
        is_labels = self._is_labels(entry)
        dataset = self.app.dataset
        names = ((dataset.class_names if dataset is not None else None) or []) if is_labels else []
        detail.show(entry, labels=self._label_entry(entry), is_labels=is_labels, class_names=names)

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
            and dataset is not None
            and dataset.task == "classification"
        )

    def on_resize(self) -> None:
        self.set_class(self.size.width < NARROW_COLUMNS, "-narrow")  # a narrower tensor list
        self._show_selected()

    # --- playground --------------------------------------------------------------
    @on(Input.Submitted, "#playground")
    def _playground_submitted(self, event: Input.Submitted) -> None:
        self.query_one("#playground-error", Static).update(Text("evaluating…", style="italic"))
        self._work_started("evaluating the playground")
        self._evaluate(event.value)

    @work(thread=True, exclusive=True, group="playground", exit_on_error=False)
    def _evaluate(self, text: str) -> None:
        self.post_message(evaluate_playground(text))

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
