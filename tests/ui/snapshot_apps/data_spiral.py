"""The data pane on spiral_mlp; the tests choose the tensor (labels, weights, playground)."""

from tuitrain.ui.app import TuitrainApp

app = TuitrainApp("spiral_mlp")

if __name__ == "__main__":
    app.run()
