"""The ``[distribute]`` table: validated here with the rest of the preset (no TensorFlow).

What each key does, and the order the trainer applies them in, is in ``tuitrain.trainer.distribute``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tuitrain.common.errors import SpecError
from tuitrain.common.suggest import did_you_mean

DISTRIBUTE_KEYS = ("strategy", "devices", "mixed_precision", "memory_growth")
STRATEGIES = ("default", "one_device", "mirrored", "multi_worker")
PRECISIONS = ("mixed_float16", "mixed_bfloat16")
_DEVICE = re.compile(r"^(?:/?(?:device:)?)?(CPU|GPU):(\d+)$", re.IGNORECASE)


@dataclass(frozen=True)
class DistributeOptions:
    strategy: str = "default"
    devices: tuple[str, ...] = ()  # normalised "GPU:0"
    mixed_precision: str | None = None
    memory_growth: bool = False

    @property
    def precision(self) -> str:
        return self.mixed_precision or "float32"


def distribute_options(table: Any, *, file: str | None = None) -> DistributeOptions:
    """Validate ``[distribute]``; every error names the key path (``distribute.strategy``)."""
    if table is None:
        return DistributeOptions()
    if not isinstance(table, dict):
        raise SpecError(f"expected a table, got {table!r}", file=file, path="distribute")

    def fail(key: str, what: str) -> None:
        raise SpecError(f"expected {what}, got {table[key]!r}", file=file, path=f"distribute.{key}")

    for key in table:
        if key not in DISTRIBUTE_KEYS:
            raise SpecError(f"unknown key '{key}'.{did_you_mean(str(key), DISTRIBUTE_KEYS)} "
                            f"Known keys: {', '.join(DISTRIBUTE_KEYS)}.", file=file, path=f"distribute.{key}")
    kw: dict[str, Any] = {}
    if "strategy" in table:
        if table["strategy"] not in STRATEGIES:
            fail("strategy", " | ".join(f'"{s}"' for s in STRATEGIES))
        kw["strategy"] = table["strategy"]
    if "devices" in table:
        devices = table["devices"]
        if not isinstance(devices, list) or not devices:
            fail("devices", 'a non-empty list such as ["GPU:0", "GPU:1"]')
        norm = []
        for i, dev in enumerate(devices):
            m = _DEVICE.match(dev) if isinstance(dev, str) else None
            if m is None:
                raise SpecError(f'expected a device name such as "GPU:0" or "CPU:0", got {dev!r}', file=file,
                                path=f"distribute.devices[{i}]")
            name = f"{m.group(1).upper()}:{int(m.group(2))}"
            if name in norm:
                raise SpecError(f"{name} is listed twice", file=file, path=f"distribute.devices[{i}]")
            norm.append(name)
        kw["devices"] = tuple(norm)
        strategy = kw.get("strategy", "default")
        if strategy in ("default", "multi_worker"):
            raise SpecError(f'devices are chosen by strategy "one_device" or "mirrored", not "{strategy}"',
                            file=file, path="distribute.devices")
        if strategy == "one_device" and len(norm) != 1:
            fail("devices", 'exactly one device for strategy "one_device"')
    if "mixed_precision" in table:
        if table["mixed_precision"] not in PRECISIONS:
            fail("mixed_precision", '"mixed_float16" or "mixed_bfloat16" (leave it out for float32)')
        kw["mixed_precision"] = table["mixed_precision"]
    if "memory_growth" in table:
        if not isinstance(table["memory_growth"], bool):
            fail("memory_growth", "true or false")
        kw["memory_growth"] = table["memory_growth"]
    return DistributeOptions(**kw)


def output_layers_float32(preset: Any, options: DistributeOptions) -> Any:
    """A copy of the preset whose output layers compute in float32 under a mixed policy.

    Keras' mixed-precision guide: keep the model's last layer (its softmax, and so the loss) in
    float32 for numeric stability. A layer that already names a ``dtype`` keeps it.
    """
    if not options.mixed_precision or not preset.layers:
        return preset
    out = preset.copy()
    names = getattr(out, "outputs", None) or []
    targets = [i for i, layer in enumerate(out.layers) if layer.get("name") in names] if names else [len(out.layers) - 1]
    for i in targets:
        out.layers[i].setdefault("dtype", "float32")
    return out
