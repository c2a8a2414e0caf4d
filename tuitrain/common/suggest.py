""""Did you mean …?": the one way every error message proposes close names.

Used by the preset checks (unknown keys, layer names), the Keras lookups (layer types,
arguments, optimizers) and the data sources (options, ops, columns), so a typo reads the
same wherever it was made.
"""

from __future__ import annotations

import difflib
from typing import Iterable

CUTOFF = 0.55


def close_names(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """Up to ``n`` of ``choices`` close to ``word``, ignoring case, best first."""
    lowered: dict[str, str] = {}
    for choice in choices:
        lowered.setdefault(str(choice).lower(), str(choice))
    hits = difflib.get_close_matches(str(word).lower(), list(lowered), n=n, cutoff=CUTOFF)
    return [lowered[h] for h in hits]


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` Did you mean 'a' or 'b'?`` (with a leading space) for close names, else ``""``.

    Meant to follow a sentence: ``f"unknown key {key!r}.{did_you_mean(key, keys)} Valid keys: …"``.
    """
    close = close_names(word, choices)
    return f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
