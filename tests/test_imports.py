"""The direction of imports, read from the source with ``ast`` (nothing is imported).

The rules (see docs/architecture.md): one table says which top-level packages each package may
import (Textual and Rich under ``ui`` alone); ``runs`` has no module-level TensorFlow import; there
are no import cycles; and what the app loads before it paints has no module-level TensorFlow/Keras
import, so the window appears before TensorFlow has loaded.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tuitrain"

# The one import table: which of tuitrain's top-level packages each package may import (anywhere
# in its files, lazy imports included). A package missing from the table fails the test, so a new
# package has to take its place in the layers. Modules at the top (`__main__`, `keras`) join layers
# and may import anything.
LOWER = {
    "common": set(),
    "preset": {"common"},
    "catalogue": {"common"},
    "runs": {"common"},
    "data": {"common", "preset", "catalogue"},
    "editing": {"common", "preset", "catalogue"},
    "model": {"common", "preset", "catalogue", "data", "runs"},  # runs.layout: the files a callback may not overwrite
    "starter": {"common", "preset", "catalogue", "data"},
    "export": {"common", "preset", "catalogue", "data", "model"},
    "trainer": {"common", "preset", "catalogue", "data", "model", "runs"},
    "sweep": {"common", "preset", "catalogue", "data", "model", "runs", "trainer"},
}
LOWER["cli"] = set(LOWER) | {"starter", "export", "trainer", "sweep"}
LOWER["ui"] = set(LOWER)
# `tuitrain serve`'s web server (textual-serve, the `web` extra): the entry point hands it to the CLI.
LOWER["web"] = {"common"}
TOP_LEVEL_MODULES = ("tuitrain", "tuitrain.__main__", "tuitrain.keras")
# Only the UI draws: Textual and Rich are imported under tuitrain/ui alone.
UI_LIBRARIES = ("textual", "rich")
# `runs` is read by the app and `tuitrain runs` without TensorFlow: no module-level import of it.
HEAVY_FOR_RUNS = ("tensorflow", "keras", "tf_keras", "tensorboard")
# What the app and the CLI import before the first paint (their module-level import closure
# must not contain TensorFlow or Keras).
EAGER_ROOTS = ("tuitrain.__main__", "tuitrain.cli.main", "tuitrain.ui.app", "tuitrain.trainer", "tuitrain.preset", "tuitrain.data")
HEAVY = ("tensorflow", "keras", "tf_keras")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


MODULES = all_modules()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(module: str, node: ast.ImportFrom | ast.Import, is_package: bool) -> list[str]:
    """Absolute names this import statement loads (a submodule when ``from pkg import sub``)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        anchor = module.split(".") if is_package else module.split(".")[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join([*anchor, base] if base else anchor)
    out = []
    for alias in node.names:
        candidate = f"{base}.{alias.name}"
        out.append(candidate if candidate in MODULES else base)
    return out


def imports_of(module: str, *, eager_only: bool) -> set[str]:
    """Modules ``module`` imports: at import time only (``eager_only``), or anywhere in the file."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                found.update(_resolve(module, node, is_package))
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if not eager_only:
                    visit(node.body)
            elif isinstance(node, ast.If) and _is_type_checking(node.test):
                continue  # never runs
            else:
                for field in ("body", "orelse", "finalbody", "handlers"):
                    visit([n for n in getattr(node, field, []) if isinstance(n, ast.AST)])
                if isinstance(node, ast.ExceptHandler):
                    visit(node.body)

    visit(tree.body)
    return found


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def package_of(module: str) -> str | None:
    """The top-level package a module belongs to (``tuitrain.runs.reader`` → ``runs``); None at the top."""
    if module in TOP_LEVEL_MODULES:
        return None
    return module.split(".")[1]


def core_modules() -> list[str]:
    return [m for m in MODULES if package_of(m) not in (None, "ui")]


def table_breaches(module: str, imported: set[str]) -> list[str]:
    """The imports of ``module`` that its package's row of the import table does not allow."""
    package = package_of(module)
    if package is None:
        return []
    allowed = LOWER[package] | {package}
    bad = [d for d in imported if d.startswith("tuitrain.") and package_of(d) not in allowed and package_of(d)]
    if package != "ui":
        bad += [d for d in imported if _under(d, UI_LIBRARIES)]
    return sorted(bad)


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle in ``graph`` (as a path that returns to its start), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def dfs(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = dfs(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = dfs(node)
            if found:
                return found
    return None


def test_the_walker_sees_the_whole_package():
    assert {"tuitrain.preset", "tuitrain.preset.load", "tuitrain.model.build", "tuitrain.trainer.process",
            "tuitrain.catalogue.registry", "tuitrain.ui.app"} <= set(MODULES)
    assert "tuitrain.preset.load" in imports_of("tuitrain.preset", eager_only=True)
    assert {"tuitrain.data", "keras"} <= imports_of("tuitrain.model.prepare", eager_only=False)
    assert not {"tuitrain.data", "keras"} & imports_of("tuitrain.model.prepare", eager_only=True)


def test_find_cycle_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"a.b"}, "a.b": {"c"}, "c": {"a"}}) == ["a", "a.b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def import_graph(modules: list[str]) -> dict[str, set[str]]:
    """Module → the package modules it imports, at module level or inside functions alike (a lazy
    import inside a cycle still ties the parts).  A module importing its own package's __init__ (for
    a sibling) is not a cycle Python minds, and a package re-exporting its modules is the point of
    __init__: child → ancestor edges are dropped."""
    inside = set(modules)
    graph = {m: {d for d in imports_of(m, eager_only=False) if d in inside and d != m} for m in modules}
    return {m: {d for d in deps if not m.startswith(d + ".")} for m, deps in graph.items()}


def test_the_core_has_no_import_cycle():
    graph = import_graph(core_modules())
    assert find_cycle(graph) is None, f"import cycle: {' → '.join(find_cycle(graph) or [])}"


def test_the_ui_has_no_import_cycle():
    """Panes, screens and widgets talk upwards with messages, not by importing the pane or app that
    holds them (``TYPE_CHECKING`` imports for types are fine: they never run)."""
    graph = import_graph(list(MODULES))
    assert find_cycle(graph) is None, f"import cycle: {' → '.join(find_cycle(graph) or [])}"


def test_every_package_has_a_row_in_the_import_table():
    packages = {package_of(m) for m in MODULES} - {None}
    assert packages == set(LOWER), f"packages without a row: {sorted(packages - set(LOWER))}; rows without a package: {sorted(set(LOWER) - packages)}"


def test_only_the_top_modules_sit_outside_a_package():
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert loose == ["__init__.py", "__main__.py", "keras.py"]


@pytest.mark.parametrize("module", [m for m in MODULES if package_of(m) is not None])
def test_imports_follow_the_table(module):
    bad = table_breaches(module, imports_of(module, eager_only=False))
    assert not bad, f"{module} ({package_of(module)}) imports {bad}: allowed are {sorted(LOWER[package_of(module)])}"


def test_the_table_check_catches_a_breach():
    """A hand-made bad import: the run readers reaching up into the model, and the core drawing."""
    assert table_breaches("tuitrain.runs.reader", {"tuitrain.model.build"}) == ["tuitrain.model.build"]
    assert table_breaches("tuitrain.trainer.spawn", {"textual.app"}) == ["textual.app"]
    assert table_breaches("tuitrain.cli.main", {"tuitrain.ui.run_app"}) == ["tuitrain.ui.run_app"]
    assert table_breaches("tuitrain.ui.app", {"tuitrain.trainer.spawn", "textual.app"}) == []


@pytest.mark.parametrize("module", [m for m in MODULES if package_of(m) == "runs"])
def test_runs_never_imports_tensorflow_at_module_level(module):
    heavy = sorted(d for d in imports_of(module, eager_only=True) if _under(d, HEAVY_FOR_RUNS))
    assert not heavy, f"{module} imports {heavy} at module level: runs are read without TensorFlow"


def eager_closure(roots: tuple[str, ...]) -> dict[str, str]:
    """Every module loaded at import time from ``roots``, with the module that pulled it in."""
    seen: dict[str, str] = {r: r for r in roots}
    todo = list(roots)
    while todo:
        module = todo.pop()
        if module not in MODULES:
            continue
        targets = set(imports_of(module, eager_only=True))
        # Importing a.b.c runs a/__init__ and a/b/__init__ first.
        parts = module.split(".")
        targets |= {".".join(parts[:i]) for i in range(1, len(parts))}
        for dep in targets:
            if dep not in seen:
                seen[dep] = module
                todo.append(dep)
    return seen


def test_nothing_the_app_loads_before_painting_imports_tensorflow():
    closure = eager_closure(EAGER_ROOTS)
    heavy = {m: by for m, by in closure.items() if _under(m, HEAVY)}
    assert not heavy, (
        "module-level TensorFlow/Keras import on the app's start-up path (import it inside the function "
        f"that needs it): {', '.join(f'{by} imports {m}' for m, by in sorted(heavy.items()))}"
    )
    assert "tuitrain.preset.load" in closure and "tuitrain.ui.app" in closure


def test_docs_architecture_names_every_module():
    """docs/architecture.md lists every module with its job: a new module without a line there fails."""
    listed = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = sorted(str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py")
                     if p.name != "__init__.py" and f"`{p.relative_to(ROOT)}`" not in listed)
    assert not missing, f"modules without a line in docs/architecture.md: {missing}"
