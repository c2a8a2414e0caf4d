"""`tuitrain export`: a preset as a stand-alone, readable Keras script.

The script is what a user would have written by hand after a Keras tutorial: one header (docstring,
imports, constants), a ``load_data()`` (from ``tuitrain.export.data_code``), a ``build_model()`` with one
line per layer as a person writes it (``keras.layers.Dense(8, activation="relu", name="wide")``),
``compile`` and ``fit``. It never imports tuitrain. Data paths are relative to the script (``DATA_DIR``)
unless absolute ones are asked for. Values are written from the parsed TOML data (strings, numbers,
lists, tables), so the generated text cannot smuggle code in from a preset; class and argument names
must be identifiers.
"""

from __future__ import annotations

import os
import re
import textwrap
from pathlib import Path
from typing import Any

from tuitrain.export.data_code import data_parts, docstring_safe, sorted_imports
from tuitrain.model.build import keras_model_name
from tuitrain.preset.heads import input_decls, output_names
from tuitrain.export.layer_code import (
    LOAD_WEIGHTS,
    GraphCode,
    layer_call as _layer_call,
    name as _name,
    plain_stack,
    reused_names,
    uses_weights_files,
    value as _value,
    var as _var,
)
from tuitrain.common.pycode import Code, atom, call, literal
from tuitrain.preset import Preset
from tuitrain.preset.values import DEFAULT_INPUT, is_per_output, optimizer_value



def _shape(shape: tuple) -> Code:
    return literal(tuple(None if d is None else int(d) for d in shape))


def _inputs(preset: Preset, model: Any) -> list[tuple[str, tuple, str | None]]:
    """(name, shape, dtype to write or None) per model input, from the built model."""
    decls = input_decls(preset)
    out = []
    for decl, tensor in zip(decls, model.inputs):
        dtype = decl.dtype or ("string" if "string" in str(tensor.dtype) else None)
        out.append((decl.name, tuple(tensor.shape[1:]), dtype))
    return out


def model_code(preset: Preset, model: Any) -> str:
    """`build_model(x_train=None)`: Sequential for a plain stack, Functional otherwise; shapes from the built model."""
    adapting = [i for i, layer in enumerate(preset.layers) if layer.get("adapt")]
    lines = [
        "def build_model(x_train=None):",
        f'    """The model of preset {docstring_safe(repr(preset.name))}'
        + ("; adapts its preprocessing layers to x_train when given." if adapting else ".") + '"""',
    ]
    model_name = literal(keras_model_name(preset.name))
    inputs = _inputs(preset, model)
    several = len(inputs) > 1 or len(model.outputs) > 1 or output_names(preset)
    if plain_stack(preset) and not several:
        _, shape, dtype = inputs[0]
        items = [call("keras.Input", [], [("shape", _shape(shape))] + ([("dtype", literal(dtype))] if dtype else []))]
        items += [_layer_call(layer, where=f"layers[{i}]", first=i == 0) for i, layer in enumerate(preset.layers)]
        # The layer list takes one line per layer, as a person lays out a Sequential model.
        lines += ["    model = keras.Sequential(", "        ["]
        for item in items:
            lines += item.lines(12, suffix=",")
        lines += ["        ],", f"        name={model_name.flat()},", "    )", "    return model"]
        return "\n".join(lines) + "\n"

    used: set[str] = {"keras", "model", "x_train", "np"}
    tensors: dict[str, str] = {}
    input_vars = []
    for index, (name, shape, dtype) in enumerate(inputs):
        var = _var("inputs" if name == DEFAULT_INPUT else name, used)
        keywords = [("shape", _shape(shape))]
        if dtype:
            keywords.append(("dtype", literal(dtype)))
        if name != DEFAULT_INPUT or len(inputs) > 1:
            keywords.append(("name", literal(name)))
        lines += call("keras.Input", [], keywords).lines(4, prefix=f"{var} = ")
        tensors[name] = var
        input_vars.append(var)
    graph = GraphCode(preset, used, input_vars, tensors=tensors, previous=input_vars[0])
    reused = reused_names(preset)
    for i, layer in enumerate(preset.layers):
        lines += graph.row_lines(i, layer, reused, lambda arg: _feed(arg, input_vars))
    previous = graph.previous
    heads = [tensors[n] for n in output_names(preset)] if output_names(preset) else [previous]
    inputs_code = input_vars[0] if len(input_vars) == 1 else "[" + ", ".join(input_vars) + "]"
    outputs_code = heads[0] if len(heads) == 1 else "[" + ", ".join(heads) + "]"
    lines += call("keras.Model", [], [("inputs", atom(inputs_code)), ("outputs", atom(outputs_code)), ("name", model_name)]).lines(
        4, prefix="return "
    )
    return "\n".join(lines) + "\n"


