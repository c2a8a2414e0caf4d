"""Only the app sets app state: panes, screens and widgets post messages, they never assign ``app.x``.

Read with ``ast`` (nothing imported), like ``tests/test_imports.py``: an assignment such as
``self.app.run_dir = ...`` or ``app.preset = ...`` anywhere under ``tuitrain/ui/panes``,
``ui/screens`` or ``ui/widgets`` fails here with its file and line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import tuitrain

UI = Path(tuitrain.__file__).parent / "ui"
COMPONENT_DIRS = ("panes", "screens", "widgets")


def _is_app(node: ast.expr) -> bool:
    """``app``, ``self.app``, ``pane.app``, or ``cast(..., self.app)``."""
    if isinstance(node, ast.Name):
        return node.id == "app"
    if isinstance(node, ast.Attribute):
        return node.attr == "app"
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "cast" and node.args:
        return _is_app(node.args[-1])
    return False


def _targets(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        return [t for target in node.targets for t in (target.elts if isinstance(target, ast.Tuple) else [target])]
    if isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        return [node.target]
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "setattr" and node.args:
        return [ast.Attribute(value=node.args[0], attr="?", ctx=ast.Store())]
    return []


def app_assignments(source: str, name: str) -> list[str]:
    """``file:line: code`` for each assignment to an attribute of the app in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        for target in _targets(node):
            if isinstance(target, ast.Attribute) and _is_app(target.value):
                found.append(f"{name}:{node.lineno}: {ast.unparse(node).splitlines()[0]}")
    return found


def test_no_pane_screen_or_widget_assigns_app_state():
    found = []
    for folder in COMPONENT_DIRS:
        for path in sorted((UI / folder).rglob("*.py")):
            found += app_assignments(path.read_text(encoding="utf-8"), str(path.relative_to(UI.parent.parent)))
    assert not found, "post a message that the app turns into state instead:\n" + "\n".join(found)


def test_the_check_sees_every_spelling_of_an_assignment():
    source = (
        "self.app.run_dir = d\n"
        "app.preset = p\n"
        "self.app.modified |= True\n"
        "cast('TuitrainApp', self.app).notice = 'x'\n"
        "a, self.app.run_status = 1, 'running'\n"
        "setattr(self.app, 'preset', None)\n"
        "self.app.history.clear()\n"  # calling the app's methods is fine
        "self.apple = 1\n"  # not the app
        "x = self.app.run_dir\n"  # reading is fine
    )
    lines = [hit.split(":")[1] for hit in app_assignments(source, "f.py")]
    assert lines == ["1", "2", "3", "4", "5", "6"]
