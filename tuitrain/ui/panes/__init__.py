"""The app's panes: one module per pane, each with its ``.tcss`` beside it.

``PANES`` is the one list the app, the command palette and the help screen
read, so a pane is added in one place.  Pane modules never import TensorFlow
at module level (the app paints before TensorFlow is loaded).
"""

from __future__ import annotations

import importlib
from typing import NamedTuple, Protocol, runtime_checkable

from tuitrain.ui.pane_actions import PaneAction, palette_actions


class PaneInfo(NamedTuple):
    id: str  # TabPane id and the argument of the app's show_pane action
    title: str  # tab label
    module: str  # module holding the pane class and its PANE_ACTIONS
    cls: str  # pane widget class, constructed with no arguments


PANES: tuple[PaneInfo, ...] = (
    PaneInfo("data", "Data", "tuitrain.ui.panes.data.pane", "DataPane"),
    PaneInfo("layers", "Layers", "tuitrain.ui.panes.layers.pane", "LayersPane"),
    PaneInfo("compile", "Compile", "tuitrain.ui.panes.compile.pane", "CompilePane"),
    PaneInfo("train", "Train", "tuitrain.ui.panes.train.pane", "TrainPane"),
)


@runtime_checkable
class ReportsPending(Protocol):
    """A pane with background work of its own says what is still running (``app.pending()``)."""

    def pending(self) -> list[str]: ...


def pane_class(info: PaneInfo) -> type:
    return getattr(importlib.import_module(info.module), info.cls)


def pane_commands(info: PaneInfo) -> list[PaneAction]:
    """The actions the pane offers to the command palette (its ``PANE_ACTIONS`` with a title)."""
    return palette_actions(getattr(importlib.import_module(info.module), "PANE_ACTIONS", []))
