"""``events.jsonl`` bytes → events, fast for the bulk and without trusting any line.

A long run is millions of batch rows that all look alike (``{"s":…,"e":…,"t":…,"r":…,"0":…}``).
:meth:`EventDecoder.decode_chunk` parses a chunk of complete lines with a fast JSON
parser (``orjson`` when installed, 4× faster than ``json`` here), each line on its own, recognises the runs of batch
rows that share one key set, and turns each run into one numpy block (rows × columns) with no
dict kept per row. Everything else (epoch, status, log and alias rows, and any line that does not
fit) goes through :meth:`EventDecoder.decode_line`, which checks every value: a line that is not
JSON, not UTF-8, nested too deep, or whose step is not a number is skipped with a reason that
:attr:`EventDecoder.skipped` keeps, and a non-numeric metric is dropped from its row. No line
stops the reading.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter
from typing import Any

import numpy as np
from tuitrain.runs.layout import EVENTS_FILE

try:  # optional: the reader is correct without it, only slower
    import orjson as _orjson
except ImportError:  # pragma: no cover - depends on the environment
    _orjson = None

ALIAS_KIND = "m"
KIND_LONG = {"e": "epoch", "s": "status", "l": "log", "p": "phase"}
KINDS = frozenset({"batch", "epoch", "status", "log", "phase"})
SHORT_KEYS = {"s": "step", "e": "epoch", "t": "time", "r": "samples_per_s", "n": "epochs", "p": "steps"}
# Long keys whose value must be a number for the row to mean anything.
REQUIRED_NUMBERS = ("step", "epoch", "time")
FLAGS = ("partial",)  # yes/no fields of epoch rows (DESIGN: `partial: true` when a stop ended the epoch)
MAX_KEYS = 512  # keys in one row; a row with more is skipped
MAX_NAME = 200  # characters of a metric name
MAX_ALIASES = 4096
MAX_TEXT = 10_000  # characters kept of a status or log message
_EXAMPLES = 5


@dataclass
class SkipLog:
    """What was skipped and why: counts per reason and the first few (line, reason) examples."""

    counts: dict[str, int] = field(default_factory=dict)
    examples: list[tuple[int, str]] = field(default_factory=list)

    def add(self, line_no: int, reason: str) -> None:
        self.counts[reason] = self.counts.get(reason, 0) + 1
        if len(self.examples) < _EXAMPLES:
            self.examples.append((line_no, reason))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        """One line for a status bar: ``3 lines skipped (line 17: not JSON; …)``."""
        if not self.counts:
            return ""
        n = self.total
        first = "; ".join(f"line {ln}: {why}" for ln, why in self.examples[:2])
        return f"{n} line{'s' if n != 1 else ''} of {EVENTS_FILE} skipped ({first}{'; …' if n > 2 else ''})"


@dataclass
class BatchBlock:
    """Consecutive batch rows with the same columns: ``values[i, j]`` is row i's ``names[j]``."""

    names: tuple[str, ...]
    values: np.ndarray


def _number(value: Any) -> float | int | None:
    """A JSON number as Python gives it, or None for anything else (bools, strings, huge ints)."""
    t = type(value)
    if t is float:
        return value
    if t is int:
        if -(2 ** 53) <= value <= 2 ** 53:
            return value
        try:
            return float(value)
        except OverflowError:
            return None
    return None


