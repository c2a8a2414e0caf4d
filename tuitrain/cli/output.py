"""What every command prints besides its own output: notes on stderr, fitted to the terminal, and the
preset a bare name found (said when a local file shadows the bundled preset of that name)."""

from __future__ import annotations

import sys
from pathlib import Path

from tuitrain.common.safetext import clean_line
from tuitrain.common.textfit import output_width, wrap


def note(text: str) -> None:
    """``note: text`` on stderr, wrapped between words at the terminal's width."""
    print(wrap(f"note: {clean_line(text)}", output_width(sys.stderr), indent="      "), file=sys.stderr)


def find_preset_noted(name_or_path: str | Path) -> Path:
    """``find_preset``, with a note when the name found a local file instead of the bundled preset."""
    from tuitrain.preset import find_preset, shadow_note

    path = find_preset(name_or_path)
    said = shadow_note(name_or_path)
    if said:
        note(said)
    return path
