"""Data for a preset: sources, preprocessing, validation split and tensor statistics (no Textual, no TF at import)."""

from tuitrain.data.dataset import Dataset
from tuitrain.data.loader import DEFAULT_VALIDATION_SPLIT, load_dataset, options_for, source_names
from tuitrain.data.preprocess import OPS, op_args
from tuitrain.data.sources import SOURCE_KINDS
from tuitrain.data.stats import ROW_HEADERS, TensorStats, class_counts, describe
from tuitrain.common.errors import DataError

__all__ = [
    "DEFAULT_VALIDATION_SPLIT",
    "Dataset",
    "DataError",
    "OPS",
    "ROW_HEADERS",
    "SOURCE_KINDS",
    "TensorStats",
    "class_counts",
    "describe",
    "load_dataset",
    "op_args",
    "options_for",
    "source_names",
]
