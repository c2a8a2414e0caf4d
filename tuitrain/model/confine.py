"""Confinement: what a preset's Keras objects may write, and where.

A preset names Keras callbacks with their arguments. Some of those arguments are paths that
the callback writes to (``ModelCheckpoint(filepath)``, ``CSVLogger(filename)``,
``BackupAndRestore(backup_dir)`` — which *deletes* its folder when training ends —,
``TensorBoard(log_dir)``, …); some reach the network (``RemoteMonitor``); some take Python
functions (``LambdaCallback``), which a preset can only give as text; some layers read a file
(``TextVectorization(vocabulary = "words.txt")``). Unless the person trusts the preset for this
invocation (``--trust``, or the app's confirmation: a preset never trusts itself, DESIGN §1.7):

* every path argument, given or left at its Keras default, is resolved inside the run directory
  and refused if it leaves it (absolute, ``~``, ``..``, a symlink out), names the run directory
  itself or one of tuitrain's own files there;
* callbacks that reach the network or need Python functions are refused;
* every argument that reads a file (Keras' docstring says "path to a … file") names a regular
  file inside the preset's folder or the data's, of bounded size; never a URL, a device or a FIFO.

Which arguments are paths, URLs or functions is read from each class's signature (Keras itself):
a parameter named like a path (``*path*``, ``*file*``, ``*dir*``), one whose default is a URL,
one named like a hook (``on_*``, ``schedule``).
"""

from __future__ import annotations

import inspect
import os
import re
from pathlib import Path, PurePosixPath
from typing import Any

from tuitrain.common.errors import SpecError
from tuitrain.runs.layout import OWN_FILES  # what tuitrain keeps in a run directory: no callback may overwrite it

PATH_PARAM = re.compile(r"(path|file|dir)", re.IGNORECASE)
FUNCTION_PARAM = re.compile(r"^(on_\w+|schedule|function|fn|\w+_fn)$")
URL_DEFAULT = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
# A template field Keras fills in (ModelCheckpoint's "{epoch:02d}-{val_loss:.2f}.keras").
FIELD = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*(?::[^{}/\\]*)?\}")

# An argument Keras documents as "a string path to a text file" (the lookup layers' vocabulary).
READS_FILE_DOC = re.compile(r"\bpath to (?:a|the) (?:\w+ )?file\b", re.IGNORECASE)
RUN_DIR_WORD = "RUN_DIR"
TRUST_SWITCH = "only you can allow it, for one run: --trust, or the app's confirmation"
TRUST_HINT = f"a preset may only write inside its run directory ({TRUST_SWITCH})"



def _parameters(cls: type) -> dict[str, inspect.Parameter]:
    try:
        params = inspect.signature(cls.__init__).parameters
    except (TypeError, ValueError):
        return {}
    return {k: p for k, p in params.items() if k != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}


def path_parameters(cls: type) -> dict[str, Any]:
    """The path arguments of a Keras class with their defaults (``inspect.Parameter.empty`` when required)."""
    return {k: p.default for k, p in _parameters(cls).items()
            if PATH_PARAM.search(k) and not (isinstance(p.default, str) and URL_DEFAULT.match(p.default))}


def refusal(cls: type) -> str | None:
    """Why a preset may not use this class at all (network, Python functions), or None."""
    params = _parameters(cls)
    urls = [k for k, p in params.items() if isinstance(p.default, str) and URL_DEFAULT.match(p.default)]
    if urls:
        return f"{cls.__name__} sends data over the network ({urls[0]} = {params[urls[0]].default!r})"
    hooks = [k for k in params if FUNCTION_PARAM.match(k)]
    if hooks:
        return f"{cls.__name__} runs Python functions ({', '.join(hooks[:3])}{'…' if len(hooks) > 3 else ''}), which a preset cannot give"
    return None


def layer_refusal(cls: type) -> str | None:
    """Why a preset may not use this layer: it runs Python functions, or loads a model (code) from a file."""
    why = refusal(cls)
    if why:
        return why
    files = [k for k in _parameters(cls) if PATH_PARAM.search(k)]
    if files:
        return f"{cls.__name__} loads a saved model from a file ({files[0]}), which can run code"
    return None


def is_trusted(preset: Any) -> bool:
    """Trusted by the person for this invocation (``Preset.trusted``: ``--trust`` or the app's
    confirmation). Never read from the file: a ``trusted`` key there is an error."""
    return getattr(preset, "trusted", False) is True


