"""Reading a preset: TOML text → checked Preset, every error with file, key path and line.

Only the document's structure is checked here (no TensorFlow import); whether a layer type,
an argument or an optimizer exists is decided by Keras itself in ``tuitrain.model``.
"""

from __future__ import annotations

import copy
import re
import tomllib
from pathlib import Path
from typing import Any

from tuitrain.common.errors import SpecError
from tuitrain.common.limits import check_depth, check_text_size, check_toml_nesting, read_preset_text
from tuitrain.preset.lines import line_of
from tuitrain.preset.numbers import check_numbers
from tuitrain.preset.overrides import apply_override
from tuitrain.preset.distribute import distribute_options
from tuitrain.preset.schema import COMPILE_KEYS, ENGINE_FIT_KEYS, FIT_KEYS, TOP_LEVEL_KEYS, Preset, layer_inputs
from tuitrain.common.suggest import did_you_mean
from tuitrain.preset.values import DEFAULT_INPUT, is_per_output, is_typed

def load_preset(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> Preset:
    """Read, parse, apply ``--set`` overrides, validate. Raises SpecError with file and key path."""
    path = Path(path)
    text = read_preset_text(path)  # bounded: a regular file of at most 1 MB, UTF-8
    return parse_preset(text, file=str(path), path=path, overrides=overrides)


def parse_preset(
    text: str,
    *,
    file: str = "<string>",
    path: Path | None = None,
    overrides: list[str] | tuple[str, ...] = (),
) -> Preset:
    check_text_size(text, file=file)
    check_toml_nesting(text, file=file)  # before the recursive parser sees it
    raw = _parse_toml(text, file)
    for override in overrides:
        apply_override(raw, override, file=file)
    try:
        check_depth(raw, file=file)  # dotted keys nest without brackets
        preset = validate(raw, file=file)
        check_numbers(raw, file=file)  # values Keras would misuse
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
                f"unknown key '{key}'.{did_you_mean(key, allowed)} Valid keys here: {', '.join(allowed)}.",
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
    if not is_typed(value):
        raise SpecError(f"a table for {what} needs a `type` key (e.g. type = \"...\")", file=file, path=path)
    _expect(value["type"], (str,), f"the name of {what}", file=file, path=f"{path}.type")


def validate(raw: dict[str, Any], *, file: str = "<string>") -> Preset:
    """Check the structure of a parsed preset and return a Preset. Keras-level checks come later."""
    from tuitrain.preset.heads import check_inputs_table, check_outputs_value

    _check_keys(raw, TOP_LEVEL_KEYS, file=file, prefix="")
    name = raw.get("name", Path(file).stem if file and not file.startswith("<") else "untitled")
    _expect(name, (str,), "a string", file=file, path="name")
    description = raw.get("description", "")
    _expect(description, (str,), "a string", file=file, path="description")
    seed = raw.get("seed", 0)
    _expect(seed, (int,), "an integer", file=file, path="seed")
    data = _check_data(raw.get("data"), file=file)
    input_tables = check_inputs_table(raw["inputs"], file=file) if "inputs" in raw else []
    outputs = check_outputs_value(raw["outputs"], file=file) if "outputs" in raw else []
    layers = _check_layers(raw.get("layers", []), input_tables, file=file)
    compile_ = _check_compile(raw.get("compile", {}), file=file)
    fit = _check_fit(raw.get("fit", {}), file=file)
    distribute = raw.get("distribute", {})
    distribute_options(distribute, file=file)  # unknown keys and bad values, with their key path
    sweep = raw.get("sweep", {})  # its keys and the search space are checked by tuitrain.sweep.config
    _expect(sweep, (dict,), "a table", file=file, path="sweep")
    from tuitrain.preset.phases import check_phases

    phases = check_phases(raw, file=file) if "phases" in raw else []
    return Preset(
        name=name,
        description=description,
        seed=seed,
        data=copy.deepcopy(data),
        layers=copy.deepcopy(layers),
        compile=copy.deepcopy(compile_),
        fit=copy.deepcopy(fit),
        inputs=copy.deepcopy(input_tables),
        outputs=list(outputs),
        distribute=copy.deepcopy(distribute),
        sweep=copy.deepcopy(sweep),
        phases=copy.deepcopy(phases),
    )


def _check_data(data: Any, *, file: str) -> dict[str, Any]:
    if data is None:
        raise SpecError("missing [data] table: a preset needs a data source (e.g. source = \"synthetic:spiral\")", file=file, path="data")
    _expect(data, (dict,), "a table", file=file, path="data")
    if "source" not in data:
        raise SpecError("missing key 'source' (e.g. source = \"synthetic:spiral\")", file=file, path="data.source")
    _expect(data["source"], (str,), "a string like \"synthetic:spiral\" or \"file:data.npz\"", file=file, path="data.source")
    return data


def _check_layers(layers: Any, input_tables: list[dict[str, Any]], *, file: str) -> list[dict[str, Any]]:
    """Each row a table with a `type`, string names, `inputs` naming declared inputs or earlier rows."""
    from tuitrain.preset.heads import input_names

    _expect(layers, (list,), "an array of [[layers]] tables", file=file, path="layers")
    for i, layer in enumerate(layers):
        path = f"layers[{i}]"
        _expect(layer, (dict,), "a table", file=file, path=path)
        if "reuse" in layer:
            _check_reuse_row(layer, file=file, path=path)
        elif "type" not in layer:
            raise SpecError("missing key 'type' (a Keras layer class name such as \"Dense\", or reuse = \"<earlier row>\")", file=file, path=path)
        else:
            _expect(layer["type"], (str,), "a Keras layer class name", file=file, path=f"{path}.type")
        if "call" in layer:
            _expect(layer["call"], (dict,), "a table of call arguments, e.g. { mask = \"m\" }", file=file, path=f"{path}.call")
        if "weights_file" in layer:
            _expect(layer["weights_file"], (str,), "a path to an .npy or .npz file", file=file, path=f"{path}.weights_file")
        if "inputs" in layer:
            inputs = layer["inputs"]
            if isinstance(inputs, str):
                inputs = [inputs]
            _expect(inputs, (list,), "a list of layer names", file=file, path=f"{path}.inputs")
            for j, ref in enumerate(inputs):
                _expect(ref, (str,), "a layer name", file=file, path=f"{path}.inputs[{j}]")
        if "name" in layer:
            _expect(layer["name"], (str,), "a string", file=file, path=f"{path}.name")
    _check_layer_names(layers, file=file, inputs=input_names(Preset(name="", inputs=input_tables)))
    return layers


def _check_compile(compile_: Any, *, file: str) -> dict[str, Any]:
    _expect(compile_, (dict,), "a table", file=file, path="compile")
    _check_keys(compile_, COMPILE_KEYS, file=file, prefix="compile")
    if "optimizer" in compile_:
        _check_typed_table(compile_["optimizer"], file=file, path="compile.optimizer", what="an optimizer")
    if "loss" in compile_:
        _check_loss(compile_["loss"], file=file)
    for key in ("metrics", "weighted_metrics"):
        if key in compile_:
            _check_metrics(compile_[key], f"compile.{key}", file=file)
    for key in ("run_eagerly", "jit_compile", "auto_scale_loss"):
        if key in compile_:
            _expect(compile_[key], (bool,), "true or false", file=file, path=f"compile.{key}")
    _check_positive_int(compile_, "steps_per_execution", file=file, prefix="compile")
    if "loss_weights" in compile_:
        _expect(compile_["loss_weights"], (list, dict), "a list or table of numbers", file=file, path="compile.loss_weights")
    return compile_


def _check_loss(loss: Any, *, file: str) -> None:
    if is_per_output(loss):  # one loss per output name
        for out, value in loss.items():
            _check_typed_table(value, file=file, path=f"compile.loss.{out}", what="a loss")
    elif isinstance(loss, (str, dict)):
        _check_typed_table(loss, file=file, path="compile.loss", what="a loss")
    else:
        _expect(loss, (list,), "a loss name, a table with `type`, a list of them, or a table keyed by output names", file=file, path="compile.loss")


def _check_metrics(value: Any, path: str, *, file: str) -> None:
    """A list of metrics, a list of lists (one per output), or a table of lists keyed by output names."""
    groups = value.items() if isinstance(value, dict) else [(None, value)]
    for out, metrics in groups:
        where = path + (f".{out}" if out is not None else "")
        _expect(metrics, (list,), "a list of metric names" + ("" if out else " (or a table of them keyed by output names)"), file=file, path=where)
        for j, metric in enumerate(metrics):
            if isinstance(metric, list) and out is None:
                for m, inner in enumerate(metric):
                    _check_typed_table(inner, file=file, path=f"{where}[{j}][{m}]", what="a metric")
            else:
                _check_typed_table(metric, file=file, path=f"{where}[{j}]", what="a metric")


def _check_fit(fit: Any, *, file: str) -> dict[str, Any]:
    _expect(fit, (dict,), "a table", file=file, path="fit")
    if "trusted" in fit:  # DESIGN §1.7: a preset never grants itself trust
        raise SpecError("a preset cannot trust itself: only the person running tuitrain can, for one command"
                        " (--trust on train/check/export/the app, or the app's confirmation before a run);"
                        " remove this key", file=file, path="fit.trusted")
    _check_keys(fit, FIT_KEYS + ENGINE_FIT_KEYS, file=file, prefix="fit")
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
    if "class_weight" in fit and fit["class_weight"] != "balanced":
        _expect(fit["class_weight"], (dict,), 'a table of class index = weight, or "balanced"', file=file, path="fit.class_weight")
    return fit


# Keys a `reuse` row may have: it calls an earlier row's layer again, so it has no constructor arguments.
REUSE_ROW_KEYS = ("reuse", "name", "inputs", "call")


def _check_reuse_row(layer: dict, *, file: str, path: str) -> None:
    _expect(layer["reuse"], (str,), "the name of an earlier layer row", file=file, path=f"{path}.reuse")
    for key in layer:
        if key not in REUSE_ROW_KEYS:
            raise SpecError(
                f"a reuse row calls the layer of '{layer['reuse']}' again with its weights and arguments, so it takes"
                f" no '{key}' (only {', '.join(REUSE_ROW_KEYS)})",
                file=file,
                path=f"{path}.{key}",
            )


def ref_name(ref: str) -> str:
    """The row a reference names: ``"encoder[1]"`` (a layer's second output) names ``encoder``."""
    match = re.fullmatch(r"(.+)\[(\d+)\]", ref)
    return match.group(1) if match else ref


def _check_layer_names(layers: list[dict], *, file: str, inputs: tuple[str, ...] | list[str] = (DEFAULT_INPUT,)) -> None:
    seen: dict[str, int] = {}
    for i, layer in enumerate(layers):
        target = layer.get("reuse")
        if isinstance(target, str) and target not in seen:
            raise SpecError(
                f"reuse = '{target}' names no earlier layer row.{did_you_mean(target, list(seen))}"
                f" Rows named before this one: {', '.join(seen) or 'none'}.",
                file=file,
                path=f"layers[{i}].reuse",
            )
        for j, ref in enumerate(layer_inputs(layer)):
            ref = ref_name(ref)
            if ref not in seen and ref not in inputs:
                known = [*inputs, *seen]
                raise SpecError(
                    f"refers to '{ref}', which is not the name of an earlier layer.{did_you_mean(ref, known)}"
                    f" Names available here: {', '.join(known)}.",
                    file=file,
                    path=f"layers[{i}].inputs[{j}]",
                )
        name = layer.get("name")
        if name is not None:
            if name in seen or name in inputs:
                raise SpecError(
                    f"the name '{name}' is already used by layers[{seen.get(name, '?')}]; names must be unique",
                    file=file,
                    path=f"layers[{i}].name",
                )
            seen[name] = i

