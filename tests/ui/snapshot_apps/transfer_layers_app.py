"""Snapshot app: the Layers pane on the bundled transfer_learning preset (a MobileNetV2 backbone row)."""

from tuitrain.ui.app import TuitrainApp

app = TuitrainApp("transfer_learning", pane="layers")
