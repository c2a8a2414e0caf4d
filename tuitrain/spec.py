"""Presets: TOML files that describe one training job completely.

Parsing and structural validation live here (no TensorFlow import, so the app
can show a preset before TensorFlow has loaded). Whether a layer type, an
argument or an optimizer exists is decided by Keras itself in
``tuitrain.model``; this module only checks the shape of the document and
gives every error a file, a key path (``layers[2].units``) and a line.

Saving merges the in-memory preset into the text it came from with tomlkit,
so the user's comments and key order survive an edit in the app.
"""

from __future__ import annotations

import copy
import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tuitrain.errors import SpecError
from tuitrain.fsutil import atomic_write_text

PRESETS_DIR = Path(__file__).parent / "presets"
DEFAULT_PRESET = "spiral_mlp"

TOP_LEVEL_KEYS = ("name", "description", "seed", "data", "layers", "compile", "fit")
COMPILE_KEYS = (
    "optimizer",
    "loss",
    "metrics",
    "loss_weights",
    "weighted_metrics",
    "run_eagerly",
    "steps_per_execution",
    "jit_compile",
    "auto_scale_loss",
)
# Arguments of `model.fit` a preset may set; the data itself comes from [data].
FIT_KEYS = (
    "epochs",
    "batch_size",
    "shuffle",
    "callbacks",
    "class_weight",
    "initial_epoch",
    "steps_per_epoch",
    "validation_steps",
    "validation_batch_size",
    "validation_freq",
)


def _engine_fit_keys() -> tuple[str, ...]:
    """Keys under [fit] that the trainer (not `model.fit`) reads: checkpoints, TensorBoard…"""
    from tuitrain.engine.options import ENGINE_FIT_KEYS

    return tuple(ENGINE_FIT_KEYS)


