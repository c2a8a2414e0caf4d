"""Formatting shared by the CLI progress printer and the app (no Textual, no engine)."""

from __future__ import annotations


def fmt_duration(seconds: float | None) -> str:
    """``1:02:03`` / ``2:03`` for a duration in seconds; ``-`` when unknown."""
    if seconds is None or seconds != seconds or seconds < 0:
        return "-"
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
