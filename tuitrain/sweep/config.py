"""``[sweep]``: what to search, read into a :class:`SweepConfig` with located errors (no TensorFlow).

Whether each value of the space builds (a layer that refuses it, a path the preset lacks) and
whether the objective is logged is decided in ``tuitrain.sweep.check`` with Keras itself.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tuitrain.common.errors import SpecError
from tuitrain.common.metric_names import better_direction
from tuitrain.common.suggest import did_you_mean
from tuitrain.preset.lines import line_of

if TYPE_CHECKING:  # pragma: no cover
    from tuitrain.preset import Preset

ALGORITHMS = ("random", "grid", "bayesian", "hyperband")
SWEEP_KEYS = ("objective", "algorithm", "max_trials", "parallel", "seed", "factor", "space")
DIM_KEYS = ("values", "min", "max", "step", "sampling")
SAMPLINGS = ("linear", "log", "reverse_log")
MAX_TRIALS = 10_000  # a bound before anything is allocated: each trial is a process and a directory
MAX_PARALLEL = 64
MAX_VALUES = 1_000


@dataclass(frozen=True)
class Dim:
    """One swept key: a list of ``values``, or a range ``low``…``high`` (``step``, ``sampling``)."""

    path: str
    values: tuple = ()
    low: float | int | None = None
    high: float | int | None = None
    step: float | int | None = None
    sampling: str = "linear"

    @property
    def is_int(self) -> bool:
        return not self.values and all(isinstance(v, int) for v in (self.low, self.high)) and (
            self.step is None or isinstance(self.step, int))

    def extremes(self) -> list[Any]:
        """The values a check must try: every listed value, or both ends of the range."""
        return list(self.values) if self.values else [self.low, self.high]


@dataclass
class SweepConfig:
    objective: str
    direction: str  # "min" | "max"
    algorithm: str
    max_trials: int
    parallel: int | None  # None: one per visible GPU, else 1 (tuitrain.sweep.schedule)
    seed: int
    factor: int
    space: list[Dim] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        return [d.path for d in self.space]


def space_key_path(key: str) -> str:
    """How a swept key is named in messages: ``sweep.space."layers.0.units"``."""
    return f'sweep.space."{key}"'


def locate(err: SpecError, preset: "Preset") -> SpecError:
    """File and line of a ``sweep…`` key path (quoted space keys included) in the preset's text."""
    text, path = preset.source_text or "", err.path or "sweep"
    line = None
    quoted = re.search(r'"([^"]+)"', path)
    if quoted and text:
        header = line_of(text, "sweep.space") or 0
        for n, row in enumerate(text.splitlines()[header:], start=header + 1):
            if re.match(rf'\s*"{re.escape(quoted.group(1))}"\s*=', row):
                line = n
                break
    elif text:
        line = line_of(text, path)
    return err.located(file=str(preset.path) if preset.path else None, line=line)


def sweep_config(preset: "Preset") -> SweepConfig:
    """The preset's ``[sweep]``, checked; raises a located SpecError. No ``[sweep]``: an error too."""
    try:
        return _config(preset.sweep)
    except SpecError as err:
        raise locate(err, preset) from None


def _config(table: dict[str, Any]) -> SweepConfig:
    if not table:
        raise SpecError("the preset has no [sweep] table: add one with `objective` and [sweep.space] "
                        "(see README, Sweeps)", path="sweep")
    for key in table:
        if key not in SWEEP_KEYS:
            raise SpecError(f"unknown key '{key}'.{did_you_mean(key, SWEEP_KEYS)} Valid keys here: "
                            f"{', '.join(SWEEP_KEYS)}.", path=f"sweep.{key}")
    objective, direction = _objective(table.get("objective"))
    algorithm = table.get("algorithm", "random")
    if algorithm not in ALGORITHMS:
        raise SpecError(f"expected one of {', '.join(ALGORITHMS)}, got {algorithm!r}.{did_you_mean(str(algorithm), ALGORITHMS)}",
                        path="sweep.algorithm")
    space = table.get("space")
    if not isinstance(space, dict) or not space:
        raise SpecError('expected a [sweep.space] table of `--set` paths, e.g. "layers.0.units" = { values = [32, 64] }',
                        path="sweep.space")
    dims = [_dim(key, value) for key, value in space.items()]
    for dim in dims:
        if algorithm == "grid" and not dim.values and not dim.is_int and dim.step is None:
            raise SpecError("a grid needs the points of each range: give `step` (or `values`)",
                            path=space_key_path(dim.path))
    return SweepConfig(
        objective=objective, direction=direction, algorithm=algorithm,
        max_trials=_count(table, "max_trials", 10, MAX_TRIALS),
        parallel=_count(table, "parallel", None, MAX_PARALLEL),
        seed=_count(table, "seed", 1, 2**31 - 1, low=0),
        factor=_count(table, "factor", 3, 100, low=2),
        space=dims,
    )


