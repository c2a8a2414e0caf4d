"""The first screen of `tuitrain` on the offline default preset (the data pane on x_train)."""

from tuitrain.ui.app import TuitrainApp

app = TuitrainApp("spiral_mlp")

if __name__ == "__main__":
    app.run()