def confine_path(value: Any, *, run_dir: Path | None, where: str) -> Path | PurePosixPath:
    """``value`` (a path a preset gave) resolved inside ``run_dir``; SpecError when it would leave it.

    Without ``run_dir`` (``tuitrain check``) the checks are lexical and the result is relative.
    """
    if not isinstance(value, str) or not value.strip():
        raise SpecError(f"expected a file name inside the run directory, got {value!r}", path=where)
    if "\0" in value or any(ord(c) < 32 for c in value):
        raise SpecError(f"{value!r} holds control characters; a file name cannot", path=where)
    if "{" in value or "}" in value:
        rest = FIELD.sub("x", value)
        if "{" in rest or "}" in rest:
            raise SpecError(f"{value!r}: only simple fields like {{epoch}} or {{val_loss:.2f}} may be filled in", path=where)
    else:
        rest = value
    text = rest.replace("\\", "/")
    pure = PurePosixPath(text)
    if text.startswith("~") or pure.is_absolute() or re.match(r"^[A-Za-z]:", text) or ".." in pure.parts:
        raise SpecError(f"{value!r} is outside the run directory; {TRUST_HINT}", path=where)
    parts = [p for p in pure.parts if p != "."]
    if not parts:
        raise SpecError(f"{value!r} is the run directory itself; give a folder inside it (e.g. \"backup\")", path=where)
    if parts[0] in OWN_FILES:
        raise SpecError(f"{value!r} is tuitrain's own {parts[0]} in the run directory; choose another name", path=where)
    if run_dir is None:
        return PurePosixPath(value)
    root = Path(run_dir).resolve()
    target = (root / value).resolve()  # follows symlinks already in the run directory
    probe = (root / text).resolve()
    for resolved in (target, probe):
        if resolved == root or root not in resolved.parents:
            raise SpecError(f"{value!r} leads outside the run directory (to {resolved}); {TRUST_HINT}", path=where)
    return root / value


def confine_args(cls: type, args: dict[str, Any], *, run_dir: Path | None, trusted: bool,
                 where: str) -> tuple[dict[str, Any], list[str]]:
    """Arguments for ``cls`` with every path inside the run directory, and notes of what it writes.

    Paths left at their Keras default (TensorBoard's ``"logs"``) are resolved too, so nothing
    lands in the current directory. A trusted preset keeps its paths; relative ones still start
    at the run directory.
    """
    if not trusted:
        why = refusal(cls)
        if why:
            raise SpecError(f"{why}; a preset may not do this unless trusted ({TRUST_SWITCH})", path=where)
    out = dict(args)
    notes: list[str] = []
    for name, default in path_parameters(cls).items():
        if name in args:
            value = args[name]
        elif isinstance(default, str):
            value = default
        else:
            continue  # required but missing (Keras says so) or None (off)
        here = f"{where}.{name}"
        if value is None:
            continue
        if trusted:
            if isinstance(value, str) and value and not os.path.isabs(os.path.expanduser(value)) and run_dir is not None:
                out[name] = str(Path(run_dir) / value)
            else:
                out[name] = os.path.expanduser(value) if isinstance(value, str) else value
            notes.append(f"{here}: writes {out.get(name, value)} (trusted: not confined to the run directory)")
            continue
        resolved = confine_path(value, run_dir=run_dir, where=here)
        out[name] = str(resolved)
        shown = resolved if run_dir is not None else f"{RUN_DIR_WORD}/{resolved}"
        notes.append(f"{here}: writes {shown}")
    return out, notes


def reads_file_parameters(cls: type) -> list[str]:
    """Arguments of ``cls`` that Keras reads a file from, by Keras' own docstring ("path to a text file")."""
    from tuitrain.catalogue.docs import arg_docs

    docs = arg_docs(cls)
    return [k for k in _parameters(cls) if READS_FILE_DOC.search(docs.get(k, ""))]


def read_roots(preset: Any) -> tuple[Path, ...]:
    """Folders a preset may read files from: its own, and its data file's (``file:``/``folder:``)."""
    roots = [Path(preset.base_dir).resolve()]
    source = (getattr(preset, "data", None) or {}).get("source")
    if isinstance(source, str) and source.split(":", 1)[0] in ("file", "folder") and ":" in source:
        data = (roots[0] / source.split(":", 1)[1]).resolve()
        roots.append(data if source.startswith("folder:") else data.parent)
    return tuple(dict.fromkeys(roots))


