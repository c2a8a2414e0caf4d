"""Runs of any origin side by side: what differs in their settings, and their logged series.

A run is a tuitrain run directory (from the trainer or from ``LiveRun`` in a script) or a
TensorBoard log folder (``tuitrain.runs.source.open_run`` opens either); :func:`run_settings` gives its settings as one nested dict in the preset's
spelling: the trainer's ``preset.toml``; for a script, the compile and fit arguments and the
layer configs ``LiveRun`` recorded in run.json; for a TensorBoard folder, the layers of the
model summary Keras' TensorBoard callback writes. :func:`diff_settings` compares two by dotted
key (``compile.optimizer.learning_rate``, ``layers[1].units``).
"""

from __future__ import annotations

import math
import os
import tomllib
from typing import Any, Iterable

from tuitrain.runs.keras_config import plain_layer
from tuitrain.runs.rundir import read_run_json
from tuitrain.runs.layout import PRESET_FILE
from tuitrain.runs.source import check_run, is_run_dir, open_run
from tuitrain.runs.tensorboard import TensorBoardReader
from tuitrain.common.errors import TuitrainError
from tuitrain.common.limits import check_toml_nesting, read_preset_text
from tuitrain.common.metric_names import NOT_METRICS
from tuitrain.common.safetext import clean_line

MISSING = object()  # a key one run has and the other does not
# A metrics export's index columns, and the logged values it keeps beside the metrics.
INDEX_KEYS = ("kind", "epoch", "step", "time")
LOGGED_VALUES = ("lr", "learning_rate", "samples_per_s")


# ---------------------------------------------------------------------------
# Series


def read_all(path: str | os.PathLike, warnings: list[str] | None = None) -> list[dict[str, Any]]:
    """Every event a run has logged so far (a TensorBoard folder read to its end, nothing held back).

    ``warnings`` (when given) receives what was skipped: damaged lines of events.jsonl, damaged parts of
    event files (file and offset)."""
    path = check_run(path)
    reader = open_run(path, settle_s=0.0)
    events: list[dict[str, Any]] = []
    while new := reader.poll():
        events.extend(new)
    if warnings is not None:
        if isinstance(reader, TensorBoardReader):
            warnings.extend(str(d) for d in reader.damage)
        elif reader.skipped.total:
            warnings.append(reader.skipped.summary())
    return events


def series_rows(events: Iterable[dict[str, Any]], kind: str, *, since: float | None = None) -> list[dict[str, Any]]:
    """Batch or epoch rows as ``{epoch, step, time, <metric>: value}`` (long keys), after ``since`` s."""
    rows = []
    for event in events:
        if event.get("kind") != kind:
            continue
        if since is not None and float(event.get("time", 0.0)) <= since:
            continue
        row = {k: event[k] for k in INDEX_KEYS[1:] if k in event}
        for key, value in event.items():
            if (key in NOT_METRICS and key not in LOGGED_VALUES) or isinstance(value, bool):
                continue
            if isinstance(value, (int, float)):
                row[key] = value
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------
# Settings and their differences


def run_settings(path: str | os.PathLike) -> dict[str, Any]:
    """A run's settings as a nested dict in the preset's spelling (``{}`` when nothing was recorded)."""
    path = check_run(path)
    preset = path / PRESET_FILE
    if os.path.lexists(preset):
        # bounded like any preset (1 MB, nesting 32): a 3 GB preset.toml in a copied run is a reason, not a read
        text = read_preset_text(preset)
        check_toml_nesting(text, file=str(preset))
        try:
            return tomllib.loads(text)
        except (tomllib.TOMLDecodeError, RecursionError) as err:
            raise TuitrainError(f"{preset}: cannot read it: {err}") from None
    if is_run_dir(path):
        info = read_run_json(path)
        return {key: info[key] for key in ("compile", "fit", "layers") if key in info}
    reader = TensorBoardReader(path, settle_s=0.0)
    reader.poll()
    layers = _tensorboard_layers(reader.model_config)
    return {"layers": layers} if layers else {}


