"""The app on spiral_mlp; the new-preset tests press ctrl+n from here (the Keras cache is pointed at an empty folder)."""

from tuitrain.ui.app import TuitrainApp

app = TuitrainApp("spiral_mlp")

if __name__ == "__main__":
    app.run()
