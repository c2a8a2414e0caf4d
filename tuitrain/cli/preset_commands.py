"""The core subcommands: `check`, `export` and `presets` (no UI, no training).

Each returns an exit status; user errors are raised as ``TuitrainError`` and printed by
``tuitrain.cli.main`` as one paragraph, never as a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tuitrain.common.errors import TuitrainError
from tuitrain.common.fsutil import atomic_write_text
from tuitrain.common.safetext import CleanWriter
from tuitrain.common.textfit import fit_table, hang, output_width, wrap, wrap_items
from tuitrain.cli.output import find_preset_noted
from tuitrain.preset import bundled_presets, load_preset, with_line

SUMMARY_WIDTH = 90  # Keras' summary as wide as this when the terminal allows (summary_text's default)
SUMMARY_MIN = 60  # narrower, it would wrap every cell
STATS_HEADER = ("tensor", "dtype", "shape", "min", "max", "mean", "std", "NaN", "Inf")


def tensor_table(stats: list[Any], width: int | None = None) -> str:
    """The data tensors as an aligned text table: ``TensorStats.as_row`` cells, as the app shows them.
    Within ``width`` long tensor names are shortened, then std and mean left out (NaN/Inf counts stay)."""
    rows = [STATS_HEADER] + [s.as_row() for s in stats]
    return fit_table(rows, width, right={3, 4, 5, 6, 7, 8}, plan=[("cut", 0, 12), ("drop", 6), ("drop", 5)])


def _unexpected(err: BaseException, what: str) -> TuitrainError:
    text = " ".join(str(err).split()) or type(err).__name__
    return TuitrainError(f"{what} failed unexpectedly: {type(err).__name__}: {text[:500]}")


def check_command(args: argparse.Namespace) -> int:
    """Validate a preset end to end: data tensors, model summary, parameter count, warnings."""
    from tuitrain.data import class_counts, describe
    from tuitrain.trainer.distribute import distribute_options
    from tuitrain.model import param_counts, summary_text
    from tuitrain.model.confine import is_trusted

    path, preset, checked = _load_and_prepare(args)
    ds = checked.dataset
    out = CleanWriter(sys.stdout)  # names, descriptions and Keras' summary come from the preset
    width = output_width(sys.stdout)

    def say(text: str = "", indent: str = "  ") -> None:  # free text: wrapped between words at the width
        print("\n".join(wrap(line, width, indent) for line in text.split("\n")), file=out)

    say(f"preset  {preset.name}  ({path})", indent=" " * 8)
    if preset.description:
        say(f"        {preset.description}", indent=" " * 8)
    classes = f", {ds.num_classes} classes" if ds.num_classes else ""
    say(f"data    {ds.source}: {ds.samples} train, {ds.val_samples} validation samples, {ds.task}{classes}",
        indent=" " * 8)
    print(file=out)
    print(tensor_table([describe(name, array) for name, array in ds.tensors().items()], width), file=out)
    if ds.task == "classification" and ds.y_train is not None and not isinstance(ds.y_train, list):
        counts = class_counts(ds.y_train)
        shown = [f"{k}: {v}" for k, v in list(counts.items())[:20]]
        more = [f"… ({len(counts)} classes)"] if len(counts) > 20 else []
        say("\n" + wrap_items("class counts (y_train): ", shown + more, width))
    print(file=out)
    print(summary_text(checked.model, SUMMARY_WIDTH if width is None else max(SUMMARY_MIN, min(SUMMARY_WIDTH, width))),
          file=out)
    total, trainable, non_trainable = param_counts(checked.model)
    say(f"\nparameters: {total:,} total, {trainable:,} trainable, {non_trainable:,} non-trainable")
    if preset.phases:
        from tuitrain.model.phases import phase_lines

        for line in phase_lines(checked.model, preset):
            say(line)
    precision = distribute_options(preset.distribute or None).mixed_precision
    if precision:
        say(f"precision: {precision}, built as `train` builds it (variables in float32, output layers "
            "compute in float32)")
    for i, layer in enumerate(preset.layers):
        if layer.get("adapt"):
            say(f"adapted: layers[{i}] {layer['type']} learned from {ds.samples:,} training samples before compiling")
    if len(checked.model.outputs) > 1:
        say(f"outputs: {', '.join(checked.model.output_names)}")
    if checked.warnings:
        say(f"\n{len(checked.warnings)} warning(s):")
        for warn in checked.warnings:
            say(f"  warning: {warn.path}: {warn.message}", indent="    ")
    if is_trusted(preset):
        say("\ntrusted (--trust, for this command only): this preset may write outside its run directory,"
            " read files outside its folders, reach the network and use callbacks that run functions.")
    if checked.writes:
        say("\nfiles its callbacks write:")
        for line in checked.writes:
            say(f"  {line}")
    if preset.sweep:
        _check_sweep(preset, say)
    say(f"\nok: {preset.name} is valid" + (" (with warnings)" if checked.warnings else ""))
    return 0


def _check_sweep(preset: Any, say: Any) -> None:
    """``[sweep]``: each swept value set on its own and checked as above (nothing trains)."""
    from tuitrain.sweep.check import check_sweep

    config = check_sweep(preset)
    tried = sum(len(d.extremes()) for d in config.space)
    say(f"\nsweep: {config.algorithm}, {config.max_trials} trials, objective {config.objective} "
        f"({'higher' if config.direction == 'max' else 'lower'} is better); {tried} swept values checked:")
    for dim in config.space:
        shown = ", ".join(repr(v) for v in dim.values) if dim.values else \
            f"{dim.low} … {dim.high}" + (f" step {dim.step}" if dim.step else "") + (f" ({dim.sampling})" if dim.sampling != "linear" else "")
        say(f"  {dim.path}: {shown}", indent="    ")


def _load_and_prepare(args: argparse.Namespace) -> tuple[Path, Any, Any]:
    """The preset with its overrides (``--trust`` trusts it for this command), checked end to end."""
    from tuitrain.trainer.distribute import distribute_options, output_layers_float32, precision_scope
    from tuitrain.trainer.fit_options import engine_options
    from tuitrain.model import prepare

    path = find_preset_noted(args.preset)
    preset = load_preset(path, getattr(args, "overrides", []) or [])
    if getattr(args, "trust", False):
        preset.trusted = True
    try:
        engine_options(preset.fit)  # the trainer's own [fit] keys, as `train` would check them
    except TuitrainError as err:
        raise with_line(err, preset, str(path)) from None
    options = distribute_options(preset.distribute or None, file=str(path))
    try:
        # Built as `train` builds it: under the preset's precision, output layers in float32.
        with precision_scope(options):
            return path, preset, prepare(output_layers_float32(preset, options))
    except TuitrainError:
        raise
    except Exception as err:  # Keras/TensorFlow raise many types; the user gets one paragraph.
        raise _unexpected(err, f"checking {path}") from None


def export_command(args: argparse.Namespace) -> int:
    """Write the stand-alone Keras script (stdout by default); checked by building it first."""
    from tuitrain.export.script import export_script

    _path, preset, checked = _load_and_prepare(args)  # export only what builds: the script would fail the same way
    script_dir = Path(args.output).parent if args.output else Path.cwd()
    script = export_script(preset, checked=checked, script_dir=script_dir, absolute_paths=getattr(args, "absolute_paths", False))
    if args.output:
        target = Path(args.output)
        atomic_write_text(target, script)
        print(wrap(f"wrote {target} ({preset.name}); run it with: python {target}", output_width(sys.stderr)),
              file=CleanWriter(sys.stderr))
    else:
        sys.stdout.write(script)
    return 0


def presets_command(args: argparse.Namespace) -> int:
    """List the bundled presets with their descriptions."""
    entries = bundled_presets()
    width = max((len(name) for name, _, _ in entries), default=0)
    columns = output_width(sys.stdout)
    for name, _path, description in entries:
        print(hang(name, description, columns, width))  # descriptions wrap beneath themselves
    print("\nopen one with `tuitrain NAME`, check it with `tuitrain check NAME`", file=sys.stderr)
    return 0
