"""`data_code`: the data pipeline of a preset as stand-alone Python (numpy / sklearn / keras only).

The generated `load_data()` returns the same (x_train, y_train, x_val, y_val) as `load_dataset`
because it is made of the same functions: generators, readers, split and ops are pasted in with
`inspect.getsource`, and called with the arguments load_dataset would use.
"""

from __future__ import annotations

import inspect
import textwrap
from pathlib import Path
from typing import Any, Callable

from tuitrain.data.loader import DEFAULT_VALIDATION_SPLIT, preprocess_steps, source_options
from tuitrain.data.sources import get_source
from tuitrain.data.split import count_classes, split_validation


def function_source(fn: Callable[..., Any]) -> str:
    """Source of a module-level function without its registration decorator."""
    lines = textwrap.dedent(inspect.getsource(fn)).splitlines()
    while lines and lines[0].startswith("@"):
        lines.pop(0)
    return "\n".join(lines)


def docstring_safe(text: str) -> str:
    """Preset text placed inside a generated docstring can neither close it nor escape from it,
    and holds no raw control character (a NUL would not compile, an escape would reach a terminal)."""
    from tuitrain.safetext import clean

    return clean(text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"'))


def data_code(data_spec: dict[str, Any], *, seed: int, base_dir: Path | str | None = None) -> str:
    """Python source defining `load_data() -> (x_train, y_train, x_val, y_val)`; raises DataError like load_dataset."""
    base_dir = Path(base_dir) if base_dir is not None else Path.cwd()
    kind, name, options = source_options(data_spec)
    steps = preprocess_steps(data_spec)
    source = get_source(kind).code(name, options, seed=seed, base_dir=base_dir)

    functions: list[Callable[..., Any]] = list(source.functions)
    body = list(source.lines)
    explicit = "validation_split" in data_spec
    fraction = float(data_spec["validation_split"]) if explicit else DEFAULT_VALIDATION_SPLIT
    split_line = f"x_train, y_train, x_val, y_val = split_validation(x, y, {fraction!r}, SEED + 1)"
    use_test = "x_train, y_train, x_val, y_val = x, y, x_test, y_test  # the source's own test split"
    if explicit or source.has_test is False:
        functions.append(split_validation)
        body.append(split_line)
    elif source.has_test:
        body.append(use_test)
    else:
        functions.append(split_validation)
        body += ["if x_test is not None:", f"    {use_test}", "else:", f"    {split_line}"]

    for fn, args, target in steps:
        call = "".join(f", {k}={v!r}" for k, v in args.items())
        if fn.__name__ == "one_hot" and args.get("num_classes") is None:
            call += ", num_classes=count_classes(y_train, y_val)"
            functions.append(count_classes)
        note = "  # statistics from the training data only" if fn.__name__ in ("standardize", "normalize") else ""
        body.append(f"step = {fn.__name__}({target}_train{call}){note}")
        body.append(f"{target}_train, {target}_val = step({target}_train), (None if {target}_val is None else step({target}_val))")
        functions.append(fn)
    body.append("return x_train, y_train, x_val, y_val")

    unique: list[Callable[..., Any]] = []
    for fn in functions:
        if fn not in unique:
            unique.append(fn)
    header = [
        f'"""Data pipeline of a tuitrain preset: source = {docstring_safe(repr(data_spec["source"]))}, seed {seed}.',
        "",
        "load_data() returns (x_train, y_train, x_val, y_val), the arrays tuitrain trains on.",
        '"""',
        "",
        "import numpy as np",
        *source.imports,
        "",
        f"SEED = {seed!r}",
    ]
    parts = ["\n".join(header)] + [function_source(fn) for fn in unique]
    parts.append(
        "def load_data():\n"
        '    """(x_train, y_train, x_val, y_val); x_val/y_val are None without validation data."""\n'
        + textwrap.indent("\n".join(body), "    ")
    )
    return "\n\n\n".join(parts) + "\n"
