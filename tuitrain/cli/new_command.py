"""``tuitrain new FILE [--data SOURCE]``: write a starter preset for some data.

The file is written atomically and never over an existing one unless ``--force`` is given.
Relative data paths on the command line are relative to the current folder; in the written
preset they are relative to the preset's folder, as every preset's are.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tuitrain.common.errors import TuitrainError
from tuitrain.common.textfit import hang, output_width, wrap

DEFAULT_SOURCE = "synthetic:spiral"


def _options(assignments: list[str]) -> dict[str, Any]:
    from tuitrain.preset import parse_override_value as parse_value

    out: dict[str, Any] = {}
    for item in assignments:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise TuitrainError(f"--option {item!r}: expected KEY=VALUE, e.g. --option samples=500 or --option target=\"label\".")
        out[key.strip()] = parse_value(value)
    return out


def list_sources(out=None) -> int:
    from tuitrain.starter.offline import offline_sources

    out = out or sys.stdout
    offers = offline_sources()
    width, columns = max(len(o.source) for o in offers), output_width(out)
    for offer in offers:
        label = offer.source + ("PATH" if offer.needs_path else "")
        print(hang(label, offer.summary, columns, width + 4), file=out)  # summaries wrap beneath themselves
    return 0


def new_command(args: argparse.Namespace) -> int:
    from tuitrain.common.fsutil import atomic_write_text
    from tuitrain.preset import dumps_preset, parse_preset
    from tuitrain.starter.infer import npy_labels_beside, preset_name, rebase_data_paths, starter_preset

    if getattr(args, "list", False):
        return list_sources()
    if not args.file:
        raise TuitrainError("tuitrain new needs a FILE to write (e.g. tuitrain new my.toml --data sklearn:digits); --list shows the data available offline.")
    target = Path(args.file).expanduser()
    if not target.suffix:
        target = target.with_suffix(".toml")
    if target.exists() and not args.force:
        raise TuitrainError(f"{target} already exists; choose another name or add --force to replace it.")
    if target.parent and not target.parent.is_dir():
        raise TuitrainError(f"no folder {target.parent.resolve()} to write {target.name} into.")
    source = args.data or DEFAULT_SOURCE
    if not args.data:
        print(f"no --data given: starting from {source} (tuitrain new --list shows what else is available offline)", file=sys.stderr)
    options = _options(getattr(args, "options", None) or [])
    here = Path.cwd()
    if source.startswith("file:") and source.lower().endswith(".npy") and "labels" not in options:
        beside = npy_labels_beside(Path(source[5:]).expanduser())  # relative to the current folder, as given
        if beside is not None:
            options["labels"] = str(beside)
            print(f"labels: {beside} (found beside {source[5:]}; --option labels=\"...\" chooses another)", file=sys.stderr)
    starter = starter_preset(source, options, name=preset_name(target.stem), base_dir=here)
    preset = starter.preset
    preset.data = rebase_data_paths(preset.data, here, target.parent)
    text = dumps_preset(preset, original_text=None)
    parse_preset(text, file=str(target))  # never write what would not load back
    atomic_write_text(target, text)
    width = output_width(sys.stdout)
    for line in (f"wrote {target}: {starter.profile.describe()}",
                 f"  model: {' → '.join(_layer_word(layer) for layer in preset.layers)}",
                 f"  loss: {preset.compile['loss']}, metrics: {', '.join(preset.compile['metrics'])}, "
                 f"optimizer: {preset.compile['optimizer']}",
                 f"next: tuitrain check {target}   ·   tuitrain train {target}   ·   edit it in the app: tuitrain {target}"):
        print(wrap(line, width, indent="    "))
    return 0


def _layer_word(layer: dict[str, Any]) -> str:
    main = next((layer[k] for k in ("units", "filters", "output_dim") if k in layer), None)
    return f"{layer['type']}({main})" if main is not None else str(layer["type"])
