"""Text from untrusted sources made safe to print: no control sequence reaches a terminal.

Preset names and descriptions, run names, ``run.json`` fields and error texts from Keras or
TensorFlow can hold escape sequences (``ESC ] 0 ; title BEL`` retitles the window, ``ESC [ 2 J``
clears the screen) or bidirectional overrides that disguise what is shown. ``clean`` makes each
such character visible as a Python-style escape (``\\x1b``, ``\\u202e``); style-only sequences
(``ESC [ 1 m``, the bold Keras puts in its messages) are dropped, since they only style text.
Every text that the CLI prints or the app shows from such a source goes through here.
"""

from __future__ import annotations

import re

# CSI "select graphic rendition" (colours, bold): harmless formatting, removed rather than shown.
_SGR = re.compile(r"\x1b\[[0-9;]*m")
# C0 controls but tab and newline, DEL, C1 controls, and the bidi/zero-width characters that
# reorder or hide text.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_UNSAFE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def _escape(match: re.Match[str]) -> str:
    ch = match.group(0)
    return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")


def clean(text: object) -> str:
    """``str(text)`` with style sequences removed and other control characters escaped (newlines and tabs kept)."""
    return _UNSAFE.sub(_escape, _SGR.sub("", str(text)))


def clean_line(text: object) -> str:
    """Like ``clean``, for one table cell or line: newlines and tabs are escaped too."""
    return _UNSAFE_LINE.sub(_escape, _SGR.sub("", str(text)))


def has_unsafe(text: str) -> bool:
    return bool(_UNSAFE.search(text))


class CleanWriter:
    """A text stream that passes everything written through ``clean`` (``print(..., file=CleanWriter(sys.stdout))``)."""

    def __init__(self, stream) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(clean(text))

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()


# A spreadsheet runs a cell that starts with one of these as a formula (`=HYPERLINK(...)`, `@SUM(...)`).
_FORMULA_START = ("=", "+", "-", "@")


def csv_text(text: object) -> str:
    """A text cell for CSV that a person opens in a spreadsheet: escaped like ``clean_line``, and a cell
    that would start a formula gets a leading ``'`` (OWASP's advice). Numbers are written as numbers."""
    cell = clean_line(text)
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def json_safe(value: object) -> object:
    """``value`` with every NaN and infinity (at any depth) as None, so ``json.dumps(..., allow_nan=False)``
    writes strict JSON: Python's ``NaN`` is no JSON, and ``jq`` or a browser rejects the whole document."""
    if isinstance(value, float):
        return value if value - value == 0 else None  # inf - inf and nan - nan are nan
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    return value
