"""A stock Keras training script with one line added: ``LiveRun``.

    python stock_keras.py RUNS_DIR GATE_FILE [EPOCHS]

After its second epoch it waits until GATE_FILE exists, so a test can look at the run while
the script is provably still training (no timing guesses).
"""

import sys
import time
from pathlib import Path

import keras
import numpy as np

from tuitrain.keras import LiveRun

runs_dir, gate = sys.argv[1], Path(sys.argv[2])
epochs = int(sys.argv[3]) if len(sys.argv) > 3 else 4


class WaitForGate(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        while epoch == 1 and not gate.exists():
            time.sleep(0.05)


keras.utils.set_random_seed(1)
x = np.random.default_rng(1).normal(size=(200, 4)).astype("float32")
y = (x[:, 0] + x[:, 1] > 0).astype("int32")
model = keras.Sequential([
    keras.Input((4,)),
    keras.layers.Dense(16, activation="relu"),
    keras.layers.Dense(2, activation="softmax"),
])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
model.fit(x, y, epochs=epochs, batch_size=20, validation_split=0.2, verbose=0,
          callbacks=[LiveRun(runs_dir=runs_dir, name="stock"), WaitForGate()])