def _feed(tensor_var: str, input_vars: list[str]) -> str:
    """The training data that reaches a layer: an input's array, or what the layers before it compute."""
    if tensor_var in input_vars:
        return "x_train" if len(input_vars) == 1 else f"x_train[{input_vars.index(tensor_var)}]"
    inputs = input_vars[0] if len(input_vars) == 1 else "[" + ", ".join(input_vars) + "]"
    return f"keras.Model({inputs}, {tensor_var}).predict(x_train, verbose=0)"


def _optimizer(value: Any) -> Code:
    """The optimizer as a constructor call of the class Keras resolved (`adam` → `Adam`)."""
    from tuitrain.model import make_optimizer

    if isinstance(value, str):
        return literal(value)
    cls_name = type(make_optimizer(value)).__name__
    args = [(_name(k, where=f"compile.optimizer.{k}"), _value(k, v, where=f"compile.optimizer.{k}")) for k, v in value.items() if k != "type"]
    return call(f"keras.optimizers.{cls_name}", [], args)


def _typed(module: str, value: Any, *, where: str) -> Code:
    """A bare name stays a string (Keras resolves it); a table with `type` becomes a constructor call."""
    if isinstance(value, str):
        return literal(value)
    cls = _name(value["type"], where=f"{where}.type")
    args = [(_name(k, where=f"{where}.{k}"), _value(k, v, where=f"{where}.{k}")) for k, v in value.items() if k != "type"]
    return call(f"keras.{module}.{cls}", [], args)


def _per_output(module: str, value: Any, *, where: str, nested: bool = False) -> Code:
    """A compile value that may be a table keyed by output names, a list, or one value."""
    if is_per_output(value):
        parts = [
            Code(literal(k).flat() + ": " + (v := _per_output(module, val, where=f"{where}.{k}", nested=True)).head, v.parts, v.tail)
            for k, val in value.items()
        ]
        return Code("{", parts, "}")
    if isinstance(value, list):
        return Code("[", [_per_output(module, v, where=f"{where}[{i}]", nested=True) for i, v in enumerate(value)], "]")
    if module == "plain":
        return literal(value)
    return _typed(module, value, where=where)


def compile_code(preset: Preset, spec: dict[str, Any] | None = None) -> list[str]:
    """``model.compile`` of ``[compile]`` (or of ``spec``: a phase's, with its learning rate)."""
    from tuitrain.model import PLAIN_COMPILE_KEYS

    spec = preset.compile if spec is None else spec
    keywords = [("optimizer", _optimizer(optimizer_value(spec)))]
    if "loss" in spec:
        keywords.append(("loss", _per_output("losses", spec["loss"], where="compile.loss")))
    for key in ("metrics", "weighted_metrics"):
        if key in spec:
            keywords.append((key, _per_output("metrics", spec[key], where=f"compile.{key}")))
    for key in PLAIN_COMPILE_KEYS:
        if key in spec:
            keywords.append((key, literal(spec[key])))
    return _explode(call("model.compile", [], keywords), 4)


def _explode(code: Code, indent: int, prefix: str = "") -> list[str]:
    """A call laid out one argument per line (as compile/fit calls are written), nested values fitted."""
    pad = " " * indent
    out = [pad + prefix + code.head]
    for part in code.parts:
        out += (part if isinstance(part, Code) else atom(part)).lines(indent + 4, suffix=",")
    out.append(pad + code.tail)
    return out


