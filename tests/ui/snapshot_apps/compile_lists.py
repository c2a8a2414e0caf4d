"""Snapshot app: the Compile pane on spiral_mlp with a list focused, scrolled into view (see test_pickers)."""

from tuitrain.ui.app import TuitrainApp

app = TuitrainApp("spiral_mlp", pane="compile")
