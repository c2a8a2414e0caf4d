"""The shape of the source, read with ``ast`` (nothing is imported): functions short enough to read,
and the run directory's file names spelled in one module.

Functions: none over 90 lines anywhere in ``tuitrain/``, none over 60 in ``tuitrain/trainer/`` (the
trainer runs unattended for hours; each of its steps should be readable on one screen).
File names: a run-directory name as a string literal outside ``tuitrain/runs/layout.py`` is a second
spelling that can drift; docstrings (prose) do not count, messages that build a path do.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tuitrain"
LAYOUT = PACKAGE / "runs" / "layout.py"
MAX_LINES = 90
MAX_TRAINER_LINES = 60


def function_lengths(path: Path) -> list[tuple[str, int, int]]:
    """(name, first line, length in lines) of every function and method in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [(node.name, node.lineno, node.end_lineno - node.lineno + 1) for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]


def too_long(root: Path, limit: int) -> list[str]:
    return [f"{path.relative_to(root.parent)}:{line} {name} ({length} lines)"
            for path in sorted(root.rglob("*.py")) for name, line, length in function_lengths(path) if length > limit]


def test_no_function_over_90_lines():
    assert too_long(PACKAGE, MAX_LINES) == []


def test_no_trainer_function_over_60_lines():
    assert too_long(PACKAGE / "trainer", MAX_TRAINER_LINES) == []


def test_the_length_check_measures_a_long_function(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(95))
    (tmp_path / "m.py").write_text(f"def short():\n    return 1\n\n\ndef long():\n{body}\n    return 0\n")
    assert too_long(tmp_path, MAX_LINES) and "long (97 lines)" in too_long(tmp_path, MAX_LINES)[0]
    assert not any("short" in row for row in too_long(tmp_path, MAX_LINES))


def run_dir_names() -> set[str]:
    """The names ``runs/layout.py`` assigns (its module-level string constants)."""
    tree = ast.parse(LAYOUT.read_text(encoding="utf-8"))
    return {node.value.value for node in tree.body if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)}


def docstring_nodes(tree: ast.AST) -> set[int]:
    nodes = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {id(node.body[0].value) for node in ast.walk(tree) if isinstance(node, nodes) and node.body
            and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}


def spelled_names(source: str, names: set[str]) -> list[tuple[int, str]]:
    """(line, name) for each string literal (f-string parts included) that spells a run-directory
    name: the whole string, a path segment of it, or a word of a message."""
    tree = ast.parse(source)
    skip = docstring_nodes(tree)
    pattern = re.compile(r"(?<![\w.])(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")(?![\w])")
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            found += [(node.lineno, m.group(1)) for m in pattern.finditer(node.value)]
    return sorted(found)


# Names that are also ordinary words of the preset format: `[fit] tensorboard = true` is a key,
# `backup` a folder the confinement message suggests, `--columns` an option; only their path use goes through layout.py.
ALSO_WORDS = {"tensorboard", "backup", "checkpoints", "columns"}
# A preset file the user names, not the run directory's copy: the open dialog's example path.
NOT_RUN_FILES = {("tuitrain/ui/screens/dialogs/open_preset.py", "preset.toml")}


def test_run_directory_names_are_spelled_only_in_layout():
    names = run_dir_names() - ALSO_WORDS
    assert {"run.json", "events.jsonl", "control.jsonl", "system.jsonl", ".trainer.lock"} <= names
    breaches = [f"{path.relative_to(ROOT)}:{line} {name!r}" for path in sorted(PACKAGE.rglob("*.py")) if path != LAYOUT
                for line, name in spelled_names(path.read_text(encoding="utf-8"), names)
                if (str(path.relative_to(ROOT)), name) not in NOT_RUN_FILES]
    assert breaches == []


def test_the_name_check_sees_literals_and_not_prose():
    names = {"run.json", "events.jsonl"}
    source = '"""Reads run.json."""\nA = "run.json"\nB = f"{d}/events.jsonl"\nC = "no run.json here"\nD = "run.jsonl"\n'
    assert spelled_names(source, names) == [(2, "run.json"), (3, "events.jsonl"), (4, "run.json")]


@pytest.mark.parametrize("name", ["run.json", "events.jsonl", "metrics.csv", "trainer.log", "control.jsonl",
                                  "system.jsonl", "checkpoints", "model.keras", "preset.toml", "model.summary.txt",
                                  ".trainer.lock", ".run.json.lock"])
def test_layout_names_every_file_of_the_format(name):
    assert name in run_dir_names()