def fit_code(preset: Preset, checked: Any, *, epochs: str = "args.epochs", initial_epoch: int | None = None) -> list[str]:
    """``model.fit``; a phase passes its own ``epochs`` and ``initial_epoch`` (epochs count on)."""
    from tuitrain.model import fit_kwargs

    weights = checked.dataset.sample_weight is not None
    validation = "(x_val, y_val, w_val)" if weights else "(x_val, y_val)"
    keywords: list[tuple[str, Code]] = [
        ("validation_data", atom(f"None if x_val is None else {validation}")),
    ]
    for key, value in fit_kwargs(preset.fit, checked.dataset).items():
        if key == "epochs":
            continue
        if key == "class_weight":
            keywords.append((key, literal({int(k): float(v) for k, v in value.items()})))
        else:
            keywords.append((key, literal(value)))
    if weights:
        keywords.append(("sample_weight", atom("w_train")))
    if initial_epoch:
        keywords.append(("initial_epoch", literal(initial_epoch)))
    keywords.append(("epochs", atom(epochs)))
    callbacks = [_typed("callbacks", cb, where=f"fit.callbacks[{i}]") for i, cb in enumerate(preset.fit.get("callbacks", []))]
    if callbacks:
        keywords.append(("callbacks", Code("[", callbacks, "]")))
    return _explode(call("model.fit", [atom("x_train"), atom("y_train")], keywords), 4)


def distribute_code(preset: Preset) -> tuple[str, str]:
    """The ``[distribute]`` table as code: set-up lines at the start of ``main()``, and the strategy's
    ``with`` line to build and compile under (both empty without the table)."""
    from tuitrain.preset.distribute import distribute_options

    options = distribute_options(preset.distribute or None)
    setup = []
    if options.memory_growth:
        setup += ['    for gpu in tf.config.list_physical_devices("GPU"):  # take GPU memory as needed',
                  "        tf.config.experimental.set_memory_growth(gpu, True)"]
    if options.mixed_precision:
        setup.append(f"    keras.mixed_precision.set_global_policy({literal(options.mixed_precision).flat()})  # before building")
    devices = [f"/{d.lower()}" for d in options.devices]
    if options.strategy == "mirrored":
        setup.append(f"    strategy = tf.distribute.MirroredStrategy({'devices=' + literal(devices).flat() if devices else ''})"
                     "  # batch_size is the global batch")
    elif options.strategy == "one_device":
        setup.append(f"    strategy = tf.distribute.OneDeviceStrategy({literal((devices or ['/gpu:0'])[0]).flat()})")
    elif options.strategy == "multi_worker":
        setup.append("    strategy = tf.distribute.MultiWorkerMirroredStrategy()  # reads TF_CONFIG")
    scope = "    with strategy.scope():\n" if options.strategy != "default" else ""
    return ("\n".join(setup) + "\n" if setup else ""), scope


