"""Key paths (``layers[2].units``) and where they sit in a preset's text, for messages with a line."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from tuitrain.preset.schema import Preset

_INDEX = re.compile(r"\[(\d+)\]")


def split_key_path(key: str) -> list[str | int]:
    parts: list[str | int] = []
    for part in _INDEX.sub(r".\1", key).split("."):
        if part == "":
            continue
        parts.append(int(part) if part.isdigit() else part)
    return parts


def format_key_path(parts: list[str | int]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out



_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+|\"[^\"]+\")\s*=")


def line_of(text: str, key_path: str) -> int | None:
    """Best-effort line number (1-based) of a key path such as ``layers[2].units``."""
    target = split_key_path(key_path)
    counters: dict[str, int] = {}
    section: list[str | int] = []
    best: tuple[int, int] | None = None  # (matched parts, line)
    for lineno, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            name = [p.strip().strip('"') for p in header.group(2).split(".")]
            if header.group(1) == "[[":
                key = ".".join(name)
                counters[key] = counters.get(key, -1) + 1
                section = [*name, counters[key]]
            else:
                section = list(name)
            candidate = section
        else:
            key = _KEY.match(line)
            if not key:
                continue
            candidate = [*section, key.group(1).strip('"')]
        matched = 0
        for a, b in zip(candidate, target):
            if a != b:
                break
            matched += 1
        if matched == len(candidate) and matched and (best is None or matched > best[0]):
            best = (matched, lineno)
            if matched == len(target):
                break
    return best[1] if best else None



def with_line(err: Any, preset: "Preset", file: str | None) -> Any:
    """``err`` (a SpecError or another located error) with ``file`` and the line of its key path."""
    line = line_of(preset.source_text, err.path) if (preset.source_text and err.path) else None
    return err.located(file=file, line=line)
