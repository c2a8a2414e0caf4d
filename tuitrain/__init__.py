"""tuitrain: build, train and watch Keras models from the terminal."""

import os

# TensorFlow's C++ start-up chatter (oneDNN, CUDA stubs) would land on the user's terminal and
# in every run log; warnings and errors still come through. A user's own setting wins.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"
