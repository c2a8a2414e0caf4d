"""The trainer process (``python -m tuitrain.trainer RUN_DIR``) and what runs inside it: spawning,
fit and its callbacks, LiveRun, checkpoints, devices, system samples, tf.distribute.
"""
