"""A plain Keras script logging with ``keras.callbacks.TensorBoard`` (no tuitrain inside).

    python tensorboard_writer.py LOGDIR GATE_FILE [EPOCHS] [GATE_EPOCH]

At the end of epoch GATE_EPOCH (1-based, default 6) it waits until GATE_FILE exists, so a test
can read the folder while the writer is provably still running. TensorFlow's summary writer
flushes every 10 values, so by then several epochs are on disk.
"""

import sys
import time
from pathlib import Path

import keras
import numpy as np

logdir, gate = sys.argv[1], Path(sys.argv[2])
epochs = int(sys.argv[3]) if len(sys.argv) > 3 else 8
gate_epoch = int(sys.argv[4]) if len(sys.argv) > 4 else 6


class WaitForGate(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        while epoch + 1 == gate_epoch and not gate.exists():
            time.sleep(0.05)


keras.utils.set_random_seed(2)
x = np.random.default_rng(2).normal(size=(200, 4)).astype("float32")
y = (x[:, 0] - x[:, 2] > 0).astype("int32")
model = keras.Sequential([
    keras.Input((4,)),
    keras.layers.Dense(8, activation="relu"),
    keras.layers.Dense(2, activation="softmax"),
])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
history = model.fit(x, y, epochs=epochs, batch_size=25, validation_split=0.25, verbose=0,
                    callbacks=[keras.callbacks.TensorBoard(log_dir=logdir), WaitForGate()])
# What Keras saw, for the test to compare with what the reader finds.
print("HISTORY " + repr({k: [float(v) for v in vs] for k, vs in history.history.items()}), flush=True)
