"""Plain text that fits the terminal: tables, wrapped lines and lists, never a number cut in two.

The command line prints at the terminal's width (``$COLUMNS`` first, as shells and ``shutil`` do);
into a pipe or a file, where no width applies, lines stay whole. Long text wraps between words, a
list between its items, and a table drops its least useful columns, then shortens long text cells
with ``…``, before any row would wrap.
"""

from __future__ import annotations

import os
import re
import shutil
import textwrap
from typing import Iterable, Sequence, TextIO

ELLIPSIS = "…"
TIME_STAMP = re.compile(r"[-_]\d{8}-\d{6}(?:-\d+)?$")  # the end of a run directory's name (runs.rundir.new_run_dir)
MIN_WIDTH = 20  # a narrower $COLUMNS is taken as a mistake, not a layout
MIN_CELL = 8  # a shortened text cell keeps this much (its header too)


def output_width(stream: TextIO | None = None) -> int | None:
    """The width to print at: ``$COLUMNS``, else the terminal's when ``stream`` is one; None for a pipe or file."""
    env = os.environ.get("COLUMNS", "")
    if env.isdigit() and int(env) >= MIN_WIDTH:
        return int(env)
    try:
        if stream is not None and stream.isatty():
            return max(MIN_WIDTH, shutil.get_terminal_size().columns)
    except (AttributeError, ValueError, OSError):  # a closed or odd stream: no width
        pass
    return None


def wrap(text: str, width: int | None, indent: str = "  ") -> str:
    """``text`` wrapped between words to ``width`` (later lines indented); a word longer than a line
    (a path) stays whole. Unchanged when ``width`` is None."""
    if width is None or len(text) <= width:
        return text
    return "\n".join(textwrap.wrap(text, width, subsequent_indent=indent, break_long_words=False,
                                   break_on_hyphens=False)) or text


def wrap_items(head: str, items: Iterable[str], width: int | None, sep: str = ", ", indent: str = "  ") -> str:
    """``head`` then ``items`` joined by ``sep``, wrapped between items only (``0: 400`` never splits)."""
    items = list(items)
    if width is None:
        return head + sep.join(items)
    lines, line = [], head
    for i, item in enumerate(items):
        piece = item + (sep.rstrip() if i < len(items) - 1 else "")
        gap = "" if line in (head, indent) else " "
        if line not in (head, indent) and len(line) + len(gap) + len(piece) > width:
            lines.append(line)
            line, gap = indent, ""
        line += gap + piece
    lines.append(line)
    return "\n".join(lines)


def cut(text: str, width: int, where: str = "end") -> str:
    """``text`` in ``width`` characters with ``…`` where it was shortened: at its ``end``, its ``start``, or in
    the ``middle``, before a run name's time stamp (``transfer_…-20261205-113000``), which stays whole."""
    if len(text) <= width:
        return text
    keep = max(0, width - 1)
    if where == "middle":
        stamp = TIME_STAMP.search(text)
        if stamp and len(stamp.group()) + 2 <= width:
            return text[: width - 1 - len(stamp.group())] + ELLIPSIS + stamp.group()
    if where == "start":
        return ELLIPSIS + text[len(text) - keep:]
    return text[:keep] + ELLIPSIS


# One step of fitting a table: ("drop", column), ("cut", column, floor) or ("cut", column, floor, WHERE);
# floor None: the longest body cell (at least MIN_CELL), so only a long header is shortened (a column of
# numbers keeps every digit); WHERE: "start" (``…0.units``: the end tells keys apart) or "middle" (run names).
Step = tuple


