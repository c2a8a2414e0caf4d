"""One small, valid preset text the spec, CLI and app tests edit line by line.

Tests change it with ``str.replace`` on whole lines, so keep each key on its own line; the line
numbers matter to tests that check where an error points (``seed`` is line 2).
"""

TINY = """\
name = "tiny"   # a comment
seed = 3

[data]
source = "synthetic:spiral"
samples = 200

[[layers]]
type = "Dense"
units = 8
activation = "relu"

[[layers]]
type = "Dense"
units = 2
activation = "softmax"

[compile]
optimizer = "adam"
loss = "sparse_categorical_crossentropy"
metrics = ["accuracy"]

[fit]
epochs = 1
"""
