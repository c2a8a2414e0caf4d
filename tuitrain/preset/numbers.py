"""Values Keras would misuse or ignore, refused with the key path before anything is built.

Structure and types are checked by the spec; these checks know what the numbers mean:

* no NaN or infinity anywhere in a preset (a NaN learning rate trains to NaN, an infinite
  noise makes every sample NaN, and a bare ``nan`` would not even run in an exported script);
* no TOML dates or times (no Keras argument takes one) and no control characters in names and
  keys (they reach Keras, file names and exported scripts);
* ``seed`` fits the generators that use it (0 … 2**32 - 1);
* learning rates are positive, ``fit.initial_epoch`` ≥ 0, ``fit.validation_freq`` ≥ 1,
  ``fit.epochs`` and ``fit.batch_size`` within bounds, ``compile.loss_weights`` non-negative numbers.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

from tuitrain.common.errors import SpecError
from tuitrain.common.limits import MAX_EPOCHS, MAX_SAMPLES

SEED_MAX = 2**32 - 1
# Optimizer arguments that must be > 0 when given as numbers (Keras only checks some of them).
POSITIVE_OPTIMIZER_ARGS = ("learning_rate", "lr", "epsilon", "clipnorm", "clipvalue", "global_clipnorm")
# Callback arguments that count or scale and are meaningless below zero (Keras does not check them).
NON_NEGATIVE_CALLBACK_ARGS = ("patience", "cooldown", "start_from_epoch", "min_lr", "min_delta", "histogram_freq",
                              "embeddings_freq")
# Text that becomes a Keras name, a key or a file name: no control characters.
_NAME_KEYS = ("name", "type", "op", "inputs", "source", "monitor", "checkpoint_monitor")


def _fmt_path(parts: list[Any]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _has_control(text: str) -> bool:
    return any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in text)


def _walk(raw: dict[str, Any], file: str | None) -> None:
    """NaN/infinity, dates and control characters in keys or names, anywhere in the document."""
    stack: list[tuple[Any, list[Any]]] = [(raw, [])]
    while stack:
        node, parts = stack.pop()
        where = _fmt_path(parts) or None
        if isinstance(node, float) and not math.isfinite(node):
            raise SpecError(f"expected a finite number, got {node} (presets cannot hold nan or inf)", file=file, path=where)
        if isinstance(node, (datetime.date, datetime.time)):
            raise SpecError(f"expected a number, string, list or table, got the date/time {node.isoformat()}"
                            " (no Keras argument takes one)", file=file, path=where)
        if isinstance(node, str) and parts and (parts[-1] in _NAME_KEYS or isinstance(parts[-1], int) and len(parts) > 1
                                                and parts[-2] in ("inputs", "metrics")) and _has_control(node):
            raise SpecError(f"{node!r} holds control characters, which a name cannot", file=file, path=where)
        if isinstance(node, dict):
            for key, value in node.items():
                if _has_control(str(key)):
                    raise SpecError(f"the key {str(key)!r} holds control characters", file=file, path=where)
                stack.append((value, parts + [key]))
        elif isinstance(node, list):
            stack.extend((value, parts + [i]) for i, value in enumerate(node))


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_numbers(raw: dict[str, Any], *, file: str | None = None) -> None:
    """Raise SpecError (file and key path) for the first value Keras would misuse."""
    _walk(raw, file)

    def fail(path: str, message: str) -> None:
        raise SpecError(message, file=file, path=path)

    seed = raw.get("seed")
    if _int(seed) and not 0 <= seed <= SEED_MAX:
        fail("seed", f"expected an integer between 0 and {SEED_MAX}, got {seed}")

    compile_ = raw.get("compile")
    if isinstance(compile_, dict):
        optimizer = compile_.get("optimizer")
        if isinstance(optimizer, dict):
            for key in POSITIVE_OPTIMIZER_ARGS:
                value = optimizer.get(key)
                if _number(value) and not value > 0:
                    fail(f"compile.optimizer.{key}", f"expected a number > 0, got {value}")
                if isinstance(value, bool) or (value is not None and not _number(value) and not isinstance(value, dict)):
                    fail(f"compile.optimizer.{key}", f"expected a number > 0 (or a schedule table), got {value!r}")
        weights = compile_.get("loss_weights")
        items = weights.items() if isinstance(weights, dict) else enumerate(weights) if isinstance(weights, list) else ()
        for key, value in items:
            here = f"compile.loss_weights[{key}]" if isinstance(key, int) else f"compile.loss_weights.{key}"
            if not _number(value) or value < 0:
                fail(here, f"expected a number ≥ 0 (a weight for that output's loss), got {value!r}")

    fit = raw.get("fit")
    if isinstance(fit, dict):
        if _int(fit.get("initial_epoch")) and fit["initial_epoch"] < 0:
            fail("fit.initial_epoch", f"expected an integer ≥ 0 (epochs already done), got {fit['initial_epoch']}")
        freq = fit.get("validation_freq")
        if freq is not None:
            values = freq if isinstance(freq, list) else [freq]
            if not values or not all(_int(v) and v >= 1 for v in values):
                fail("fit.validation_freq", f"expected an integer ≥ 1 (validate every N epochs) or a list of epoch numbers ≥ 1, got {freq!r}")
        callbacks = fit.get("callbacks")
        for i, callback in enumerate(callbacks if isinstance(callbacks, list) else []):
            if not isinstance(callback, dict):
                continue
            for key in NON_NEGATIVE_CALLBACK_ARGS:
                if _number(callback.get(key)) and callback[key] < 0:
                    fail(f"fit.callbacks[{i}].{key}", f"expected a number ≥ 0, got {callback[key]}")
            factor = callback.get("factor")
            if _number(factor) and not 0 < factor < 1:
                fail(f"fit.callbacks[{i}].factor", f"expected a number between 0 and 1 (the learning rate is multiplied by it), got {factor}")
        if _int(fit.get("epochs")) and fit["epochs"] > MAX_EPOCHS:
            fail("fit.epochs", f"{fit['epochs']:,} epochs is over the limit of {MAX_EPOCHS:,}")
        if _int(fit.get("batch_size")) and fit["batch_size"] > MAX_SAMPLES:
            fail("fit.batch_size", f"{fit['batch_size']:,} is over the limit of {MAX_SAMPLES:,}")