class EventDecoder:
    """Stateful decoder: remembers metric aliases (across chunks and polls) and what it skipped."""

    def __init__(self) -> None:
        self.aliases: dict[str, str] = {}
        self.skipped = SkipLog()
        self.line_no = 0  # lines seen so far (1-based numbers in skip reasons)
        self._template: tuple[str, ...] | None = None  # key order of the current bulk batch rows

    # -- one object ---------------------------------------------------------------------------

    def decode(self, obj: Any) -> dict[str, Any] | None:
        """One parsed line → a long-key event, or None for alias rows and rows that mean nothing."""
        if not isinstance(obj, dict):
            return self._skip("not a JSON object")
        if len(obj) > MAX_KEYS:
            return self._skip(f"more than {MAX_KEYS} keys")
        if "kind" in obj:  # already long keys (a foreign or older writer)
            kind = obj.get("kind")
            if kind not in KINDS:
                return self._skip(f"unknown kind {str(kind)[:20]!r}")
            return self._fields(kind, obj, long_keys=True)
        kind = obj.get("k")
        if kind == ALIAS_KIND:
            for key, name in obj.items():
                if key != "k" and type(name) is str and 0 < len(name) <= MAX_NAME and (
                        key in self.aliases or len(self.aliases) < MAX_ALIASES):
                    self.aliases[key] = name
            return None
        if kind is not None and kind not in KIND_LONG:
            return self._skip(f"unknown kind {str(kind)[:20]!r}")
        return self._fields(KIND_LONG[kind] if kind is not None else "batch", obj, long_keys=False)

    def _fields(self, kind: str, obj: dict, *, long_keys: bool) -> dict[str, Any] | None:
        event: dict[str, Any] = {"kind": kind}
        numeric = kind in ("batch", "epoch")
        dropped = 0
        for key, value in obj.items():
            if key in ("k", "kind"):
                continue
            name = key if long_keys else (SHORT_KEYS.get(key) or self.aliases.get(key, key))
            if len(name) > MAX_NAME:
                dropped += 1
                continue
            if name in FLAGS and type(value) is bool:  # an epoch cut short by a stop or NaN says so
                event[name] = value
            elif name in REQUIRED_NUMBERS or name in ("samples_per_s", "epochs", "steps") or numeric:
                num = _number(value)
                if num is None:
                    if name in REQUIRED_NUMBERS:
                        return self._skip(f"{key!r} is not a number")
                    dropped += 1
                    continue
                event[name] = num
            elif isinstance(value, str):
                event[name] = value[:MAX_TEXT]
            elif value is None or type(value) in (bool, int, float):
                event[name] = value
            else:
                dropped += 1  # nested lists/objects mean nothing to a reader
        if kind == "status" and not isinstance(event.get("status"), str):
            event.pop("status", None)
        if dropped:
            self.skipped.add(self.line_no, "a value that is not a number was ignored")
        event.setdefault("step", 0)
        event.setdefault("epoch", 0)
        event.setdefault("time", 0.0)
        return event

    def _skip(self, reason: str) -> None:
        self.skipped.add(self.line_no, reason)
        return None

    # -- one line -----------------------------------------------------------------------------

    def decode_line(self, line: bytes | str) -> dict[str, Any] | None:
        """One line, parsed with every check (the slow path: non-batch rows and odd lines)."""
        self.line_no += 1
        line = line.strip()
        if not line:
            return None
        try:
            obj = json.loads(line)
        except UnicodeDecodeError:
            return self._skip("not UTF-8")
        except RecursionError:
            return self._skip("nested too deeply")
        except ValueError:  # JSONDecodeError, and ints too long for Python to convert
            return self._skip("not JSON (a torn or damaged line)")
        return self.decode(obj)

    # -- a chunk of lines ---------------------------------------------------------------------

    def decode_chunk(self, chunk: bytes) -> list[Any]:
        """Complete lines (the chunk ends with a newline) → events and :class:`BatchBlock` s, in order."""
        lines = chunk.split(b"\n")
        if lines and not lines[-1]:
            lines.pop()
        out: list[Any] = []
        pending = _Pending(out)
        self._bulk(lines, pending)
        pending.flush()
        return out

    def _bulk(self, lines: list[bytes], pending: "_Pending") -> None:
        """Parse many lines in one call; on a parse error, halve until the bad lines are found."""
        objs = _parse_many(lines) if len(lines) > 1 else None
        if objs is None:
            if len(lines) > 64:
                half = len(lines) // 2
                self._bulk(lines[:half], pending)
                self._bulk(lines[half:], pending)
            else:
                for line in lines:
                    pending.add(self.decode_line(line))
            return
        i, n = 0, len(lines)
        switches = 0
        while i < n:
            template = self._template
            if template is None:
                pending.add(self.decode_line(lines[i]))
                self._maybe_template(objs[i])
                i += 1
                continue
            try:  # a row of the bulk has exactly the template's keys (the getter checks which)
                ok = np.fromiter(map(len, objs[i:]), dtype=np.int64, count=n - i) == len(template)
            except TypeError:  # a line that is a bare number
                ok = np.fromiter((isinstance(o, dict) and len(o) == len(template) for o in objs[i:]),
                                 dtype=bool, count=n - i)
            edges = np.flatnonzero(np.diff(ok.astype(np.int8))) + 1
            bounds = [0, *edges.tolist(), n - i]
            restart = None
            for a, b in zip(bounds[:-1], bounds[1:]):
                a += i
                b += i
                if ok[a - i]:
                    self._emit_block(template, objs[a:b], lines[a:b], pending)
                    continue
                for j in range(a, b):
                    pending.add(self.decode_line(lines[j]))
                    if switches < 8 and self._maybe_template(objs[j]):
                        switches += 1
                        restart = j + 1
                        break
                if restart is not None:
                    break
            i = restart if restart is not None else n

    def _maybe_template(self, obj: Any) -> bool:
        """Adopt this row's key order for the bulk path if it is a plain batch row of numbers."""
        if (type(obj) is dict and "k" not in obj and "kind" not in obj and "s" in obj and len(obj) <= MAX_KEYS
                and all(_number(v) is not None for v in obj.values()) and tuple(obj) != self._template):
            self._template = tuple(obj)
            return True
        return False

    def _emit_block(self, template: tuple[str, ...], objs: list, lines: list[bytes], pending: "_Pending") -> None:
        """Rows that look like the template → one block; a run that does not convert is halved."""
        names = tuple(SHORT_KEYS.get(k) or self.aliases.get(k, k) for k in template)
        try:
            if len(set(names)) != len(names) or any(len(n) > MAX_NAME for n in names):
                raise ValueError("ambiguous names")
            text = b"".join(lines)
            # every line has 2 quotes per key; more means a string value, and true/false are no numbers
            if text.count(b'"') != 2 * len(template) * len(lines) or b"true" in text or b"false" in text:
                raise ValueError("not only numbers")
            getter = itemgetter(*template)
            flat = map(getter, objs) if len(template) == 1 else chain.from_iterable(map(getter, objs))
            values = np.fromiter(flat, dtype=np.float64, count=len(objs) * len(template))
            values = values.reshape(len(objs), len(template))
        except (KeyError, TypeError, ValueError, OverflowError):
            if len(objs) > 16:
                half = len(objs) // 2
                self._emit_block(template, objs[:half], lines[:half], pending)
                self._emit_block(template, objs[half:], lines[half:], pending)
            else:
                for line in lines:
                    pending.add(self.decode_line(line))
            return
        self.line_no += len(lines)
        pending.block(names, values)