def _tensorboard_layers(config: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not isinstance(config, dict):
        return []
    layers = (config.get("config") or {}).get("layers") or []
    return [plain_layer(layer.get("class_name", "?"), layer.get("config") or {})
            for layer in layers if isinstance(layer, dict) and layer.get("class_name") != "InputLayer"]


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """``{"compile": {"optimizer": {"learning_rate": 0.01}}}`` → ``{"compile.optimizer.learning_rate": 0.01}``.

    List items are indexed (``layers[1].units``); a table with ``type`` keeps it as a key.
    """
    out: dict[str, Any] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        if not value and prefix:
            out[prefix] = {}
    elif isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        for i, item in enumerate(value):
            out.update(flatten(item, f"{prefix}[{i}]"))
    else:
        out[prefix] = value
    return out


def diff_settings(a: dict[str, Any], b: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """``(key, value in a, value in b)`` for every dotted key whose values differ, in a's key order."""
    fa, fb = flatten(a), flatten(b)
    keys = list(fa) + [k for k in fb if k not in fa]
    return [(k, fa.get(k, MISSING), fb.get(k, MISSING)) for k in keys if not _same(fa.get(k, MISSING), fb.get(k, MISSING))]


def _same(x: Any, y: Any) -> bool:
    if isinstance(x, float) or isinstance(y, float):
        if isinstance(x, (int, float)) and isinstance(y, (int, float)) and not isinstance(x, bool) and not isinstance(y, bool):
            # float32 round trips (0.01 → 0.009999999776) are the same setting
            return math.isclose(float(x), float(y), rel_tol=1e-6, abs_tol=0.0)
    return x == y


def diff_many(settings: list[dict[str, Any]]) -> list[tuple[str, list[Any]]]:
    """``(key, [value in each run])`` for every dotted key whose values are not all the same."""
    flat = [flatten(s) for s in settings]
    keys: list[str] = []
    for f in flat:
        keys.extend(k for k in f if k not in keys)
    rows = []
    for key in keys:
        values = [f.get(key, MISSING) for f in flat]
        if any(not _same(values[0], v) for v in values[1:]):
            rows.append((key, values))
    return rows


def setting(settings: dict[str, Any], key: str) -> Any:
    """One dotted key's value (``compile.optimizer.learning_rate``, ``layers[1].units``), ``MISSING`` if absent.

    A bare-string setting stands for ``{type = ...}``: ``compile.optimizer.type`` of ``"adam"`` is ``adam``.
    """
    flat = flatten(settings)
    if key in flat:
        return flat[key]
    if key.endswith(".type") and isinstance(flat.get(key[: -len(".type")]), str):
        return flat[key[: -len(".type")]]
    return MISSING


def setting_cells(path: str | os.PathLike, keys: Iterable[str]) -> list[str]:
    """Chosen settings of one run as table cells (``-`` where it has none)."""
    keys = list(keys)
    if not keys:
        return []
    try:
        settings = run_settings(path)
    except TuitrainError:
        settings = {}
    return [fmt_value(v) if v is not MISSING else "-" for v in (setting(settings, k) for k in keys)]


def fmt_value(value: Any) -> str:
    """A setting as one line of text; escaped, since a run's preset may hold any text."""
    if value is MISSING:
        return "(none)"
    if isinstance(value, float):
        return format(value, ".6g")
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "true" if value else "false"
    return clean_line(value)


def diff_lines(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """``compile.optimizer.learning_rate  0.01 → 0.001`` lines, keys aligned."""
    diffs = [(clean_line(k), va, vb) for k, va, vb in diff_settings(a, b)]  # keys and values from presets: escaped
    width = max((len(k) for k, _, _ in diffs), default=0)
    return [f"{k.ljust(width)}  {fmt_value(va)} → {fmt_value(vb)}" for k, va, vb in diffs]