def fit_table(rows: Sequence[Sequence[str]], width: int | None = None, *, right: Iterable[int] = (),
              plan: Sequence[Step] = (), gap: str = "  ", dropped: list[int] | None = None) -> str:
    """``rows`` (the header first) as aligned columns within ``width``.

    Too wide, it takes the steps of ``plan`` in order until the table fits: drop a column, or cut a
    column to ``floor`` characters (its cells end in ``…``; give floors below a column's longest
    body cell only for text). ``right``: columns aligned right (numbers); ``dropped`` gets the columns left out."""
    right, keep, where = set(right), list(range(len(rows[0]) if rows else 0)), {}
    widths = [max((len(row[i]) for row in rows if i < len(row)), default=0) for i in keep]

    def total() -> int:
        return sum(widths[i] for i in keep) + len(gap) * (len(keep) - 1)

    for step in plan:
        if width is None or total() <= width:
            break
        column = step[1]
        if column not in keep:
            continue
        if step[0] == "drop" and len(keep) > 1:
            keep.remove(column)
            if dropped is not None:
                dropped.append(column)
        elif step[0] == "cut":
            body = max((len(row[column]) for row in rows[1:] if column < len(row)), default=1)
            floor = max(body, MIN_CELL) if step[2] is None else step[2]
            widths[column] = min(widths[column], max(floor, 1, widths[column] - (total() - width)))
            where[column] = step[3] if len(step) > 3 else "end"
    lines = []
    for row in rows:
        cells = [cut(row[i] if i < len(row) else "", widths[i], where.get(i, "end")) for i in keep]
        lines.append(gap.join(c.rjust(widths[i]) if i in right else c.ljust(widths[i])
                              for c, i in zip(cells, keep)).rstrip())
    return "\n".join(lines)


def fit_table_noted(rows: Sequence[Sequence[str]], notes: Sequence[str], width: int | None = None, *,
                    note_head: str = "NOTE", **fit) -> str:
    """``rows`` with each row's note (``notes``, one per body row) as a last column when the table fits ``width``
    with it; else the table fitted without it and each note wrapped on the lines under its row (``↳ note``)."""
    table = fit_table([tuple(row) + (note,) for row, note in zip(rows, [note_head, *notes])], None,
                      **(fit | {"dropped": None}))
    if width is None or max(map(len, table.splitlines())) <= width:
        return table
    lines = fit_table(rows, width, **fit).splitlines()
    out = lines[:1]
    for line, note in zip(lines[1:], notes):
        out.append(line)
        if note:
            out.append(wrap(f"  ↳ {note}", width, indent="    "))
    return "\n".join(out)


def fit_line(fields: Sequence[str], width: int | None, gap: str = "  ", keep_last: int = 0) -> str:
    """``fields`` joined by ``gap`` in ``width``: the fields before the last ``keep_last`` are dropped from
    the end until the line fits (a line rewritten in place cannot wrap)."""
    fields = [f for f in fields if f]
    head, tail = list(fields[: len(fields) - keep_last] if keep_last else fields), list(fields[len(fields) - keep_last:] if keep_last else [])
    while width is not None and len(gap.join(head + tail)) > width and len(head) > 1:
        head.pop()
    line = gap.join(head + tail)
    return line if width is None else cut(line, width)


def hang(label: str, text: str, width: int | None, label_width: int = 0, gap: str = "  ") -> str:
    """``label`` padded to ``label_width``, then ``text`` wrapped between words beneath itself (a list of
    names with their descriptions)."""
    head = label.ljust(label_width) + gap
    if width is None or width - len(head) < MIN_WIDTH:
        return wrap(head + text, width, indent=" " * len(gap)) if width is not None else head + text
    return "\n".join(textwrap.wrap(text, width, initial_indent=head, subsequent_indent=" " * len(head),
                                   break_long_words=False, break_on_hyphens=False)) or head.rstrip()


def wrap_fields(fields: Sequence[str], width: int | None, gap: str = "  ", indent: str = "  ") -> str:
    """``fields`` joined by ``gap``, wrapped between fields (``loss 0.25`` stays on one line)."""
    fields = [f for f in fields if f]
    if width is None:
        return gap.join(fields)
    lines, line = [], ""
    for field in fields:
        if line.strip() and len(line) + len(gap) + len(field) > width:
            lines.append(line)
            line = indent + field
        else:
            line = f"{line}{gap}{field}" if line.strip() else line + field
    lines.append(line)
    return "\n".join(lines)
