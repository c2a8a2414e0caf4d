"""Every SVG under __snapshots__ belongs to a snapshot test that still exists.

syrupy fails a serial run on an unused snapshot, but under pytest-xdist (the suite's default) it
skips that check (each worker sees only its share of the tests). This test keeps the guarantee:
a renamed or removed snapshot test, or a dropped terminal size, leaves no stale SVG behind.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

SNAPSHOTS = Path(__file__).parent / "__snapshots__"
NAME = re.compile(r"^(?P<test>\w+)(?:\[(?P<id>[^\]]+)\])?\.svg$")


def _parametrize_ids(func: ast.FunctionDef) -> set[str]:
    ids: set[str] = set()
    for deco in func.decorator_list:
        if isinstance(deco, ast.Call) and ast.unparse(deco.func).endswith("parametrize"):
            for kw in deco.keywords:
                if kw.arg == "ids":
                    ids.update(ast.literal_eval(kw.value))
    return ids


def _snapshot_tests(module: Path) -> dict[str, set[str]]:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    return {node.name: _parametrize_ids(node) for node in tree.body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_")}


def stale_snapshots(root: Path = SNAPSHOTS) -> list[str]:
    stale = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        module = root.parent / f"{folder.name}.py"
        tests = _snapshot_tests(module) if module.is_file() else {}
        for svg in sorted(folder.iterdir()):
            match = NAME.match(svg.name)
            if not match or match["test"] not in tests or (match["id"] and match["id"] not in tests[match["test"]]):
                stale.append(f"{folder.name}/{svg.name}")
    return stale


def test_every_snapshot_file_has_its_test():
    assert SNAPSHOTS.is_dir() and any(SNAPSHOTS.rglob("*.svg"))
    assert stale_snapshots() == []


def test_a_stale_snapshot_is_found(tmp_path):
    (tmp_path / "__snapshots__" / "test_x").mkdir(parents=True)
    (tmp_path / "test_x.py").write_text(
        'import pytest\n\n@pytest.mark.parametrize("size", [(80, 24)], ids=["80x24"])\n'
        "def test_snap(snap_compare, size):\n    pass\n\ndef test_other():\n    pass\n")
    for name in ("test_snap[80x24].svg", "test_snap[120x40].svg", "test_gone.svg", "test_other.svg"):
        (tmp_path / "__snapshots__" / "test_x" / name).write_text("<svg/>")
    (tmp_path / "__snapshots__" / "test_removed_module").mkdir()
    (tmp_path / "__snapshots__" / "test_removed_module" / "test_a.svg").write_text("<svg/>")
    assert stale_snapshots(tmp_path / "__snapshots__") == [
        "test_removed_module/test_a.svg", "test_x/test_gone.svg", "test_x/test_snap[120x40].svg"]
