"""ANSI colour codes (plotext's output) → a Rich ``Text`` with styles, for a Textual widget."""

from __future__ import annotations

import re
from functools import lru_cache

from rich.style import Style
from rich.text import Span, Text

_SGR = re.compile(r"\x1b\[([0-9;]*)m")


@lru_cache(maxsize=512)
def _sgr_style(fg: str | None, bg: str | None, bold: bool) -> Style | None:
    if fg is None and bg is None and not bold:
        return None
    return Style(color=fg, bgcolor=bg, bold=bold or None)


def ansi_to_text(ansi: str) -> Text:
    """plotext's output as a Rich ``Text``.

    plotext writes only SGR colour codes (reset, 256-colour and RGB fore/background, bold), so
    this small parser does what ``Text.from_ansi`` does at a third of the cost, which is half
    of a redraw at 120x40.
    """
    parts = _SGR.split(ansi)
    plain: list[str] = []
    spans: list[Span] = []
    pos = 0
    fg: str | None = None
    bg: str | None = None
    bold = False
    for i, part in enumerate(parts):
        if i % 2 == 0:
            if part:
                style = _sgr_style(fg, bg, bold)
                if style is not None:
                    spans.append(Span(pos, pos + len(part), style))
                plain.append(part)
                pos += len(part)
            continue
        codes = part.split(";") if part else ["0"]
        k = 0
        while k < len(codes):
            code = codes[k]
            if code in ("0", ""):
                fg = bg = None
                bold = False
            elif code == "1":
                bold = True
            elif code in ("38", "48") and k + 1 < len(codes):
                if codes[k + 1] == "5" and k + 2 < len(codes):
                    color, k = f"color({codes[k + 2]})", k + 2
                elif codes[k + 1] == "2" and k + 4 < len(codes):
                    color, k = f"rgb({codes[k + 2]},{codes[k + 3]},{codes[k + 4]})", k + 4
                else:
                    color = None
                if code == "38":
                    fg = color
                else:
                    bg = color
            elif code == "39":
                fg = None
            elif code == "49":
                bg = None
            elif code == "22":
                bold = False
            k += 1
    return Text("".join(plain), spans=spans, no_wrap=True, overflow="crop")