def export_script(
    preset: Preset,
    *,
    checked: Any = None,
    script_dir: str | os.PathLike | None = None,
    absolute_paths: bool = False,
) -> str:
    """The whole stand-alone script for ``preset`` (`checked`: the result of model.prepare, built if not given)."""
    from tuitrain.model import prepare
    from tuitrain.preset.distribute import distribute_options, output_layers_float32

    setup, scope = distribute_code(preset)
    # Under mixed precision the output layers compute in float32, as in the trainer.
    preset = output_layers_float32(preset, distribute_options(preset.distribute or None))

    if checked is None:
        checked = prepare(preset)
    data = data_parts(preset.data, seed=preset.seed, base_dir=preset.base_dir)
    text_inputs = any(dtype == "string" for *_, dtype in _inputs(preset, checked.model))
    script_name = re.sub(r"\W", "_", preset.name)
    weights_files = uses_weights_files(preset)
    imports = ["import argparse", "import keras", *data.imports]
    if weights_files:
        imports += ["import numpy as np", "from pathlib import Path"]
    if text_inputs or setup:
        imports.append("import tensorflow as tf")
    header = [
        "#!/usr/bin/env python3",
        *textwrap.wrap(f'"""{docstring_safe(preset.name)}: {docstring_safe(preset.description or "a Keras model")}', 100),
        "",
        f"Exported by `tuitrain export` from {docstring_safe(preset.path.name) if preset.path else 'an unsaved preset'}.",
        "Stand-alone: needs only numpy and keras (and scikit-learn for sklearn: sources).",
        "",
        f"    python {script_name}.py              # train",
        f"    python {script_name}.py --summary    # build and print the summary only",
        '"""',
        "",
        *sorted_imports(imports),
        "",
        f"SEED = {preset.seed!r}",
    ]
    if data.uses_paths or weights_files:
        header.append(_data_dir_line(preset, script_dir, absolute_paths))
    main = [
        "def main():",
        "    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)",
        *([] if preset.phases else
          [f'    parser.add_argument("--epochs", type=int, default={int(preset.fit.get("epochs", 1))})']),
        '    parser.add_argument("--summary", action="store_true", help="build the model, print its summary, do not train")',
        "    args = parser.parse_args()",
        "",
        *setup.splitlines(),
        "    keras.utils.set_random_seed(SEED)",
        "    x_train, y_train, x_val, y_val" + (", w_train, w_val" if data.weights else "") + " = load_data()",
        *_under(scope, ["    model = build_model(x_train)", *compile_code(preset)]),
        "    model.summary()",
        "    if args.summary:",
        "        return",
    ]
    if text_inputs and len(checked.model.inputs) == 1:
        main += [
            "    # Keras' fit() takes text as tf.string tensors, not numpy string arrays.",
            "    x_train = tf.constant(x_train)",
            "    x_val = None if x_val is None else tf.constant(x_val)",
        ]
    elif text_inputs:
        main += [
            "    # Keras' fit() takes text as tf.string tensors, not numpy string arrays.",
            '    x_train = [tf.constant(a) if a.dtype.kind == "U" else a for a in x_train]',
            '    x_val = None if x_val is None else [tf.constant(a) if a.dtype.kind == "U" else a for a in x_val]',
        ]
    if preset.phases:  # fine-tuning: one fit per phase, epochs counted on
        from tuitrain.export.phases import phases_lines

        main += phases_lines(preset, compile_lines=lambda spec: _under(scope, compile_code(preset, spec)),
                             fit_lines=lambda start, end: fit_code(preset, checked, epochs=str(end), initial_epoch=start))
    else:
        main += fit_code(preset, checked)
    main.append(f"    model.save({literal((re.sub(r'[^A-Za-z0-9_.-]', '_', preset.name) or 'model') + '.keras').flat()})")
    helpers = [LOAD_WEIGHTS] if weights_files else []
    parts = ["\n".join(header), *data.functions, data.load_data, *helpers, model_code(preset, checked.model).rstrip("\n"), "\n".join(main)]
    return "\n\n\n".join(parts) + '\n\n\nif __name__ == "__main__":\n    main()\n'


def _under(scope: str, lines: list[str]) -> list[str]:
    """``lines`` inside the strategy's ``with`` block (as they are without a strategy)."""
    if not scope:
        return lines
    return [scope.rstrip("\n"), *("    " + line if line.strip() else line for line in lines)]


def _data_dir_line(preset: Preset, script_dir: str | os.PathLike | None, absolute: bool) -> str:
    base = Path(preset.base_dir).resolve()
    if absolute:
        return f"DATA_DIR = Path({literal(str(base)).flat()})  # data paths are relative to the preset's folder"
    here = Path(script_dir).resolve() if script_dir is not None else Path.cwd().resolve()
    try:
        relative = os.path.relpath(base, here)
    except ValueError:  # another drive on Windows: only an absolute path reaches it
        return f"DATA_DIR = Path({literal(str(base)).flat()})  # data paths are relative to the preset's folder"
    tail = "" if relative == "." else f" / {literal(Path(relative).as_posix()).flat()}"
    return f"DATA_DIR = Path(__file__).resolve().parent{tail}  # the preset's folder: data paths are relative to it"