@dataclass
class Preset:
    """One training job. ``layers`` etc. are plain dicts/lists as in the TOML file."""

    name: str
    description: str = ""
    seed: int = 0
    data: dict[str, Any] = field(default_factory=dict)
    layers: list[dict[str, Any]] = field(default_factory=list)
    compile: dict[str, Any] = field(default_factory=dict)
    fit: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    # The text the preset was read from: saving merges edits into it to keep comments.
    source_text: str | None = field(default=None, repr=False, compare=False)

    @property
    def base_dir(self) -> Path:
        """Directory that relative paths in the preset (data files) are resolved against."""
        return self.path.parent if self.path is not None else Path.cwd()

    @property
    def is_functional(self) -> bool:
        return any("inputs" in layer for layer in self.layers)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict in the canonical key order (the order a new file is written in)."""
        out: dict[str, Any] = {"name": self.name}
        if self.description:
            out["description"] = self.description
        out["seed"] = self.seed
        for key in ("data", "layers", "compile", "fit"):
            value = getattr(self, key)
            if value:
                out[key] = copy.deepcopy(value)
        return out

    def copy(self) -> "Preset":
        """A deep copy to edit; the original stays as it was (the app replaces, never mutates)."""
        return Preset(**{**self.to_dict(), "path": self.path, "source_text": self.source_text})


# ---------------------------------------------------------------------------
# Loading


def find_preset(name_or_path: str | Path) -> Path:
    """A path as given, else a bundled preset by name (``spiral_mlp``)."""
    candidate = Path(name_or_path).expanduser()
    if candidate.is_file():
        return candidate
    if candidate.suffix != ".toml" and candidate.with_suffix(".toml").is_file():
        return candidate.with_suffix(".toml")
    bundled = PRESETS_DIR / f"{Path(str(name_or_path)).stem}.toml"
    if bundled.is_file() and candidate.parent == Path("."):
        return bundled
    names = [name for name, _, _ in bundled_presets()]
    if candidate.suffix == ".toml" or candidate.parent != Path("."):
        raise SpecError(f"preset file not found: {candidate.resolve()}", file=str(name_or_path))
    hint = _suggest(str(name_or_path), names)
    raise SpecError(
        f"no preset file '{name_or_path}' (looked for {candidate.resolve()}) and no bundled preset of that name.{hint}"
        f" Bundled presets: {', '.join(names)}."
    )


def bundled_presets() -> list[tuple[str, Path, str]]:
    """(name, path, description) of every preset shipped with tuitrain, sorted by name."""
    out = []
    for path in sorted(PRESETS_DIR.glob("*.toml")):
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
            description = str(raw.get("description", ""))
        except (OSError, tomllib.TOMLDecodeError):
            description = "(unreadable)"
        out.append((path.stem, path, description))
    return out


def load_preset(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> Preset:
    """Read, parse, apply ``--set`` overrides, validate. Raises SpecError with file and key path."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(f"preset file not found: {path.resolve()}", file=str(path)) from None
    except IsADirectoryError:
        raise SpecError("is a directory, not a preset file", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as err:
        raise SpecError(f"cannot read the preset: {err}", file=str(path)) from None
    return parse_preset(text, file=str(path), path=path, overrides=overrides)


def parse_preset(
    text: str,
    *,
    file: str = "<string>",
    path: Path | None = None,
    overrides: list[str] | tuple[str, ...] = (),
) -> Preset:
    raw = _parse_toml(text, file)
    for override in overrides:
        apply_override(raw, override, file=file)
    try:
        preset = validate(raw, file=file)
    except SpecError as err:
        if err.line is None and err.path:
            err.located(line=line_of(text, err.path))
        raise
    preset.path = path
    preset.source_text = text
    return preset


def _parse_toml(text: str, file: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        message = str(err)
        match = re.search(r"\(at line (\d+), column (\d+)\)", message)
        line = column = None
        if match:
            line, column = int(match.group(1)), int(match.group(2))
            message = message[: match.start()].strip()
        raise SpecError(f"invalid TOML: {message}", file=file, line=line, column=column) from None


# ---------------------------------------------------------------------------
# Validation of the document's structure


def _suggest(word: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=3, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in choices}
        close = [lowered[m] for m in difflib.get_close_matches(word.lower(), list(lowered), n=3, cutoff=0.6)]
    return f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def _type_name(value: Any) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _expect(value: Any, types: tuple[type, ...], what: str, *, file: str, path: str) -> None:
    # bool is an int in Python, but `epochs = true` is a mistake worth naming.
    ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
    if not ok:
        raise SpecError(f"expected {what}, got {_type_name(value)} {value!r}", file=file, path=path)


def _check_keys(table: dict, allowed: tuple[str, ...], *, file: str, prefix: str) -> None:
    for key in table:
        if key not in allowed:
            path = f"{prefix}.{key}" if prefix else key
            raise SpecError(
                f"unknown key '{key}'.{_suggest(key, allowed)} Valid keys here: {', '.join(allowed)}.",
                file=file,
                path=path,
            )


def _check_positive_int(table: dict, key: str, *, file: str, prefix: str) -> None:
    if key not in table:
        return
    value = table[key]
    path = f"{prefix}.{key}"
    _expect(value, (int,), "a positive integer", file=file, path=path)
    if value <= 0:
        raise SpecError(f"expected a positive integer, got {value}", file=file, path=path)


def _check_typed_table(value: Any, *, file: str, path: str, what: str) -> None:
    """A value that names a Keras object: a bare string, or a table with `type`."""
    if isinstance(value, str):
        if not value.strip():
            raise SpecError(f"expected the name of {what}, got an empty string", file=file, path=path)
        return
    _expect(value, (str, dict), f"the name of {what} or a table with `type`", file=file, path=path)
    if "type" not in value:
        raise SpecError(f"a table for {what} needs a `type` key (e.g. type = \"...\")", file=file, path=path)
    _expect(value["type"], (str,), f"the name of {what}", file=file, path=f"{path}.type")


def validate(raw: dict[str, Any], *, file: str = "<string>") -> Preset:
    """Check the structure of a parsed preset and return a Preset. Keras-level checks come later."""
    _check_keys(raw, TOP_LEVEL_KEYS, file=file, prefix="")
    name = raw.get("name", Path(file).stem if file and not file.startswith("<") else "untitled")
    _expect(name, (str,), "a string", file=file, path="name")
    description = raw.get("description", "")
    _expect(description, (str,), "a string", file=file, path="description")
    seed = raw.get("seed", 0)
    _expect(seed, (int,), "an integer", file=file, path="seed")

    data = raw.get("data")
    if data is None:
        raise SpecError("missing [data] table: a preset needs a data source (e.g. source = \"synthetic:spiral\")", file=file, path="data")
    _expect(data, (dict,), "a table", file=file, path="data")
    if "source" not in data:
        raise SpecError("missing key 'source' (e.g. source = \"synthetic:spiral\")", file=file, path="data.source")
    _expect(data["source"], (str,), "a string like \"synthetic:spiral\" or \"file:data.npz\"", file=file, path="data.source")

    layers = raw.get("layers", [])
    _expect(layers, (list,), "an array of [[layers]] tables", file=file, path="layers")
    for i, layer in enumerate(layers):
        path = f"layers[{i}]"
        _expect(layer, (dict,), "a table", file=file, path=path)
        if "type" not in layer:
            raise SpecError("missing key 'type' (a Keras layer class name such as \"Dense\")", file=file, path=path)
        _expect(layer["type"], (str,), "a Keras layer class name", file=file, path=f"{path}.type")
        if "inputs" in layer:
            inputs = layer["inputs"]
            if isinstance(inputs, str):
                inputs = [inputs]
            _expect(inputs, (list,), "a list of layer names", file=file, path=f"{path}.inputs")
            for j, ref in enumerate(inputs):
                _expect(ref, (str,), "a layer name", file=file, path=f"{path}.inputs[{j}]")
        if "name" in layer:
            _expect(layer["name"], (str,), "a string", file=file, path=f"{path}.name")
    _check_layer_names(layers, file=file)

    compile_ = raw.get("compile", {})
    _expect(compile_, (dict,), "a table", file=file, path="compile")
    _check_keys(compile_, COMPILE_KEYS, file=file, prefix="compile")
    if "optimizer" in compile_:
        _check_typed_table(compile_["optimizer"], file=file, path="compile.optimizer", what="an optimizer")
    if "loss" in compile_:
        loss = compile_["loss"]
        if isinstance(loss, (str, dict)):
            _check_typed_table(loss, file=file, path="compile.loss", what="a loss")
        else:
            _expect(loss, (list,), "a loss name, a table with `type`, or a list of them", file=file, path="compile.loss")
    for key in ("metrics", "weighted_metrics"):
        if key in compile_:
            _expect(compile_[key], (list,), "a list of metric names", file=file, path=f"compile.{key}")
            for j, metric in enumerate(compile_[key]):
                _check_typed_table(metric, file=file, path=f"compile.{key}[{j}]", what="a metric")
    for key in ("run_eagerly", "jit_compile", "auto_scale_loss"):
        if key in compile_:
            _expect(compile_[key], (bool,), "true or false", file=file, path=f"compile.{key}")
    _check_positive_int(compile_, "steps_per_execution", file=file, prefix="compile")
    if "loss_weights" in compile_:
        _expect(compile_["loss_weights"], (list, dict), "a list or table of numbers", file=file, path="compile.loss_weights")

    fit = raw.get("fit", {})
    _expect(fit, (dict,), "a table", file=file, path="fit")
    _check_keys(fit, FIT_KEYS + _engine_fit_keys(), file=file, prefix="fit")
    for key in ("epochs", "batch_size", "steps_per_epoch", "validation_steps", "validation_batch_size"):
        _check_positive_int(fit, key, file=file, prefix="fit")
    if "shuffle" in fit:
        _expect(fit["shuffle"], (bool,), "true or false", file=file, path="fit.shuffle")
    if "initial_epoch" in fit:
        _expect(fit["initial_epoch"], (int,), "an integer", file=file, path="fit.initial_epoch")
    if "callbacks" in fit:
        _expect(fit["callbacks"], (list,), "a list of callback tables", file=file, path="fit.callbacks")
        for j, cb in enumerate(fit["callbacks"]):
            _check_typed_table(cb, file=file, path=f"fit.callbacks[{j}]", what="a Keras callback")

    return Preset(
        name=name,
        description=description,
        seed=seed,
        data=copy.deepcopy(data),
        layers=copy.deepcopy(layers),
        compile=copy.deepcopy(compile_),
        fit=copy.deepcopy(fit),
    )


def _check_layer_names(layers: list[dict], *, file: str) -> None:
    seen: dict[str, int] = {}
    for i, layer in enumerate(layers):
        for j, ref in enumerate(layer_inputs(layer)):
            if ref not in seen and ref != "input":
                known = ["input", *seen]
                raise SpecError(
                    f"refers to '{ref}', which is not the name of an earlier layer.{_suggest(ref, known)}"
                    f" Names available here: {', '.join(known)}.",
                    file=file,
                    path=f"layers[{i}].inputs[{j}]",
                )
        name = layer.get("name")
        if name is not None:
            if name in seen or name == "input":
                raise SpecError(
                    f"the name '{name}' is already used by layers[{seen.get(name, '?')}]; names must be unique",
                    file=file,
                    path=f"layers[{i}].name",
                )
            seen[name] = i


def layer_inputs(layer: dict[str, Any]) -> list:
    """A layer's ``inputs`` as a list: the preset may give one name or several."""
    value = layer.get("inputs", [])
    return value if isinstance(value, list) else [value]


# ---------------------------------------------------------------------------
# Overrides: --set a.b.0.c=value


_INDEX = re.compile(r"\[(\d+)\]")


def _split_key_path(key: str) -> list[str | int]:
    parts: list[str | int] = []
    for part in _INDEX.sub(r".\1", key).split("."):
        if part == "":
            continue
        parts.append(int(part) if part.isdigit() else part)
    return parts


def format_key_path(parts: list[str | int]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def parse_value(text: str) -> Any:
    """A TOML literal (``3e-4``, ``true``, ``[1, 2]``, ``{type = "Adam"}``); a bare word is a string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def apply_override(raw: dict[str, Any], assignment: str, *, file: str = "<string>") -> None:
    """Apply ``a.b.c=value`` to a parsed (not yet validated) preset, in place."""
    if "=" not in assignment:
        raise SpecError(f"--set expects KEY=VALUE, got '{assignment}'", file=file)
    key, _, value_text = assignment.partition("=")
    parts = _split_key_path(key.strip())
    if not parts:
        raise SpecError(f"--set needs a key before '=', got '{assignment}'", file=file)
    value = parse_value(value_text.strip())
    node: Any = raw
    for depth, part in enumerate(parts[:-1]):
        here = format_key_path(parts[: depth + 1])
        node = _step_into(node, part, parts, depth, file=file, here=here)
    last = parts[-1]
    where = format_key_path(parts)
    if isinstance(node, list):
        if not isinstance(last, int) or not -len(node) <= last < len(node):
            raise SpecError(f"--set {key}: no item {last} (the list has {len(node)} items)", file=file, path=where)
        node[last] = value
    elif isinstance(node, dict):
        if isinstance(last, int):
            raise SpecError(f"--set {key}: {format_key_path(parts[:-1])} is a table, not a list", file=file, path=where)
        if len(parts) == 1 and last not in TOP_LEVEL_KEYS:
            raise SpecError(f"--set {key}: no top-level key '{last}'.{_suggest(last, TOP_LEVEL_KEYS)}", file=file, path=where)
        node[last] = value
    else:
        raise SpecError(f"--set {key}: {format_key_path(parts[:-1])} is a value, not a table or list", file=file, path=where)


def _step_into(node: Any, part: str | int, parts: list, depth: int, *, file: str, here: str) -> Any:
    if isinstance(node, list):
        if not isinstance(part, int) or not -len(node) <= part < len(node):
            raise SpecError(f"--set: no item {part} (the list has {len(node)} items)", file=file, path=here)
        return node[part]
    if not isinstance(node, dict) or isinstance(part, int):
        raise SpecError("--set: this path does not exist in the preset", file=file, path=here)
    if part not in node:
        if depth == 0 and part in ("data", "compile", "fit"):
            node[part] = {}
        else:
            choices = [k for k in node]
            raise SpecError(
                f"--set: no key '{part}' here.{_suggest(part, choices)} Existing keys: {', '.join(choices) or '(none)'}.",
                file=file,
                path=here,
            )
    child = node[part]
    if isinstance(child, str) and depth + 1 < len(parts) and not isinstance(parts[depth + 1], int):
        # `optimizer = "adam"` then --set compile.optimizer.learning_rate=…: promote to a table.
        child = node[part] = {"type": child}
    return child


# ---------------------------------------------------------------------------
# Locating a key path in the text (for line numbers in messages)


_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+|\"[^\"]+\")\s*=")


def line_of(text: str, key_path: str) -> int | None:
    """Best-effort line number (1-based) of a key path such as ``layers[2].units``."""
    target = _split_key_path(key_path)
    counters: dict[str, int] = {}
    section: list[str | int] = []
    best: tuple[int, int] | None = None  # (matched parts, line)
    for lineno, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            name = [p.strip().strip('"') for p in header.group(2).split(".")]
            if header.group(1) == "[[":
                key = ".".join(name)
                counters[key] = counters.get(key, -1) + 1
                section = [*name, counters[key]]
            else:
                section = list(name)
            candidate = section
        else:
            key = _KEY.match(line)
            if not key:
                continue
            candidate = [*section, key.group(1).strip('"')]
        matched = 0
        for a, b in zip(candidate, target):
            if a != b:
                break
            matched += 1
        if matched == len(candidate) and matched and (best is None or matched > best[0]):
            best = (matched, lineno)
            if matched == len(target):
                break
    return best[1] if best else None


# ---------------------------------------------------------------------------
# Saving


def dumps_preset(preset: Preset, *, original_text: str | None = None) -> str:
    """TOML text of the preset; edits are merged into ``original_text`` so comments survive."""
    import tomlkit

    new = preset.to_dict()
    if original_text is None:
        original_text = preset.source_text
    if not original_text:
        return _fresh_document(new)
    doc = tomlkit.parse(original_text)
    _merge_table(doc, new)
    return tomlkit.dumps(doc)


def _fresh_document(data: dict[str, Any]) -> str:
    import tomlkit

    doc = tomlkit.document()
    for key in ("name", "description", "seed"):
        if key in data:
            doc[key] = data[key]
    for key in ("data", "layers", "compile", "fit"):
        if key not in data:
            continue
        doc.add(tomlkit.nl())
        doc[key] = _to_tomlkit(data[key], top=True)
    return tomlkit.dumps(doc)


def _to_tomlkit(value: Any, *, top: bool = False) -> Any:
    """Plain data → tomlkit items: top-level tables as [tables], lists of tables as [[arrays]]."""
    import tomlkit

    if isinstance(value, dict):
        table = tomlkit.table() if top else tomlkit.inline_table()
        for k, v in value.items():
            table[k] = _to_tomlkit(v)
        return table
    if isinstance(value, list) and top and value and all(isinstance(v, dict) for v in value):
        aot = tomlkit.aot()
        for item in value:
            table = tomlkit.table()
            for k, v in item.items():
                table[k] = _to_tomlkit(v)
            aot.append(table)
        return aot
    if isinstance(value, list):
        array = tomlkit.array()
        for item in value:
            array.append(_to_tomlkit(item))
        if len(value) > 3 or any(isinstance(v, dict) for v in value):
            array.multiline(True)
        return array
    return value


def _plain(item: Any) -> Any:
    return item.unwrap() if hasattr(item, "unwrap") else item


def _merge_table(container: Any, new: dict[str, Any]) -> None:
    """Make tomlkit ``container`` hold ``new``, touching only what changed."""
    import tomlkit
    from tomlkit.items import AoT, Table, InlineTable

    for key in [k for k in container.keys() if k not in new]:
        del container[key]
    for key, value in new.items():
        if key not in container:
            top = isinstance(value, dict) and not isinstance(container, InlineTable) and isinstance(
                container, (tomlkit.TOMLDocument, Table)
            ) and key in ("data", "compile", "fit")
            if isinstance(container, tomlkit.TOMLDocument) and key in ("layers",):
                container[key] = _to_tomlkit(value, top=True)
            else:
                container[key] = _to_tomlkit(value, top=top)
            continue
        old = container[key]
        if _plain(old) == value:
            continue
        if isinstance(old, (Table, InlineTable)) and isinstance(value, dict):
            _merge_table(old, value)
        elif isinstance(old, AoT) and isinstance(value, list) and all(isinstance(v, dict) for v in value):
            _merge_aot(container, key, old, value)
        else:
            container[key] = _to_tomlkit(value)


def _merge_aot(container: Any, key: str, old: Any, new: list[dict]) -> None:
    """Rebuild an array of tables, reusing the old tables (with their comments) that still fit."""
    import tomlkit

    old_tables = list(old.body)
    used: set[int] = set()
    chosen: list[Any] = []
    for index, value in enumerate(new):
        match = next((j for j, t in enumerate(old_tables) if j not in used and _plain(t) == value), None)
        if match is None and index < len(old_tables) and index not in used:
            if _plain(old_tables[index]).get("type") == value.get("type"):
                match = index
        if match is not None:
            used.add(match)
            table = old_tables[match]
            _merge_table(table, value)
        else:
            table = tomlkit.table()
            for k, v in value.items():
                table[k] = _to_tomlkit(v)
        chosen.append(table)
    if [id(t) for t in chosen] == [id(t) for t in old_tables]:
        return
    aot = tomlkit.aot()
    for table in chosen:
        aot.append(table)
    container[key] = aot


def save_preset(preset: Preset, path: str | Path | None = None) -> Path:
    """Write the preset atomically, keeping comments of the file already at ``path``."""
    target = Path(path) if path is not None else preset.path
    if target is None:
        raise SpecError("the preset has no file yet: choose a path to save it to")
    original = None
    if target.is_file():
        try:
            original = target.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            original = None
    elif preset.source_text:
        original = preset.source_text
    text = dumps_preset(preset, original_text=original)
    # Never write a file we could not read back.
    parse_preset(text, file=str(target))
    atomic_write_text(target, text)
    preset.path = target
    preset.source_text = text
    return target