def _parse_many(lines: list[bytes]) -> list | None:
    """Each line parsed on its own (one object per line, so ``objs[i]`` is always line i's), or None if any
    line is not JSON.

    Lines are never joined into one document: two lines holding a lone ``"`` each would read as the one
    string ``","`` and shift every later row onto the wrong line (issue #22: it crashed ``metrics`` and the app).
    """
    loads = _orjson.loads if _orjson is not None else json.loads
    try:
        return list(map(loads, lines))
    except (ValueError, RecursionError, TypeError):  # orjson.JSONDecodeError is a ValueError; NaN too
        return None


class _Pending:
    """Collects batch rows decoded one by one into blocks, keeping the order with other events."""

    def __init__(self, out: list[Any]) -> None:
        self.out = out
        self.names: tuple[str, ...] | None = None
        self.rows: list[tuple] = []

    def add(self, event: dict[str, Any] | None) -> None:
        if event is None:
            return
        if event.get("kind") != "batch":
            self.flush()
            self.out.append(event)
            return
        names = tuple(k for k in event if k != "kind")
        if names != self.names:
            self.flush()
            self.names = names
        self.rows.append(tuple(float(event[k]) for k in names))

    def block(self, names: tuple[str, ...], values: np.ndarray) -> None:
        self.flush()
        self.out.append(BatchBlock(names, values))

    def flush(self) -> None:
        if self.rows and self.names is not None:
            self.out.append(BatchBlock(self.names, np.array(self.rows, dtype=np.float64).reshape(len(self.rows), -1)))
        self.rows = []
        self.names = None


def block_events(block: BatchBlock) -> list[dict[str, Any]]:
    """A block back as long-key batch dicts (for ``RunReader.poll()``'s callers); ints stay ints."""
    ints = {"step", "epoch", "samples_per_s"}
    rows = block.values.tolist()
    names = block.names
    return [{"kind": "batch", **{k: (int(v) if k in ints and v == v and abs(v) < 2 ** 53 and v == int(v) else v)
                                 for k, v in zip(names, row)}} for row in rows]
