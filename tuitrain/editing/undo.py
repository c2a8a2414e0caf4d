"""Undo/redo of preset edits: a bounded stack of (before, after) snapshots.

Presets are small, so the history keeps whole snapshots (``preset.copy()``) rather than diffs:
undoing is just handing an older snapshot back.  When the current preset is not the one the
history last produced (another file was opened), the history no longer applies and is dropped.
The app owns one (``AppState.history``, in ``tuitrain.ui.state``); the keys live in ``tuitrain.ui.history``.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

T = TypeVar("T")


def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if a is None or b is None:
        return False
    to_dict = getattr(a, "to_dict", None)
    if callable(to_dict) and callable(getattr(b, "to_dict", None)):
        return to_dict() == b.to_dict()
    return a == b


def _snapshot(value: T) -> T:
    copy = getattr(value, "copy", None)
    return copy() if callable(copy) else value


class UndoStack(Generic[T]):
    """Snapshots before and after each edit; ``limit`` bounds memory on long sessions."""

    def __init__(self, limit: int = 200) -> None:
        self.limit = limit
        self._undo: list[tuple[T, T]] = []
        self._redo: list[tuple[T, T]] = []

    def record(self, before: T, after: T) -> None:
        """Remember an edit that turned ``before`` into ``after``; a new edit clears redo."""
        self._undo.append((_snapshot(before), _snapshot(after)))
        del self._undo[: max(0, len(self._undo) - self.limit)]
        self._redo.clear()

    def _applies(self, stack: list[tuple[T, T]], current: T, side: int) -> bool:
        if not stack:
            return False
        if not _same(stack[-1][side], current):
            self.clear()  # the preset changed behind our back (e.g. another file was opened)
            return False
        return True

    def undo(self, current: T) -> T | None:
        """The preset before the last edit, or None when there is nothing to undo."""
        return self._move(self._undo, self._redo, current, 1)

    def redo(self, current: T) -> T | None:
        """The preset after the last undone edit, or None."""
        return self._move(self._redo, self._undo, current, 0)

    def _move(self, source: list, target: list, current: T, side: int) -> T | None:
        """Move the newest (before, after) pair from ``source`` to ``target``; the other side of it, which
        ``current`` must equal (``side``: 1 for undo, 0 for redo)."""
        if not self._applies(source, current, side):
            return None
        pair = source.pop()
        target.append(pair)
        return _snapshot(pair[1 - side])

    def clear(self) -> None:
        self._undo.clear()
        self._redo.clear()

    def __len__(self) -> int:
        return len(self._undo)
