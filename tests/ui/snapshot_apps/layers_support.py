"""Shared by the Layers/Compile pane tests and snapshots: presets and waiting for the app to settle."""

from __future__ import annotations

from pathlib import Path

# 64 samples of 784 features in 10 classes: the shape of flattened MNIST, offline and instant.
MNIST_SHAPED_DATA = """\
[data]
source = "synthetic:blobs"
samples = 64
classes = 10
features = 784
validation_split = 0.25
preprocess = [ { op = "one_hot", num_classes = 10 } ]  # categorical labels, as in the tutorial
"""

EMPTY_TUTORIAL = f"""\
# The Keras tutorial MLP, to be built in the Layers pane.
name = "tutorial"
seed = 0

{MNIST_SHAPED_DATA}
[compile]
optimizer = "rmsprop"  # the tutorial's optimizer
loss = "categorical_crossentropy"
metrics = ["accuracy"]

[fit]
epochs = 1
batch_size = 16
"""

TUTORIAL_LAYERS = """
[[layers]]
type = "Dense"
units = 32
input_shape = [784]

[[layers]]
type = "Activation"
activation = "relu"

[[layers]]
type = "Dense"
units = 10

[[layers]]
type = "Activation"
activation = "softmax"
"""


def write_preset(directory: Path, text: str, name: str = "tutorial.toml") -> Path:
    path = Path(directory) / name
    path.write_text(text, encoding="utf-8")
    return path


async def settle(pilot, rounds: int = 600) -> None:
    """Wait until TensorFlow, the data and the debounced model build are all done."""
    app = pilot.app
    for _ in range(rounds):
        await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        if app.preset is None or app.load_error:
            break
        if (
            app.tf_ready
            and app.dataset is not None
            and app.build_report is not None
            and getattr(app, "_build_timer", None) is None
        ):
            break
    else:
        raise TimeoutError("the app did not settle (TensorFlow, data, model build)")
    await pilot.pause()
