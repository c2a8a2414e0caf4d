"""Class metrics with arguments in the Compile pane: ``{ type = "AUC", curve = "PR" }`` rows.

The metrics list ticks names; a metric with arguments (AUC, Precision at a threshold, F1Score,
TopKCategoricalAccuracy(k=3) …) is a table. This list shows those tables under the names; ``a``
opens a picker over every class Keras' metrics registry exports with a form from the chosen
class's constructor (the layer dialog with another namespace), ``e`` edits one, ``d`` removes it.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tuitrain.ui.screens.dialogs.layer_form import LayerFormScreen


def metric_tables(preset: Any) -> list[dict[str, Any]]:
    """The class metrics with arguments of a single-output preset, as copies to edit."""
    metrics = preset.compile.get("metrics", [])
    return [dict(m) for m in metrics if isinstance(m, dict)] if isinstance(metrics, list) else []


def set_metric_tables(p: Any, tables: list[dict[str, Any]]) -> None:
    """The ticked names as they are, then ``tables``; no metric at all removes the key."""
    metrics = [m for m in p.compile.get("metrics", []) if not isinstance(m, dict)] + tables
    if metrics:
        p.compile["metrics"] = metrics
    else:
        p.compile.pop("metrics", None)


def describe_table(table: dict[str, Any]) -> str:
    args = ", ".join(f"{k}={v!r}" for k, v in table.items() if k != "type")
    return f"{table.get('type')}({args})"


def table_options(preset: Any) -> list[Option]:
    tables = metric_tables(preset)
    if not tables:
        return [Option(Text("(no metric with arguments: a adds AUC, Precision, F1Score, …)", style="dim"), disabled=True)]
    return [Option(describe_table(t)) for t in tables]


class MetricFormScreen(LayerFormScreen):
    """Pick a ``keras.metrics`` class and fill in its arguments; dismisses with ``{type = …, …}``."""

    KIND = "metric"

    def __init__(self, metric: dict | None = None, *, title: str = "Add a metric with arguments") -> None:
        super().__init__(metric, title=title)


class MetricTableList(OptionList):
    """The preset's class-metric tables; keys add, edit and remove entries."""

    BINDINGS = [
        Binding("a", "request('add')", "Add metric", id="compile.add_metric"),
        Binding("e", "request('edit')", "Edit metric", id="compile.edit_metric"),
        Binding("d,delete", "request('remove')", "Remove metric", id="compile.remove_metric"),
    ]

    class Requested(Message):
        def __init__(self, what: str, index: int | None = None) -> None:
            super().__init__()
            self.what = what
            self.index = index

    def action_request(self, what: str) -> None:
        index = self.highlighted
        if what == "add":
            self.post_message(self.Requested("add"))
        elif index is not None and not self.get_option_at_index(index).disabled:
            self.post_message(self.Requested(what, index))


class MetricTableEditing:
    """The Compile pane's handling of :class:`MetricTableList` requests (a mixin)."""

    def _set_metric_tables(self: Any, tables: list[dict[str, Any]], highlight: int | None) -> None:
        self._commit(lambda p: set_metric_tables(p, tables))
        listing = self.query_one("#metric-tables", MetricTableList)
        listing.set_options(table_options(self.app.preset))
        if tables and highlight is not None:
            listing.highlighted = max(0, min(highlight, len(tables) - 1))

    def on_metric_table_list_requested(self: Any, event: MetricTableList.Requested) -> None:
        event.stop()
        if self.app.preset is None or not self.app.tf_ready:
            return
        tables = metric_tables(self.app.preset)
        index = event.index
        if event.what == "add":
            self.app.push_screen(MetricFormScreen(), lambda row: row and self._set_metric_tables([*tables, row], len(tables)))
        elif index is not None and index < len(tables) and event.what == "edit":
            def edited(row: dict | None) -> None:
                if row:
                    tables[index] = row
                    self._set_metric_tables(tables, index)

            self.app.push_screen(MetricFormScreen(tables[index], title=f"Edit metric {tables[index]['type']}"), edited)
        elif index is not None and index < len(tables) and event.what == "remove":
            del tables[index]
            self._set_metric_tables(tables, index)
