"""Reading Keras docstrings: each argument's description, the string choices it lists, its type.

Keras constructors carry almost no type hints, so the forms learn an argument's description,
its choices (``either "valid" or "same"``) and its kind of value (``tuple/list of 2 integers``)
from the ``Args:`` section of the class docstring.
"""

from __future__ import annotations

import functools
import inspect
import re
from typing import Any

_ARG_LINE = re.compile(r"^(\s*)(\*{0,2}\w+):\s?(.*)$")


@functools.cache
def arg_docs(cls) -> dict[str, str]:
    """``{arg: description}`` from the ``Args:`` section of a Keras class docstring."""
    doc = inspect.getdoc(cls) or ""
    lines = doc.splitlines()
    out: dict[str, str] = {}
    try:
        start = next(i for i, ln in enumerate(lines) if ln.strip() in ("Args:", "Arguments:"))
    except StopIteration:
        return out
    indent = None
    current = None
    for ln in lines[start + 1 :]:
        if not ln.strip():
            continue
        m = _ARG_LINE.match(ln)
        lead = len(ln) - len(ln.lstrip())
        if indent is None:
            indent = lead
        if lead < indent:
            break  # next section ("Input shape:", "Example:")
        if m and lead == indent:
            current = m.group(2).lstrip("*")
            out[current] = m.group(3).strip()
        elif current is not None and lead > indent:
            out[current] += " " + ln.strip()
        else:
            break
    return out


_QUOTED = re.compile(r"[\"']([A-Za-z0-9_\-]+)[\"']")
_ENUM_HINT = re.compile(r"\b(one of|either|supported values|possible values|can be)\b", re.I)
_TUPLE_HINT = re.compile(r"tuple/list of (\d+) integer", re.I)


def doc_choices(text: str) -> tuple[str, ...]:
    """String choices a docstring lists for an argument (``either "valid" or "same"``)."""
    m = _ENUM_HINT.search(text)
    if not m and not text.lower().startswith("string"):
        return ()
    # The sentence that names the choices ends at the first ". " after the hint.
    tail = text[m.start():] if m else text
    end = re.search(r"\.\s+[A-Z`]|\.$", tail)
    sentence = tail[: end.start() + 1] if end else tail
    seen: list[str] = []
    for word in _QUOTED.findall(sentence):
        if word not in seen:
            seen.append(word)
    return tuple(seen) if len(seen) >= 2 else ()



def annotation_of(default: Any, doc: str) -> tuple[str, int | None]:
    """The form's kind of value for an argument (see ``keras_params.Param``), and a tuple's size."""
    if isinstance(default, bool):
        return "bool", None
    if isinstance(default, int):
        m = _TUPLE_HINT.search(doc)
        return ("tuple", int(m.group(1))) if m else ("int", None)
    if isinstance(default, float):
        return "float", None
    if isinstance(default, str):
        return "str", None
    if isinstance(default, (tuple, list)):
        if all(isinstance(v, int) and not isinstance(v, bool) for v in default) and default:
            return "tuple", len(default)
        return "list", None
    m = _TUPLE_HINT.search(doc)
    if m:
        return "tuple", int(m.group(1))
    # Required arguments have no default to learn from; Keras docstrings start with the type.
    head = doc.lower()
    if head.startswith(("int,", "int ", "integer", "positive integer", "positive int")):
        return "int", None
    if head.startswith(("float", "positive float")):
        return "float", None
    if head.startswith(("bool", "boolean")):
        return "bool", None
    return "any", None


