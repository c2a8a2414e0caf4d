"""`data_code`: the data pipeline of a preset as stand-alone Python (numpy / sklearn / keras only).

The generated `load_data()` returns the same (x_train, y_train, x_val, y_val) as `load_dataset`
because it is made of the same functions: generators, readers, split and ops are pasted in with
`inspect.getsource`, and called with the arguments load_dataset would use.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from pathlib import Path
from dataclasses import dataclass
from typing import Any, Callable

from tuitrain.data.loader import DEFAULT_VALIDATION_SPLIT, array_names, preprocess_steps, source_options
from tuitrain.data.sources import get_source
from tuitrain.data.split import count_classes, split_validation
from tuitrain.common.pycode import py


def function_source(fn: Callable[..., Any]) -> str:
    """Source of a module-level function without its registration decorator."""
    lines = textwrap.dedent(inspect.getsource(fn)).splitlines()
    while lines and lines[0].startswith("@"):
        lines.pop(0)
    return "\n".join(lines)


def docstring_safe(text: str) -> str:
    """Preset text placed inside a generated docstring can neither close it nor escape from it,
    and holds no raw control character (a NUL would not compile, an escape would reach a terminal)."""
    from tuitrain.common.safetext import clean

    return clean(text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"'))


@dataclass
class DataCode:
    """The data part of an exported script: imports (merged into the script's one header), pasted
    functions and `load_data()`; `uses_paths` when the code reads files through DATA_DIR."""

    imports: list[str]
    functions: list[str]
    load_data: str
    uses_paths: bool
    weights: bool  # load_data() also returns (sample_weight, sample_weight_val)


def data_parts(data_spec: dict[str, Any], *, seed: int, base_dir: Path | str | None = None) -> DataCode:
    """The pieces of `load_data()`; raises DataError like load_dataset."""
    base_dir = Path(base_dir) if base_dir is not None else Path.cwd()
    kind, name, options = source_options(data_spec)
    steps = preprocess_steps(data_spec)
    source = get_source(kind).code(name, options, seed=seed, base_dir=base_dir)
    x_names = array_names(data_spec, "x_key") or source.x_names
    y_names = array_names(data_spec, "y_key") or source.y_names
    weights = data_spec.get("sample_weight_key") is not None

    functions: list[Callable[..., Any]] = list(source.functions)
    body = list(source.lines)
    if not any("sample_weight" in line for line in body):
        body.append("sample_weight = None")
    explicit = "validation_split" in data_spec
    fraction = float(data_spec["validation_split"]) if explicit else DEFAULT_VALIDATION_SPLIT
    split_lines = [f"x_train, y_train, x_val, y_val = split_validation(x, y, {fraction!r}, SEED + 1)"]
    if weights:
        split_lines.append(f"w_train, _, w_val, _ = split_validation(sample_weight, None, {fraction!r}, SEED + 1)")
    use_test = ["x_train, y_train, x_val, y_val = x, y, x_test, y_test  # the source's own test split"]
    if weights:
        use_test.append("w_train, w_val = sample_weight, None")
    if explicit or source.has_test is False:
        functions.append(split_validation)
        body += split_lines
    elif source.has_test:
        body += use_test
    else:
        functions.append(split_validation)
        body += ["if x_test is not None:", *("    " + line for line in use_test), "else:", *("    " + line for line in split_lines)]

    names = {"x": x_names, "y": y_names}
    for fn, args, target, key in steps:
        call = "".join(f", {k}={py(v)}" for k, v in args.items())
        part = target if key is None else f"{target}_{names[target].index(key)}"
        if key is not None:
            index = names[target].index(key)
            body.append(f"{part}_train, {part}_val = {target}_train[{index}], (None if {target}_val is None else {target}_val[{index}])")
        if fn.__name__ == "one_hot" and args.get("num_classes") is None:
            call += f", num_classes=count_classes({part}_train, {part}_val)"
            functions.append(count_classes)
        note = "  # statistics from the training data only" if fn.__name__ in ("standardize", "normalize") else ""
        body.append(f"step = {fn.__name__}({part}_train{call}){note}")
        body.append(f"{part}_train, {part}_val = step({part}_train), (None if {part}_val is None else step({part}_val))")
        if key is not None:
            index = names[target].index(key)
            body.append(f"{target}_train[{index}] = {part}_train")
            body.append(f"if {target}_val is not None:")
            body.append(f"    {target}_val[{index}] = {part}_val")
        functions.append(fn)
    body.append("return x_train, y_train, x_val, y_val" + (", w_train, w_val" if weights else ""))
    body = _drop_unused(body)

    unique: list[Callable[..., Any]] = []
    for fn in functions:
        if fn not in unique:
            unique.append(fn)
    returns = "(x_train, y_train, x_val, y_val" + (", sample weights of both" if weights else "") + ")"
    load_data = (
        "def load_data():\n"
        f'    """{returns}; x_val/y_val are None without validation data."""\n'
        + textwrap.indent("\n".join(body), "    ")
    )
    imports = ["import numpy as np", *source.imports]
    if source.uses_paths:
        imports.insert(0, "from pathlib import Path")
    return DataCode(imports, [function_source(fn) for fn in unique], load_data, source.uses_paths, weights)


_NONE_ASSIGNMENT = re.compile(r"^(\w+)( = \w+)* = None$")


def _drop_unused(body: list[str]) -> list[str]:
    """`x_test = y_test = None` keeps only the names a later line reads (no unused variables in the script)."""
    out = []
    for index, line in enumerate(body):
        if line.startswith(" ") or not _NONE_ASSIGNMENT.match(line):
            out.append(line)
            continue
        later = "\n".join(body[index + 1:])
        names = [n for n in line[: -len(" = None")].split(" = ") if re.search(rf"\b{n}\b", later)]
        if names:
            out.append(" = ".join(names) + " = None")
    return out


def data_code(data_spec: dict[str, Any], *, seed: int, base_dir: Path | str | None = None) -> str:
    """A stand-alone module defining `load_data() -> (x_train, y_train, x_val, y_val)`; raises DataError like load_dataset."""
    base_dir = Path(base_dir) if base_dir is not None else Path.cwd()
    parts = data_parts(data_spec, seed=seed, base_dir=base_dir)
    header = [
        f'"""Data pipeline of a tuitrain preset: source = {docstring_safe(repr(data_spec["source"]))}, seed {seed}.',
        "",
        "load_data() returns (x_train, y_train, x_val, y_val), the arrays tuitrain trains on.",
        '"""',
        "",
        *sorted_imports(parts.imports),
        "",
        f"SEED = {seed!r}",
    ]
    if parts.uses_paths:
        header.append(f"DATA_DIR = Path({py(str(base_dir.resolve()))})")
    return "\n\n\n".join(["\n".join(header), *parts.functions, parts.load_data]) + "\n"


def sorted_imports(lines: list[str]) -> list[str]:
    """Imports as isort/ruff order them: standard library first, then `import x` before `from x`."""
    stdlib = {"argparse", "os", "sys", "pathlib", "json", "math"}

    def key(line: str) -> tuple:
        module = line.split()[1].split(".")[0]
        return (module not in stdlib, line.startswith("from"), line.split()[1])

    unique = list(dict.fromkeys(lines))
    first = [line for line in unique if line.split()[1].split(".")[0] in stdlib]
    rest = [line for line in unique if line not in first]
    out = sorted(first, key=key)
    if first and rest:
        out.append("")
    return out + sorted(rest, key=key)
