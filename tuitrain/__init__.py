"""tuitrain: build, train and watch Keras models from the terminal."""

__version__ = "0.1.0"
