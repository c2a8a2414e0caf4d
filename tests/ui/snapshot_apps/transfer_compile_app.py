"""Snapshot app: the Compile pane on the bundled transfer_learning preset (two phases)."""

from tuitrain.ui.app import TuitrainApp

app = TuitrainApp("transfer_learning", pane="compile")
