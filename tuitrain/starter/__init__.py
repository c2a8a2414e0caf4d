"""Starting a new preset from data: what is available offline, what the data is, a first model for it.

No Textual here; TensorFlow is imported only by the `keras:` source when it loads or lists.
"""

from tuitrain.starter.infer import (
    DataProfile,
    Starter,
    npy_labels_beside,
    preset_name,
    profile,
    rebase_data_paths,
    starter_preset,
)
from tuitrain.starter.offline import Offer, cached_keras_sets, keras_cache_file, offline_sources

__all__ = [
    "DataProfile",
    "Offer",
    "Starter",
    "cached_keras_sets",
    "keras_cache_file",
    "npy_labels_beside",
    "offline_sources",
    "preset_name",
    "profile",
    "rebase_data_paths",
    "starter_preset",
]
