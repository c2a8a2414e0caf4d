"""Run by test_distribute: the tiny preset trained with and without MirroredStrategy on 2 logical CPUs.

Logical devices must be configured before TensorFlow initialises its runtime, so this runs in a
fresh process; it prints one JSON object per strategy.
"""

import json
import sys

import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

from tests.tiny_preset import TINY  # noqa: E402
from tuitrain.trainer.distribute import setup_strategy  # noqa: E402
from tuitrain.model import prepare  # noqa: E402
from tuitrain.preset import parse_preset  # noqa: E402

for table in sys.argv[1:]:
    text = TINY.replace("epochs = 1", "epochs = 3\nbatch_size = 32\nshuffle = false") + table.replace(";", "\n")
    preset = parse_preset(text)
    strategy, build, info = setup_strategy(preset, None)
    with strategy.scope():
        checked = prepare(build)
    fit = checked.model.fit(checked.dataset.x_train, checked.dataset.y_train, epochs=3, batch_size=32,
                            shuffle=False, verbose=0)
    print(json.dumps(dict(info, loss=fit.history["loss"])), flush=True)
