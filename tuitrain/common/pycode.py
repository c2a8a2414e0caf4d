"""Python source as a person writes it: double quotes, leading required arguments positional, and lines
that a formatter (black / ruff format) leaves as they are.

Values come from TOML (strings, numbers, booleans, lists, tables), so every literal is written by
this module from data, never pasted from the preset's text. A call that does not fit on one line is
split one argument per line with a trailing comma, which formatters keep.
"""

from __future__ import annotations

import inspect
import json
import keyword
import math
from dataclasses import dataclass, field
from typing import Any

LINE = 120  # the exported script's line length (black / ruff format --line-length 120)


@dataclass
class Code:
    """An expression; `parts` (call arguments, list items) let a long one be split over lines."""

    head: str  # "keras.layers.Dense(" / "[" / "{" / a whole atom
    parts: list["Code | str"] = field(default_factory=list)
    tail: str = ""  # ")" / "]" / "}"; empty for an atom

    def flat(self) -> str:
        if not self.tail:
            return self.head
        return self.head + ", ".join(p if isinstance(p, str) else p.flat() for p in self.parts) + self.tail

    def lines(self, indent: int, prefix: str = "", suffix: str = "") -> list[str]:
        """`prefix + expression + suffix` at `indent`, split only when it does not fit."""
        pad = " " * indent
        one = pad + prefix + self.flat() + suffix
        if len(one) <= LINE or not self.tail or not self.parts:
            return [one]
        out = [pad + prefix + self.head]
        for part in self.parts:
            code = part if isinstance(part, Code) else Code(part)
            out += _part_lines(code, indent + 4)
        out.append(pad + self.tail + suffix)
        return out


def _part_lines(code: Code, indent: int) -> list[str]:
    # "name=value" keyword parts keep their name on the first line.
    return code.lines(indent, suffix=",")


def atom(text: str) -> Code:
    return Code(text)


def literal(value: Any) -> Code:
    """A TOML value as a Python literal with double-quoted strings."""
    if isinstance(value, bool):
        return atom("True" if value else "False")
    if value is None:
        return atom("None")
    if isinstance(value, int):
        return atom(str(value))
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return atom(f'float("{value}")')
        return atom(repr(value))
    if isinstance(value, str):
        return atom(json.dumps(value, ensure_ascii=False))
    if isinstance(value, tuple):
        items = [literal(v) for v in value]
        if len(items) == 1:
            return atom("(" + items[0].flat() + ",)")
        return Code("(", items, ")")
    if isinstance(value, list):
        return Code("[", [literal(v) for v in value], "]")
    if isinstance(value, dict):
        return Code("{", [keyword_part(json.dumps(str(k), ensure_ascii=False) + ": ", literal(v)) for k, v in value.items()], "}")
    raise TypeError(f"no literal for {type(value).__name__}")


def py(value: Any) -> str:
    """A TOML value as Python source on one line (double-quoted strings)."""
    return literal(value).flat()


def keyword_part(prefix: str, value: Code) -> Code:
    """`name=value` (or `"key": value`) as one part of a call or dict."""
    if not value.tail:
        return atom(prefix + value.head)
    return Code(prefix + value.head, value.parts, value.tail)


def call(func: str, positional: list[Code], keywords: list[tuple[str, Code]]) -> Code:
    parts: list[Code | str] = list(positional)
    parts += [keyword_part(f"{name}=", value) for name, value in keywords]
    return Code(func + "(", parts, ")")


def is_identifier(text: Any) -> bool:
    return isinstance(text, str) and text.isidentifier() and not keyword.iskeyword(text)


def required_leading(cls: type) -> list[str]:
    """The constructor's leading arguments without defaults: what a person passes positionally (`Dense(8)`)."""
    try:
        params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    except (TypeError, ValueError):
        return []
    out = []
    for p in params:
        if p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) or p.default is not p.empty:
            break
        out.append(p.name)
    return out
