"""Each pane action is declared once (``PaneAction``); its key and its palette entry come from that row."""

from __future__ import annotations

from textual.binding import Binding

from tuitrain.ui.panes import PANES, pane_class, pane_commands
from tuitrain.ui.pane_actions import PaneAction, bindings, palette_actions

ROWS = [
    PaneAction("remove_layer", "d,delete", "Remove", "Remove layer", "Remove the selected layer", "layers.remove"),
    PaneAction("focus_loss", title="Choose loss", help="Pick the loss function"),  # palette only
    PaneAction("smooth_more", "plus", "Smooth+", id="chart.smooth_more", show=False),  # a key only
]


def test_bindings_and_palette_entries_come_from_the_same_rows():
    keys = bindings(ROWS)
    assert [(b.key, b.action, b.description, b.id, b.show) for b in keys] == [
        ("d,delete", "remove_layer", "Remove", "layers.remove", True),
        ("plus", "smooth_more", "Smooth+", "chart.smooth_more", False),
    ]
    assert all(isinstance(b, Binding) for b in keys)
    assert [a.action for a in palette_actions(ROWS)] == ["remove_layer", "focus_loss"]


def test_every_pane_binds_and_offers_only_what_it_declares():
    for info in PANES:
        cls = pane_class(info)
        declared = __import__(info.module, fromlist=["PANE_ACTIONS"]).PANE_ACTIONS
        assert [b.action for b in cls.BINDINGS] == [a.action for a in declared if a.key], info.id
        offered = pane_commands(info)
        assert offered and all(a.title and a.help for a in offered), info.id
        for action in declared:
            assert callable(getattr(cls, f"action_{action.action}", None)), (info.id, action.action)
