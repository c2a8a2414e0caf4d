"""Shared by the Layers/Compile pane tests and snapshots: small offline presets."""

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


def table_rows(app) -> list[list[str]]:
    """The Layers pane's table as text, one list of cells a row."""
    table = app.query_one("#layer-table")
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def write_preset(directory: Path, text: str, name: str = "tutorial.toml") -> Path:
    path = Path(directory) / name
    path.write_text(text, encoding="utf-8")
    return path
