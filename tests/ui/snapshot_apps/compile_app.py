"""Snapshot app: the Compile pane on the bundled offline spiral preset (fixed seed, no downloads)."""

from tuitrain.ui.app import TuitrainApp

app = TuitrainApp("spiral_mlp", pane="compile")
