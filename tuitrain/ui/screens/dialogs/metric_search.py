"""Find a metric to chart by typing part of its name (``/`` on the Train pane).

A run may log dozens of metrics (a LiveRun script, a TensorBoard folder); ``m`` steps through them
one at a time, and the "all metrics" view can only show a few. Here the names are matched fuzzily
as the user types (Textual's own matcher, as in the command palette), best first; Enter charts the
highlighted one, escape leaves the chart as it was.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.fuzzy import Matcher
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from tuitrain.ui.screens.dialogs.form_dialog import ModalBase
from tuitrain.ui.widgets.lists import SteadyOptionList

__all__ = ["ALL_METRICS", "MetricSearchScreen", "rank_metrics"]

ALL_METRICS = "all metrics"  # the entry that shows every metric again (the chart's metric "")


def rank_metrics(names: list[str], query: str) -> list[str]:
    """``names`` that match ``query`` fuzzily, best first (all of them, in order, for no query)."""
    query = query.strip()
    if not query:
        return list(names)
    matcher = Matcher(query)
    scored = [(matcher.match(name), i, name) for i, name in enumerate(names)]
    return [name for score, _, name in sorted(scored, key=lambda s: (-s[0], s[1])) if score > 0]


class MetricSearchScreen(ModalBase["str | None"]):
    """Dismisses with the chosen metric's base name ("" for every metric), or None."""

    DEFAULT_CSS = """
    MetricSearchScreen > Vertical { width: 60; max-width: 90%; height: auto; max-height: 80%; padding: 0 1; }
    MetricSearchScreen OptionList { height: auto; max-height: 14; }
    """
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel"),
        Binding("down", "move(1)", "Next", show=False),
        Binding("up", "move(-1)", "Previous", show=False),
    ]

    def __init__(self, names: list[str], current: str = "") -> None:
        super().__init__()
        self.names = [ALL_METRICS, *names]
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box") as box:
            box.border_title = "Chart a metric"
            box.border_subtitle = "type to filter · enter: chart it · escape: cancel"
            yield Input(placeholder="part of a metric's name", id="metric-query")
            yield SteadyOptionList(id="metric-list")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def _fill(self, query: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        matcher = Matcher(query.strip()) if query.strip() else None
        for name in rank_metrics(self.names, query):
            label = matcher.highlight(name) if matcher is not None else Text(name)
            options.add_option(Option(label, id=name))
        if options.option_count:
            current = self.current or ALL_METRICS
            ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
            options.highlighted = ids.index(current) if not query.strip() and current in ids else 0

    def action_move(self, delta: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            options.highlighted = ((options.highlighted or 0) + delta) % options.option_count

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return  # nothing matches: keep typing or escape
        self._choose(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option.id)

    def _choose(self, name: str | None) -> None:
        self.dismiss("" if name == ALL_METRICS else name)
