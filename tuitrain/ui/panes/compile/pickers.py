"""The Compile pane's loss and metrics lists, which filter as you type.

Keras offers dozens of losses and metrics; a search box above each list ranks the names against
what is typed (``rank_names``, as the layer picker does), enter picks the best loss or ticks the
highlighted metric.  Each picker is one row of the pane (``.field``) and owns its search; it posts
what the user chose, and the pane turns that into the preset edit (messages up, as the callback
list does), so these widgets never import the pane.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from tuitrain.ui.widgets.lists import SteadyOptionList, TickedSelectionList
from tuitrain.ui.app_access import AppAccess
from tuitrain.editing.compile_values import loss_choice, metric_names
from tuitrain.ui.panes.compile.metric_tables import describe_table, metric_tables
from tuitrain.ui.screens.dialogs.layer_form import rank_names
from tuitrain.ui.widgets.forms import ParamForm


def loss_form(loss: str, args: dict[str, Any]) -> ParamForm:
    """The chosen loss class's constructor arguments (``name`` left out)."""
    from tuitrain.catalogue import registry as I
    from tuitrain.catalogue import params as keras_params

    cls_name = I.loss_class_name(loss)
    params = [p for p in keras_params.constructor_params("loss", cls_name) if p.name != "name"]
    return ParamForm(params, args, folded=keras_params.common_param_names("loss", cls_name), id="loss-form", classes="subform")


class LossPicker(AppAccess, Horizontal):
    """The loss: a search box over Keras' loss names, the preset's own marked ●."""

    class Picked(Message):
        """The user chose ``loss`` (enter in the search, or a row of the list)."""

        def __init__(self, picker: LossPicker, loss: str) -> None:
            super().__init__()
            self.picker = picker
            self.loss = loss

    def __init__(self, current: str | None, names: list[str]) -> None:
        super().__init__(classes="field")
        self._current = current
        self._names = ([current] if current is not None and current not in names else []) + names

    def compose(self) -> ComposeResult:
        yield Label("loss", classes="field-name")
        with Vertical(classes="field-body"):
            yield Input(placeholder="search losses (enter picks)", id="loss-search", compact=True)
            loss_list = SteadyOptionList(*self._options(""), id="loss")
            if self._current is not None:
                loss_list.highlighted = self._names.index(self._current)
            yield loss_list
            yield Static("", id="warning-loss", classes="pane-warning")

    def _options(self, query: str) -> list[Option]:
        """The losses matching ``query`` (best first), the preset's own marked with ●."""
        shown, _ = loss_choice(self.app.preset.compile.get("loss"))
        return [Option(f"● {n}" if n == shown else f"  {n}", id=n) for n in rank_names(query, self._names)]

    def show_choice(self, loss: str) -> None:
        """After the pane made ``loss`` the preset's: move the ● and the highlight to it."""
        listing = self.query_one("#loss", OptionList)
        listing.set_options(self._options(self.query_one("#loss-search", Input).value))
        listing.highlighted = listing.get_option_index(loss)

    @on(Input.Changed, "#loss-search")
    def _filter(self, event: Input.Changed) -> None:
        event.stop()
        listing = self.query_one("#loss", OptionList)
        listing.set_options(self._options(event.value))
        listing.highlighted = 0 if listing.option_count else None

    @on(Input.Submitted, "#loss-search")
    def _pick_from_search(self, event: Input.Submitted) -> None:
        event.stop()
        option = self.query_one("#loss", OptionList).highlighted_option
        if option is None:
            self.notify("No loss matches the search.", severity="warning")
            return
        self.post_message(self.Picked(self, str(option.id)))

    @on(OptionList.OptionSelected, "#loss")
    def _pick_from_list(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Picked(self, str(event.option.id)))


def ticked_summary(preset: Any) -> str:
    """One line naming what ``compile()`` will track: ``ticked (2): accuracy, AUC(curve='PR')``.

    The count comes first so it survives when a narrow pane cuts the line."""
    names = [*metric_names(preset), *(describe_table(t) for t in metric_tables(preset))]
    return f"ticked ({len(names)}): {', '.join(names)}" if names else "ticked (0): none"


class MetricsPicker(AppAccess, Horizontal):
    """The metrics: a search box over Keras' metric names and a list to tick them in."""

    class Changed(Message):
        """The ticks changed: ``ticked`` of the names the list shows now (``shown``)."""

        def __init__(self, shown: set[str], ticked: list[str]) -> None:
            super().__init__()
            self.shown = shown
            self.ticked = ticked

    def __init__(self, ticked: list[str], names: list[str]) -> None:
        super().__init__(classes="field")
        self._ticked = ticked
        self._names = [*[m for m in ticked if m not in names], *names]

    def compose(self) -> ComposeResult:
        yield Label("metrics", classes="field-name")
        with Vertical(classes="field-body"):
            yield Input(placeholder="search metrics (enter ticks)", id="metrics-search", compact=True)
            yield Static(ticked_summary(self.app.preset), id="metrics-summary", markup=False)
            yield TickedSelectionList(*[(m, m, m in self._ticked) for m in self._names], id="metrics")
            yield Static("", id="warning-metrics", classes="pane-warning")

    def on_mount(self) -> None:
        self.watch(self.app, "preset", self._show_summary, init=False)

    def _show_summary(self) -> None:
        if self.app.preset is not None:
            self.query_one("#metrics-summary", Static).update(ticked_summary(self.app.preset))

    @on(Input.Changed, "#metrics-search")
    def _filter(self, event: Input.Changed) -> None:
        event.stop()
        listing = self.query_one("#metrics", SelectionList)
        ticked = set(metric_names(self.app.preset))
        with listing.prevent(SelectionList.SelectedChanged):  # showing fewer is not unticking
            listing.clear_options()
            listing.add_options([(m, m, m in ticked) for m in rank_names(event.value, self._names)])
        listing.highlighted = 0 if listing.option_count else None

    @on(Input.Submitted, "#metrics-search")
    def _tick_from_search(self, event: Input.Submitted) -> None:
        event.stop()
        listing = self.query_one("#metrics", SelectionList)
        option = listing.highlighted_option
        if option is None:
            self.notify("No metric matches the search.", severity="warning")
            return
        listing.toggle(option.value)

    @on(SelectionList.SelectedChanged, "#metrics")
    def _ticks_changed(self, event: SelectionList.SelectedChanged) -> None:
        event.stop()
        listing = event.selection_list
        shown = {listing.get_option_at_index(i).value for i in range(listing.option_count)}
        self.post_message(self.Changed(shown, [str(v) for v in listing.selected]))