def _objective(value: Any) -> tuple[str, str]:
    if not isinstance(value, str) or not value.strip():
        raise SpecError('expected the metric to optimise, e.g. objective = "val_accuracy" or "min:val_loss"',
                        path="sweep.objective")
    direction, sep, name = value.partition(":")
    if not sep:
        return value, better_direction(value)
    if direction not in ("min", "max") or not name:
        raise SpecError(f'expected "METRIC", "min:METRIC" or "max:METRIC", got {value!r}', path="sweep.objective")
    return name, direction


def _count(table: dict, key: str, default: int | None, high: int, *, low: int = 1) -> int | None:
    if key not in table:
        return default
    value = table[key]
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise SpecError(f"expected a whole number from {low} to {high:,}, got {value!r}", path=f"sweep.{key}")
    return value


def _dim(key: str, spec: Any) -> Dim:
    where = space_key_path(key)
    if not isinstance(spec, dict):
        raise SpecError("expected a table: { values = [...] } or { min = ..., max = ... }", path=where)
    for k in spec:
        if k not in DIM_KEYS:
            raise SpecError(f"unknown key '{k}'.{did_you_mean(k, DIM_KEYS)} Valid keys here: {', '.join(DIM_KEYS)}.",
                            path=where)
    if "values" in spec:
        return _values_dim(key, spec, where)
    if "min" not in spec or "max" not in spec:
        raise SpecError("expected `values = [...]`, or both `min` and `max`", path=where)
    low, high, step = spec["min"], spec["max"], spec.get("step")
    for name, v in (("min", low), ("max", high), ("step", step)):
        if v is not None and (not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v)):
            raise SpecError(f"{name}: expected a finite number, got {v!r}", path=where)
    if not low < high:
        raise SpecError(f"an empty range: min = {low} is not below max = {high}", path=where)
    sampling = spec.get("sampling", "linear")
    if sampling not in SAMPLINGS:
        raise SpecError(f"sampling: expected one of {', '.join(SAMPLINGS)}, got {sampling!r}", path=where)
    if sampling != "linear" and low <= 0:
        raise SpecError(f"sampling = {sampling!r} needs min > 0, got {low}", path=where)
    if step is not None and not 0 < step <= high - low:
        raise SpecError(f"step: expected a number above 0 and at most max - min ({high - low:g}), got {step}", path=where)
    return Dim(key, low=low, high=high, step=step, sampling=sampling)


def _values_dim(key: str, spec: dict, where: str) -> Dim:
    values = spec["values"]
    extra = [k for k in spec if k != "values"]
    if extra:
        raise SpecError(f"`values` lists every choice: {', '.join(extra)} cannot go with it", path=where)
    if not isinstance(values, list) or not values:
        raise SpecError("values: expected a non-empty list", path=where)
    if len(values) > MAX_VALUES:
        raise SpecError(f"values: {len(values):,} choices, over the limit of {MAX_VALUES:,}", path=where)
    kinds = {type(v) for v in values}
    if len(kinds) > 1 and kinds != {int, float}:
        raise SpecError(f"values: expected choices of one kind (KerasTuner's Choice), got {values!r}", path=where)
    if not kinds <= {int, float, str, bool}:
        raise SpecError(f"values: expected numbers, strings or booleans, got {values!r}", path=where)
    if len(set(values)) != len(values):
        raise SpecError(f"values: a choice is listed twice in {values!r}", path=where)
    if kinds == {int, float}:
        values = [float(v) for v in values]
    return Dim(key, values=tuple(values))
