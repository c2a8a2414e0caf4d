"""The undo history of preset edits (the app's ctrl+z / ctrl+y walk it)."""

from __future__ import annotations

from tuitrain.editing.undo import UndoStack


def test_undo_redo_and_foreign_change():
    stack = UndoStack()
    stack.record({"n": 1}, {"n": 2})
    stack.record({"n": 2}, {"n": 3})
    assert stack.undo({"n": 3}) == {"n": 2}
    assert stack.undo({"n": 2}) == {"n": 1}
    assert stack.undo({"n": 1}) is None
    assert stack.redo({"n": 1}) == {"n": 2}
    stack.record({"n": 2}, {"n": 5})  # a new edit drops the redo branch
    assert stack.redo({"n": 5}) is None
    assert stack.undo({"n": 99}) is None and len(stack) == 0  # another file was opened


def test_the_history_is_bounded():
    stack = UndoStack(limit=3)
    for n in range(10):
        stack.record({"n": n}, {"n": n + 1})
    assert len(stack) == 3
    assert stack.undo({"n": 10}) == {"n": 9}
