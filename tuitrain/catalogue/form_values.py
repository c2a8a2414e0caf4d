"""Form text ↔ values: what a user types in a form field, read as a TOML literal (never ``eval``).

``parse_form_value`` reads one field (checked against the argument's ``Param``),
``format_value`` writes a value back as text it reads again, ``non_default_args`` keeps
only what differs from the signature's defaults (what a preset should hold).
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

from tuitrain.catalogue.registry import registry_choices
from tuitrain.catalogue.params import Param


def non_default_args(params: list[Param], values: dict[str, Any]) -> dict[str, Any]:
    """Only the values that differ from the signature defaults (what a preset should hold)."""
    by_name = {p.name: p for p in params}
    out = {}
    for key, value in values.items():
        p = by_name.get(key)
        if p is not None and p.has_default and _same(value, p.default):
            continue
        out[key] = value
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return list(a) == list(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return a == b


# ---------------------------------------------------------------- form values


def parse_form_value(text: str, param: Param | None = None) -> Any:
    """A form entry as a Python value: a TOML literal, bare words as strings.

    ``""`` means "not set" (``None``).  Tuples are accepted as ``[3, 3]``, ``(3, 3)`` or ``3, 3``
    and checked against ``param`` (an int or ``size`` ints).  Raises ``ValueError`` with a
    sentence a user can act on.
    """
    raw = text.strip()
    if raw == "" or raw.lower() in ("none", "null"):
        return None
    candidates = [raw]
    if raw.startswith("(") and raw.endswith(")"):
        candidates.append("[" + raw[1:-1].rstrip().rstrip(",") + "]")
    if "," in raw and not raw.startswith(("[", "{", '"', "'")):
        candidates.append("[" + raw.rstrip(",") + "]")
    value: Any = None
    for cand in candidates:
        try:
            value = tomllib.loads(f"x = {cand}")["x"]
            break
        except tomllib.TOMLDecodeError:
            continue
    else:
        if re.fullmatch(r"[A-Za-z_][\w.\-]*", raw):
            value = raw  # a bare word: a name such as relu or he_normal
        elif "," in raw and not raw.startswith(("[", "{")):
            # "accuracy, mae": a list whose items are literals or bare words
            value = [parse_form_value(part) for part in raw.strip("()").rstrip(",").split(",")]
        else:
            raise ValueError(f"{raw!r} is not a value: write a number, true/false, a word, or a list like [3, 3]")
    if param is not None:
        value = _check(value, param)
    return value


def one_int_in_parentheses_hint(text: str, param: Param) -> str:
    """A hint for ``(5)`` in a shape or tuple field: Python reads it as the number 5, not a tuple.

    The form reads it as ``(5,)`` (what was surely meant), and says so, since the same text in a
    Python script would give Keras an int.
    """
    match = re.fullmatch(r"\(\s*(\d+)\s*\)", text.strip())
    if match is None or param.annotation not in ("shape", "tuple"):
        return ""
    n = match.group(1)
    return f"({n}) is the number {n} in Python; read as ({n},), a tuple of one: did you mean ({n},)?"


def _check(value: Any, p: Param) -> Any:
    ann = p.annotation
    if value is None:
        return None
    if ann == "bool" and not isinstance(value, bool):
        raise ValueError(f"{p.name} must be true or false")
    if ann == "int" and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValueError(f"{p.name} must be a whole number, not {format_value(value)}")
    if ann == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{p.name} must be a number, not {format_value(value)}")
    if ann == "tuple":
        ints = value if isinstance(value, list) else [value]
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in ints):
            raise ValueError(f"{p.name} must be an integer or a list of integers, not {format_value(value)}")
        if isinstance(value, list) and p.size is not None and len(value) != p.size:
            raise ValueError(f"{p.name} needs {p.size} integers (or one for all), got {len(value)}")
    if ann == "shape":
        dims = value if isinstance(value, list) else [value]
        if not dims or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in dims):
            raise ValueError(f"{p.name} must be positive integers such as 784 or 28, 28, 1, not {format_value(value)}")
        return dims
    if p.choices and isinstance(value, str) and value not in p.choices and not registry_choices(p.name):
        raise ValueError(f"{p.name} must be one of {', '.join(p.choices)}")
    return value


def format_value(value: Any) -> str:
    """The text a form field shows for a value; ``parse_form_value`` reads it back to the same value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, str):
        return value if re.fullmatch(r"[A-Za-z_][\w.\-]*", value) and value.lower() not in (
            "true", "false", "none", "null", "inf", "nan") else _literal(value)
    return _literal(value)


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_literal(v)}" for k, v in value.items()) + " }"
    return repr(value)


