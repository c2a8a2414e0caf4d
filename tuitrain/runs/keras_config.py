"""Keras configs as small JSON in the preset's spelling, for run.json and ``tuitrain diff``.

Keras serialises an object as ``{"module", "class_name", "config", "registered_name"}``; a
preset writes ``{type = "ClassName", arg = value}``. :func:`plain` turns the first into the
second (recursively, with bounds on size and depth) so that settings recorded by ``LiveRun``,
read from a TensorBoard model summary and loaded from ``preset.toml`` compare key by key.
No Keras import: the configs are plain dicts already.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# Layer config keys that say nothing about the model's behaviour (or differ between any two runs).
LAYER_NOISE = ("name", "trainable", "dtype")


def plain_layer(class_name: str, config: dict[str, Any]) -> dict[str, Any]:
    """A layer as a preset's ``[[layers]]`` table: ``{"type": "Dense", "units": 64, ...}``."""
    kept = {k: v for k, v in config.items() if k not in LAYER_NOISE}
    return {"type": class_name, **plain(kept)}


def plain(value: Any, depth: int = 0) -> Any:
    """A Keras config as small JSON: serialized objects become ``{"type": ClassName, **config}``."""
    if depth > 8:
        return "…"
    if isinstance(value, dict):
        if "class_name" in value and "config" in value:
            config = value.get("config")
            inner = plain(config, depth + 1) if isinstance(config, dict) else {}
            if isinstance(inner, dict):
                inner.pop("name", None)
            return {"type": value["class_name"], **(inner if isinstance(inner, dict) else {})}
        return {str(k): plain(v, depth + 1) for k, v in list(value.items())[:200]}
    if isinstance(value, (list, tuple)):
        if len(value) > 100:
            return f"<{len(value)} items>"
        return [plain(v, depth + 1) for v in value]
    if value is None or isinstance(value, (bool, int, str)):
        return value if not (isinstance(value, str) and len(value) > 200) else value[:200] + "…"
    if isinstance(value, float):
        return value
    try:
        if np.ndim(value) == 0:
            return np.asarray(value).item()
    except Exception:
        pass
    return type(value).__name__
