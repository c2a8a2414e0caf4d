"""Layers pane: the model's stack as a table, edited with keys, checked by Keras on every change.

Each edit builds a new preset (``preset.copy()``), records it in the shared undo history and hands
it to ``app.update_preset``; the app's debounced worker rebuilds the model
(``tuitrain.model.build_model_partial``) and sets ``app.build_report``, whose rows fill in output
shapes and parameter counts here.  Rows Keras refuses are marked with Keras' reason while the
rest of the stack stays editable.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from tuitrain.editing.layers import (
    available_inputs, duplicated, free_name, moved_layer, parse_inputs, placed, removed, reusable_rows, reuse_row,
)
from tuitrain.model import RowState, main_args, params_str, row_type, shape_str
from tuitrain.preset.heads import input_names
from tuitrain.ui.background import model_key
from tuitrain.ui.history import HistoryActions
from tuitrain.ui.pane_actions import PaneAction, bindings
from tuitrain.ui.panes.layers.backbone import backbone_line, child_rows, keras_layer_of, sublayers, train_cell

if TYPE_CHECKING:
    from tuitrain.preset import Preset

PANE_ACTIONS = [
    PaneAction("add_layer", "a", "Add", "Add layer", "Add a layer after the selected one", "layers.add"),
    PaneAction("insert_layer", "i", "Insert", "Insert layer", "Insert a layer before the selected one", "layers.insert"),
    PaneAction("edit_layer", "e", "Edit", "Edit layer", "Edit the selected layer's type and arguments", "layers.edit"),
    PaneAction("remove_layer", "d,delete", "Remove", "Remove layer", "Remove the selected layer", "layers.remove"),
    PaneAction("duplicate_layer", "c", "Duplicate", "Duplicate layer", "Copy the selected layer below it", "layers.duplicate"),
    PaneAction("reuse_layer", "r", "Reuse", "Reuse layer",
               "Call the selected layer again on other inputs (shared weights: a siamese tower)", "layers.reuse",
               show=False),  # in help and the palette; the footer at 80 columns is full
    PaneAction("toggle_trainable", "t", "Trainable", "Toggle trainable",
               "Freeze the selected layer (trainable = false) or make it trainable again", "layers.trainable"),
    PaneAction("expand_layer", "x", "Expand", "Expand backbone",
               "Show or hide the layers of the selected backbone (a keras.applications row)", "layers.expand"),
    PaneAction("move_up", "shift+up,K", "Up", "Move layer up", "Move the selected layer up", "layers.up"),
    PaneAction("move_down", "shift+down,J", "Down", "Move layer down", "Move the selected layer down", "layers.down"),
    PaneAction("undo", "u,ctrl+z", "Undo", "Undo edit", "Undo the last preset edit", "layers.undo"),
    PaneAction("redo", "ctrl+y", "Redo", "Redo edit", "Redo the last undone edit", "layers.redo"),
]

_PENDING = "…"


class LayersPane(HistoryActions, Vertical):
    """The layer stack: index, name, type, arguments, output shape, parameters, trainable."""

    DEFAULT_CSS = (Path(__file__).with_name("layers.tcss")).read_text(encoding="utf-8")
    BINDINGS = bindings(PANE_ACTIONS)

    def __init__(self) -> None:
        super().__init__(id="layers-pane")
        self._cursor_target: int | None = None
        self._expanded: set[str] = set()  # names of backbone rows whose layers are shown
        self._row_layer: list[int] = []  # the preset layer each table row belongs to (child rows: their backbone)

    def compose(self) -> ComposeResult:
        yield DataTable(id="layer-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="layer-reason")
        yield Static("", id="layer-totals")

    def on_mount(self) -> None:
        self.watch(self.app, "preset", self._refresh, init=False)
        self.watch(self.app, "build_report", self._refresh, init=False)
        for message in ("preset_error", "data_error", "notice"):
            self.watch(self.app, message, self._refresh, init=False)
        self._refresh()

    # ------------------------------------------------------------------ showing

    @property
    def table(self) -> DataTable:
        return self.query_one("#layer-table", DataTable)

    def _report_rows(self) -> list | None:
        """The build report's rows when it was built from the preset shown (not an older one)."""
        report, preset = self.app.build_report, self.app.preset
        if report is None or preset is None or report.key != model_key(preset):
            return None
        return report.rows

    def _refresh(self, *_: Any) -> None:
        preset = self.app.preset
        layers = preset.layers if preset is not None else []
        functional = bool(preset is not None and preset.is_functional)
        rows = self._report_rows()
        table = self.table
        keep = self._cursor_target if self._cursor_target is not None else self._cursor()
        table.clear(columns=True)
        columns = ["#", "name", "type", "arguments"] + (["inputs"] if functional else []) + ["output shape", "params", "train"]
        body = []
        warned = self._warnings() if rows else {}
        several_heads = bool(preset is not None and (preset.outputs or len(preset.inputs) > 1))
        row_layer: list[int] = []
        for i, layer in enumerate(layers):
            row = rows[i] if rows else None
            # Rows after a failure are "not built" (Keras never saw them): dim, not red.
            waiting = row is not None and row.state is RowState.NOT_BUILT
            broken = row is not None and row.error is not None and not waiting
            style = "bold red" if broken else ""
            mark = "✗ " if broken else ("⚠ " if i in warned else "")
            name = str(layer.get("name", row.name if row and row.error is None else ""))
            head = row is not None and row.head and several_heads
            cells: list[Any] = [
                Text(mark + str(i), style=style or ("yellow" if i in warned else "")),
                Text(name + (" → out" if head else ""), style=style or ("bold" if head else "")),
                Text(row_type(layer, row), style=style),
                Text(_adapt_mark(layer, row) + main_args(layer)),
            ]
            if functional:
                refs = layer.get("inputs", [])
                cells.append(Text(", ".join(refs) if isinstance(refs, list) else str(refs)))
            if row is None:
                cells += [Text(_PENDING, style="dim"), Text(_PENDING, style="dim"), Text(_PENDING, style="dim")]
            elif broken:
                cells += [Text("error", style="bold red"), Text("-", style="red"), Text("-", style="red")]
            elif waiting:
                cells += [Text("not built", style="dim"), Text("-", style="dim"), Text("-", style="dim")]
            else:
                keras_layer = keras_layer_of(self.app.build_report, row)
                cells += [
                    Text(row.output_shape),
                    Text(params_str(row), justify="right"),
                    train_cell(keras_layer, row.trainable),
                ]
            body.append(cells)
            row_layer.append(i)
            if row is not None and row.name in self._expanded and not broken and not waiting:
                children = child_rows(keras_layer_of(self.app.build_report, row), len(cells))
                body += children
                row_layer += [i] * len(children)
        for col, width in zip(columns, self._widths(columns, body)):
            table.add_column(col, key=col, width=width)
        for n, cells in enumerate(body):
            table.add_row(*cells, key=str(n))
        self._row_layer = row_layer
        if layers:
            target = max(0, min(keep, len(layers) - 1))
            table.move_cursor(row=row_layer.index(target) if target in row_layer else 0, animate=False)
        self._cursor_target = None
        self._show_reason()
        self._show_totals(preset, rows)

    def _widths(self, columns: list[str], body: list[list[Text]]) -> list[int]:
        """Natural widths, with the arguments (and inputs) column shortened to fit the pane.

        The numbers Keras reports (output shape, params) must stay visible at 80 columns.
        """
        widths = [max([len(c)] + [row[i].cell_len for row in body]) for i, c in enumerate(columns)]
        available = self.size.width - 2 * len(columns) - 2  # cell padding and the scrollbar
        if available <= 0:
            return widths
        squeeze = [i for i, c in enumerate(columns) if c in ("arguments", "inputs")]
        for i in squeeze:
            excess = sum(widths) - available
            if excess <= 0:
                break
            widths[i] = max(10, widths[i] - excess)
        return widths

    def on_resize(self) -> None:
        self._refresh()

    def _warnings(self) -> dict[int, str]:
        """The app's warnings that name a layer (``layers[2].units``), by layer index."""
        out: dict[int, str] = {}
        for warn in self.app.warnings:
            m = re.match(r"layers\[(\d+)\]", warn.path)
            if m:
                out.setdefault(int(m.group(1)), f"{warn.path}: {warn.message}")
        return out

    def _show_reason(self) -> None:
        """Keras' reason for the selected broken row (else the first one), or a mismatch warning."""
        reason = self.query_one("#layer-reason", Static)
        rows = self._report_rows()
        text, style = "", "red"
        if rows:
            broken = [r for r in rows if r.state is RowState.FAILED]
            cur = self._cursor()
            mine = 0 <= cur < len(rows) and rows[cur].state is RowState.FAILED
            chosen = rows[cur] if mine else (broken[0] if broken else None)
            if chosen is not None:
                where = "" if chosen.error.startswith("layers[") else f"layers[{chosen.index}] {chosen.type}: "
                text = f"✗ {where}{chosen.error}"
            else:
                warned = self._warnings()
                message = warned.get(cur) or next(iter(warned.values()), "")
                text, style = (f"⚠ {message}" if message else ""), "yellow"
                backbone = keras_layer_of(self.app.build_report, rows[cur]) if 0 <= cur < len(rows) else None
                if not message and sublayers(backbone):
                    text, style = backbone_line(backbone, rows[cur].name in self._expanded), ""
        reason.update(Text(text, style=style))
        reason.display = bool(text)

    def _show_totals(self, preset: Any, rows: list | None) -> None:
        totals = self.query_one("#layer-totals", Static)
        report = self.app.build_report
        if preset is None:
            message = self.app.preset_message or "No preset loaded."
            totals.update(Text(str(message)))
        elif not preset.layers:
            totals.update("No layers yet: press a to add one.")
        elif rows is None and self.app.data_error:
            totals.update(Text("Not built: the preset's data did not load (see the message above).", style="yellow"))
        elif rows is None:
            totals.update(Text("Building the model…" if self.app.tf_ready else "Loading TensorFlow…", style="dim"))
        elif report is not None and report.model is not None:
            totals.update(
                f"Total params: {report.total_params:,}    Trainable params: {report.trainable_params:,}"
                f"    Non-trainable params: {report.non_trainable_params:,}" + _ends(report.model)
            )
        else:
            totals.update(Text("Total params: - (the model does not build; fix the rows marked ✗)", style="red"))

    @on(DataTable.RowHighlighted)
    def _moved(self, event: DataTable.RowHighlighted) -> None:
        self._show_reason()

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit_layer()

    # ------------------------------------------------------------------ editing

    def _layers(self) -> list[dict] | None:
        preset = self.app.preset
        if preset is None:
            self.notify("No preset is loaded.", severity="warning")
            return None
        return [dict(layer) for layer in preset.layers]

    def _cursor(self) -> int:
        """The preset layer of the selected table row (a backbone's child row selects the backbone)."""
        row = self.table.cursor_row if self.table.row_count else -1
        return self._row_layer[row] if 0 <= row < len(self._row_layer) else row

    def _apply(self, layers: list[dict], cursor: int) -> None:
        """The preset with ``layers``, through the app's one door (recorded for undo unless a no-op)."""

        def change(preset: Preset) -> None:
            preset.layers = layers

        self._cursor_target = cursor
        if not self.app.edit_preset(change):
            self._cursor_target = None  # nothing changed: no refresh will use it
            self.table.move_cursor(row=self._row_layer.index(cursor) if cursor in self._row_layer else cursor,
                                   animate=False)
        self.table.focus()

    def _open_form(self, layers: list[dict], pos: int, layer: dict | None, title: str, replace: bool) -> None:
        from tuitrain.ui.screens.dialogs.layer_form import LayerFormScreen

        if not self.app.tf_ready:  # the form imports Keras: on the UI thread that freezes the app
            self.notify("TensorFlow is still loading… try again in a moment.", severity="warning")
            return
        preset = self.app.preset
        functional = bool(preset.is_functional)

        def done(row: dict | None) -> None:
            if row is not None:
                self._apply(placed(layers, pos, row, replace=replace), pos)

        self.app.push_screen(
            LayerFormScreen(
                layer,
                title=title,
                first=pos == 0,
                functional=functional,
                available_inputs=available_inputs(input_names(self.app.preset), layers, pos),
            ),
            done,
        )

    def action_add_layer(self) -> None:
        layers = self._layers()
        if layers is None:
            return
        pos = self._cursor() + 1
        where = f"after layer {pos - 1}" if layers else "to the empty stack"
        self._open_form(layers, pos, None, f"Add a layer {where}", replace=False)

    def action_insert_layer(self) -> None:
        layers = self._layers()
        if layers is None:
            return
        pos = max(0, self._cursor())
        self._open_form(layers, pos, None, f"Insert a layer before layer {pos}" if layers else "Add a layer", replace=False)

    def action_edit_layer(self) -> None:
        layers = self._layers()
        if not layers:
            return
        pos = self._cursor()
        if "reuse" in layers[pos]:
            self._open_reuse_form(layers, pos, dict(layers[pos]), replace=True)
            return
        self._open_form(layers, pos, layers[pos], f"Edit layer {pos} ({layers[pos].get('type')})", replace=True)

    def action_reuse_layer(self) -> None:
        """A new row after the selected one that calls its layer again (the selected row needs a name)."""
        layers = self._layers()
        if not layers:
            return
        pos = self._cursor()
        target = layers[pos]
        if "type" not in target or "name" not in target:
            self.notify("reuse calls a named layer again: name the row first (e)", severity="warning")
            return
        row = reuse_row(free_name(layers, f"{target['name']}_again"), str(target["name"]), [])
        self._open_reuse_form(layers, pos + 1, row, replace=False)

    def _open_reuse_form(self, layers: list[dict], pos: int, row: dict, *, replace: bool) -> None:
        """``name``, ``reuse`` and ``inputs`` of a shared row: it has no type or arguments of its own."""
        from tuitrain.catalogue.params import Param
        from tuitrain.ui.screens.dialogs.param_dialog import ParamDialog

        sources = available_inputs(input_names(self.app.preset), layers, pos)
        params = [
            Param("name", None, True, "str", (), "The row's own name (later rows read it)."),
            Param("reuse", None, False, "str", tuple(reusable_rows(layers, pos)), "The earlier row whose layer (and weights) this row calls again."),
            Param("inputs", None, False, "str", (), f"What it is called on, comma-separated: {', '.join(sources)}."),
        ]
        values = {k: (", ".join(v) if isinstance(v, list) else v) for k, v in row.items()}

        def done(values: dict | None) -> None:
            if values is None:
                return
            try:
                inputs = parse_inputs(str(values.get("inputs") or ""), sources)
            except ValueError as err:
                self.notify(str(err), title="reuse row not saved", severity="error")
                return
            new_row = reuse_row(str(values.get("name") or ""), str(values.get("reuse") or row.get("reuse")), inputs)
            self._apply(placed(layers, pos, new_row, replace=replace), pos)

        self.app.push_screen(ParamDialog(f"{'Edit' if replace else 'Add'} shared row {pos}", params, values,
                                         summary="Calls an earlier layer again with the same weights."), done)

    def action_remove_layer(self) -> None:
        layers = self._layers()
        if not layers:
            return
        self._apply(*removed(layers, self._cursor()))

    def action_duplicate_layer(self) -> None:
        layers = self._layers()
        if not layers:
            return
        self._apply(*duplicated(layers, self._cursor()))

    def _move(self, step: int) -> None:
        layers = self._layers()
        if not layers:
            return
        result = moved_layer(layers, self._cursor(), step)
        if result is not None:
            self._apply(*result)

    def action_toggle_trainable(self) -> None:
        """``trainable = false`` on the selected row, or back to Keras' default (trainable)."""
        layers = self._layers()
        if not layers:
            return
        pos = self._cursor()
        if "reuse" in layers[pos]:
            self.notify("A shared row trains with the row it reuses: toggle that one.", severity="warning")
            return
        if layers[pos].get("trainable", True):
            layers[pos]["trainable"] = False
        else:
            layers[pos].pop("trainable")
        self._apply(layers, pos)

    def action_expand_layer(self) -> None:
        """Show (or hide) the layers of the selected backbone row under it."""
        rows = self._report_rows()
        pos = self._cursor()
        if not rows or not 0 <= pos < len(rows):
            return
        if not sublayers(keras_layer_of(self.app.build_report, rows[pos])):
            self.notify(f"{rows[pos].name} is a single layer: nothing to expand.", severity="information")
            return
        self._expanded ^= {rows[pos].name}
        self._cursor_target = pos
        self._refresh()

    def action_move_up(self) -> None:
        self._move(-1)

    def action_move_down(self) -> None:
        self._move(1)


def _adapt_mark(layer: dict, row: Any) -> str:
    """"adapted · " before the arguments of a layer that learned from the data (or will, once it loads)."""
    if not layer.get("adapt"):
        return ""
    return "adapted · " if row is not None and row.adapt == "adapted" else "adapts · "


def _ends(model: Any) -> str:
    """The model's inputs and outputs when there are several: which rows take data, which are heads."""
    if len(model.inputs) < 2 and len(model.outputs) < 2:
        return ""
    inputs = ", ".join(f"{t.name} {shape_str(tuple(t.shape))}" for t in model.inputs)
    return f"\ninputs: {inputs}    outputs: {', '.join(model.output_names)}"
