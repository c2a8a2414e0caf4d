"""Writing a preset: edits merged into the text it came from (tomlkit), saved atomically.

The user's comments and key order survive an edit in the app; a file that would not read
back is never written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tuitrain.common.errors import SpecError
from tuitrain.common.fsutil import atomic_write_text
from tuitrain.preset.load import parse_preset
from tuitrain.preset.schema import Preset

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
    for key in ("name", "description", "seed", "outputs"):
        if key in data:
            doc[key] = data[key]
    for key in ("inputs", "data", "layers", "compile", "fit", "distribute", "sweep"):
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
            ) and key in ("data", "compile", "fit", "distribute", "sweep")
            if isinstance(container, tomlkit.TOMLDocument) and key in ("layers", "inputs"):
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