def confine_read(value: Any, *, roots: tuple[Path, ...], trusted: bool, where: str) -> Any:
    """A file a Keras argument would read: a regular file of bounded size inside ``roots``; its absolute path.

    Anything but a string (an inline vocabulary list) is returned as it is. A URL is refused unless
    trusted; a device, FIFO or folder always (reading one never ends, or blocks).
    """
    import stat

    from tuitrain.common import limits

    if not isinstance(value, str):
        return value
    if URL_DEFAULT.match(value.strip()):
        if trusted:
            return value
        raise SpecError(f"{value!r} is a URL: a preset may not reach the network ({TRUST_SWITCH})", path=where)
    base = roots[0] if roots else Path.cwd()
    target = (base / os.path.expanduser(value)).resolve()
    if not trusted and not any(target == r or r in target.parents for r in roots):
        shown = " or ".join(str(r) for r in roots)
        raise SpecError(f"{value!r} is outside the preset's folders ({shown}); a preset may only read files there"
                        f" ({TRUST_SWITCH})", path=where)
    try:
        info = os.stat(target)
    except OSError as err:
        raise SpecError(f"{value!r} cannot be read: {err.strerror or err}", path=where) from None
    if not stat.S_ISREG(info.st_mode):
        raise SpecError(f"{value!r} is not a regular file (a folder, device or FIFO); expected a text file", path=where)
    limit = limits.MAX_READ_FILE_BYTES
    if info.st_size > limit:
        raise SpecError(f"{value!r} is {limits.fmt_bytes(info.st_size)}, over the {limits.fmt_bytes(limit)} limit"
                        " for a file a layer reads", path=where)
    return str(target)


def confine_reads(cls: type, args: dict[str, Any], *, roots: tuple[Path, ...], trusted: bool,
                  where: str) -> dict[str, Any]:
    """``args`` with every file argument of ``cls`` checked by ``confine_read`` (absolute paths)."""
    out = dict(args)
    for name in reads_file_parameters(cls):
        if name in out:
            out[name] = confine_read(out[name], roots=roots, trusted=trusted, where=f"{where}.{name}")
    return out


def _reads_outside(value: Any, roots: tuple[Path, ...]) -> bool:
    if not isinstance(value, str):
        return False
    if URL_DEFAULT.match(value.strip()):
        return True
    target = (roots[0] / os.path.expanduser(value)).resolve()
    return not any(target == r or r in target.parents for r in roots)


def _layer_reaches(table: Any, where: str, roots: tuple[Path, ...], classes: dict[str, type]) -> list[str]:
    """What one layer table (and the layers nested in it) reads or runs that needs trust."""
    if isinstance(table, list):
        return [r for i, v in enumerate(table) for r in _layer_reaches(v, f"{where}[{i}]", roots, classes)]
    if not isinstance(table, dict):
        return []
    out: list[str] = []
    cls = classes.get(table.get("type")) if isinstance(table.get("type"), str) else None
    if cls is not None:
        why = layer_refusal(cls)
        if why:
            out.append(f"{where}: {why}")
        out += [f"{where}.{name}: reads {table[name]}" for name in reads_file_parameters(cls)
                if name in table and _reads_outside(table[name], roots)]
    if _reads_outside(table.get("weights_file"), roots):  # a row's initial weights (tuitrain.model.weights_file)
        out.append(f"{where}.weights_file: reads {table['weights_file']}")
    for key, value in table.items():
        if isinstance(value, (dict, list)):
            out += _layer_reaches(value, f"{where}.{key}", roots, classes)
    return out


def outside_reaches(preset: Any) -> list[str]:
    """Every place the preset would reach outside its run directory and folders, or run code, one line each
    (``fit.callbacks[0].backup_dir: writes /some/folder``): what the app lists before it asks for trust."""
    from tuitrain.catalogue import registry as keras_catalogue

    roots = read_roots(preset)
    out = _layer_reaches(list(preset.layers), "layers", roots, keras_catalogue.classes("layer"))
    callbacks = keras_catalogue.classes("callback")
    for i, table in enumerate((preset.fit or {}).get("callbacks") or []):
        where = f"fit.callbacks[{i}]"
        name = table.get("type") if isinstance(table, dict) else table
        cls = callbacks.get(name) if isinstance(name, str) else None
        if cls is None:
            continue
        why = refusal(cls)
        if why:
            out.append(f"{where}: {why}")
        args = table if isinstance(table, dict) else {}
        for param in path_parameters(cls):
            if param in args and args[param] is not None:
                try:
                    confine_path(args[param], run_dir=None, where=f"{where}.{param}")
                except SpecError:
                    out.append(f"{where}.{param}: writes {args[param]}")
    return out
