"""The direction of imports, read from the source with ``ast`` (nothing is imported).

The rules (see docs/architecture.md): the core (spec, data, model, the Keras catalogue and its
form fields, the engine) never imports Textual; spec, data and model never import the engine
package; the core has no import cycles (nor has the UI); and what the app loads before it paints
has no module-level TensorFlow/Keras import, so the window appears before TensorFlow has loaded.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tuitrain"

# The core: everything but the UI (and the tiny entry points that only dispatch).
NOT_CORE = ("tuitrain.ui", "tuitrain.undo", "tuitrain.playground")
NO_TEXTUAL = ("tuitrain.spec", "tuitrain.data", "tuitrain.model", "tuitrain.engine", "tuitrain.keras_catalogue",
              "tuitrain.keras_params", "tuitrain.keras_docs", "tuitrain.form_values", "tuitrain.suggest",
              "tuitrain.errors")
NO_ENGINE = ("tuitrain.spec", "tuitrain.data", "tuitrain.model", "tuitrain.keras_catalogue", "tuitrain.keras_params")
# What the app and the CLI import before the first paint (their module-level import closure
# must not contain TensorFlow or Keras).
EAGER_ROOTS = ("tuitrain.cli", "tuitrain.ui.app", "tuitrain.engine", "tuitrain.spec", "tuitrain.data")
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


def core_modules() -> list[str]:
    return [m for m in MODULES if not _under(m, NOT_CORE)]


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
    assert {"tuitrain.spec", "tuitrain.spec.load", "tuitrain.model.build", "tuitrain.engine.trainer",
            "tuitrain.keras_catalogue", "tuitrain.ui.app"} <= set(MODULES)
    assert "tuitrain.spec.load" in imports_of("tuitrain.spec", eager_only=True)
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


@pytest.mark.parametrize("module", [m for m in MODULES if _under(m, NO_TEXTUAL)])
def test_the_core_never_imports_textual(module):
    bad = sorted(d for d in imports_of(module, eager_only=False) if _under(d, ("textual", "rich.console")))
    assert not bad, f"{module} imports {bad}: the core must run without the UI"


@pytest.mark.parametrize("module", [m for m in MODULES if _under(m, NO_ENGINE)])
def test_spec_data_and_model_never_import_the_engine(module):
    bad = sorted(d for d in imports_of(module, eager_only=False) if _under(d, ("tuitrain.engine",)))
    assert not bad, f"{module} imports {bad}: the engine depends on the core, not the other way round"


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
    assert "tuitrain.spec.load" in closure and "tuitrain.ui.app" in closure
