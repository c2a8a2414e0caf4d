"""``--set a.b[0].c=value``: changing a parsed preset from the command line before it is checked."""

from __future__ import annotations

import tomllib
from typing import Any

from tuitrain.common.errors import SpecError
from tuitrain.common.limits import MAX_OVERRIDE_CHARS, check_text_size, check_toml_nesting
from tuitrain.preset.lines import format_key_path, split_key_path
from tuitrain.preset.schema import TOP_LEVEL_KEYS
from tuitrain.common.suggest import did_you_mean

def parse_override_value(text: str) -> Any:
    """A TOML literal (``3e-4``, ``true``, ``[1, 2]``, ``{type = "Adam"}``); a bare word is a string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def apply_override(raw: dict[str, Any], assignment: str, *, file: str = "<string>") -> None:
    """Apply ``a.b.c=value`` to a parsed (not yet validated) preset, in place."""
    if "=" not in assignment:
        raise SpecError(f"--set expects KEY=VALUE, got '{assignment}'", file=file)
    key, _, value_text = assignment.partition("=")
    parts = split_key_path(key.strip())
    if not parts:
        raise SpecError(f"--set needs a key before '=', got '{assignment}'", file=file)
    check_text_size(value_text, file=file, what=f"--set {key.strip()}", limit=MAX_OVERRIDE_CHARS)
    check_toml_nesting(value_text, file=file, what=f"--set {key.strip()}: arrays and inline tables", located=False)
    value = parse_override_value(value_text.strip())
    node: Any = raw
    for depth, part in enumerate(parts[:-1]):
        here = format_key_path(parts[: depth + 1])
        node = _step_into(node, part, parts, depth, file=file, here=here)
    last = parts[-1]
    where = format_key_path(parts)
    if isinstance(node, list):
        if not isinstance(last, int) or not -len(node) <= last < len(node):
            raise SpecError(f"--set {key}: no item {last} (the list has {len(node)} items)", file=file, path=where)
        node[last] = value
    elif isinstance(node, dict):
        if isinstance(last, int):
            raise SpecError(f"--set {key}: {format_key_path(parts[:-1])} is a table, not a list", file=file, path=where)
        if len(parts) == 1 and last not in TOP_LEVEL_KEYS:
            raise SpecError(f"--set {key}: no top-level key '{last}'.{did_you_mean(last, TOP_LEVEL_KEYS)}", file=file, path=where)
        node[last] = value
    else:
        raise SpecError(f"--set {key}: {format_key_path(parts[:-1])} is a value, not a table or list", file=file, path=where)


def _step_into(node: Any, part: str | int, parts: list, depth: int, *, file: str, here: str) -> Any:
    if isinstance(node, list):
        if not isinstance(part, int) or not -len(node) <= part < len(node):
            raise SpecError(f"--set: no item {part} (the list has {len(node)} items)", file=file, path=here)
        return node[part]
    if not isinstance(node, dict) or isinstance(part, int):
        raise SpecError("--set: this path does not exist in the preset", file=file, path=here)
    if part not in node:
        if depth == 0 and part in ("data", "compile", "fit", "distribute"):
            node[part] = {}
        else:
            choices = [k for k in node]
            raise SpecError(
                f"--set: no key '{part}' here.{did_you_mean(part, choices)} Existing keys: {', '.join(choices) or '(none)'}.",
                file=file,
                path=here,
            )
    child = node[part]
    if isinstance(child, str) and depth + 1 < len(parts) and not isinstance(parts[depth + 1], int):
        # `optimizer = "adam"` then --set compile.optimizer.learning_rate=…: promote to a table.
        child = node[part] = {"type": child}
    return child

