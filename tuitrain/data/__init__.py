"""Data for a preset: sources, preprocessing, validation split and tensor statistics (no Textual, no TF at import)."""

from tuitrain.data.dataset import Dataset
from tuitrain.data.loader import load_dataset
from tuitrain.data.stats import ROW_HEADERS, TensorStats, class_counts, describe
from tuitrain.errors import DataError

__all__ = ["Dataset", "DataError", "ROW_HEADERS", "TensorStats", "class_counts", "describe", "load_dataset"]
