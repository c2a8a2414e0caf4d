"""`tuitrain export`: a preset as a stand-alone, readable Keras script.

The script is what a user would have written by hand after a Keras tutorial: a ``load_data()``
(from ``tuitrain.data.export``), a ``build_model()`` with one line per layer, ``compile`` and
``fit``. It never imports tuitrain, so it can be mailed to a colleague or run on a machine
without it. Values are written with ``repr`` of plain TOML data (strings, numbers, lists,
dicts), so the generated text cannot smuggle code in from a preset.
"""

from __future__ import annotations

import keyword
import re
from typing import Any

from tuitrain.data.export import docstring_safe
from tuitrain.errors import SpecError
from tuitrain.model import INPUT_SHAPE_KEYS, LAYER_META_KEYS, MODEL_INPUT, declared_input_shape, keras_object_config
from tuitrain.spec import Preset, layer_inputs

_LAYER_SKIP = LAYER_META_KEYS + INPUT_SHAPE_KEYS


def _name(text: Any, *, where: str) -> str:
    """A class or argument name goes into code as-is, so it must be a plain identifier."""
    if not isinstance(text, str) or not text.isidentifier() or keyword.iskeyword(text):
        raise SpecError(f"{text!r} is not a Python identifier, so it cannot be exported", path=where)
    return text


def _args(table: dict[str, Any], skip: tuple[str, ...] = ("type",), *, where: str = "") -> str:
    return ", ".join(
        f"{_name(k, where=f'{where}.{k}')}={keras_object_config(v)!r}" for k, v in table.items() if k not in skip
    )


def _typed(module: str, value: Any, *, where: str) -> str:
    """A bare name stays a string (Keras resolves it); a table becomes a constructor call."""
    if isinstance(value, str):
        return repr(value)
    return f"keras.{module}.{_name(value['type'], where=f'{where}.type')}({_args(value, where=where)})"


def _optimizer(value: Any) -> str:
    """The optimizer as a constructor call of the class Keras resolved (`adam` → `Adam`)."""
    from tuitrain.model import make_optimizer

    if isinstance(value, str):
        return repr(value)
    cls_name = type(make_optimizer(value)).__name__
    return f"keras.optimizers.{cls_name}({_args(value, where='compile.optimizer')})"


def _var(name: str, used: set[str]) -> str:
    base = re.sub(r"\W", "_", name).strip("_").lower() or "x"
    if base[0].isdigit() or keyword.iskeyword(base):
        base = f"t_{base}"
    var, n = base, 2
    while var in used:
        var, n = f"{base}_{n}", n + 1
    used.add(var)
    return var


def _input_shape_line(preset: Preset) -> str:
    declared, where = declared_input_shape(preset)
    if declared is None:
        return ""
    return f"    input_shape = {tuple(declared)!r}  # declared on the first layer ({where.split('.')[-1]})\n"


def model_code(preset: Preset) -> str:
    """`build_model(input_shape)`: Sequential for a plain stack, Functional when layers name inputs."""
    lines = ["def build_model(input_shape):", f'    """The model of preset {docstring_safe(repr(preset.name))}."""']
    shape_line = _input_shape_line(preset)
    if shape_line:
        lines.append(shape_line.rstrip("\n"))
    model_name = preset.name.replace(" ", "_") or "model"
    if not preset.is_functional:
        lines.append("    model = keras.Sequential(")
        lines.append("        [")
        lines.append("            keras.Input(shape=input_shape),")
        for i, layer in enumerate(preset.layers):
            lines.append(f"            keras.layers.{_name(layer['type'], where=f'layers[{i}].type')}({_args(layer, _LAYER_SKIP, where=f'layers[{i}]')}),")
        lines.append("        ],")
        lines.append(f"        name={model_name!r},")
        lines.append("    )")
        lines.append("    return model")
        return "\n".join(lines) + "\n"

    used: set[str] = {"keras", "model", "input_shape"}
    inputs_var = _var("inputs", used)
    lines.append(f"    {inputs_var} = keras.Input(shape=input_shape, name={MODEL_INPUT!r})")
    tensors = {MODEL_INPUT: inputs_var}
    previous = inputs_var
    for i, layer in enumerate(preset.layers):
        var = _var(str(layer.get("name", f"{layer['type']}_{i}")), used)
        if "inputs" in layer:
            args = [tensors[r] for r in layer_inputs(layer)]
            arg = args[0] if len(args) == 1 else "[" + ", ".join(args) + "]"
        else:
            arg = previous
        lines.append(f"    {var} = keras.layers.{_name(layer['type'], where=f'layers[{i}].type')}({_args(layer, _LAYER_SKIP, where=f'layers[{i}]')})({arg})")
        if "name" in layer:
            tensors[str(layer["name"])] = var
        previous = var
    lines.append(f"    return keras.Model(inputs={inputs_var}, outputs={previous}, name={model_name!r})")
    return "\n".join(lines) + "\n"


def compile_code(preset: Preset) -> str:
    spec = preset.compile
    from tuitrain.model import PLAIN_COMPILE_KEYS

    parts = [f"        optimizer={_optimizer(spec.get('optimizer', 'rmsprop'))},"]
    if "loss" in spec:
        loss = spec["loss"]
        if isinstance(loss, list):
            text = "[" + ", ".join(_typed("losses", v, where=f"compile.loss[{i}]") for i, v in enumerate(loss)) + "]"
        else:
            text = _typed("losses", loss, where="compile.loss")
        parts.append(f"        loss={text},")
    for key in ("metrics", "weighted_metrics"):
        if key in spec:
            items = ", ".join(_typed("metrics", v, where=f"compile.{key}[{i}]") for i, v in enumerate(spec[key]))
            parts.append(f"        {key}=[{items}],")
    for key in PLAIN_COMPILE_KEYS:
        if key in spec:
            parts.append(f"        {key}={spec[key]!r},")
    return "    model.compile(\n" + "\n".join(parts) + "\n    )\n"


def fit_code(preset: Preset) -> str:
    from tuitrain.model import fit_kwargs

    callbacks = ", ".join(
        _typed("callbacks", cb, where=f"fit.callbacks[{i}]") for i, cb in enumerate(preset.fit.get("callbacks", []))
    )
    parts = ["        x_train,", "        y_train,", "        validation_data=None if x_val is None else (x_val, y_val),"]
    for key, value in fit_kwargs(preset.fit).items():
        if key != "epochs":
            parts.append(f"        {key}={value!r},")
    parts.append("        epochs=epochs,")
    parts.append(f"        callbacks=[{callbacks}],")
    return "    model.fit(\n" + "\n".join(parts) + "\n    )\n"


def distribute_code(preset: Preset) -> tuple[str, str]:
    """The ``[distribute]`` table as code: set-up lines at the start of ``main()``, and the strategy's
    ``with`` line to build and compile under (both empty without the table)."""
    from tuitrain.spec.distribute import distribute_options

    options = distribute_options(preset.distribute or None)
    setup = []
    if options.memory_growth:
        setup += ['    for gpu in tf.config.list_physical_devices("GPU"):  # take GPU memory as needed',
                  "        tf.config.experimental.set_memory_growth(gpu, True)"]
    if options.mixed_precision:
        setup.append(f"    keras.mixed_precision.set_global_policy({options.mixed_precision!r})  # before building")
    devices = [f"/{d.lower()}" for d in options.devices]
    if options.strategy == "mirrored":
        setup.append(f"    strategy = tf.distribute.MirroredStrategy({f'devices={devices!r}' if devices else ''})"
                     "  # batch_size is the global batch")
    elif options.strategy == "one_device":
        setup.append(f"    strategy = tf.distribute.OneDeviceStrategy({(devices or ['/gpu:0'])[0]!r})")
    elif options.strategy == "multi_worker":
        setup.append("    strategy = tf.distribute.MultiWorkerMirroredStrategy()  # reads TF_CONFIG")
    scope = "    with strategy.scope():\n" if options.strategy != "default" else ""
    return ("\n".join(setup) + "\n" if setup else ""), scope


def export_script(preset: Preset) -> str:
    """The whole stand-alone script for ``preset``."""
    from tuitrain.data.export import data_code
    from tuitrain.spec.distribute import distribute_options, output_layers_float32

    setup, scope = distribute_code(preset)
    preset = output_layers_float32(preset, distribute_options(preset.distribute or None))
    build = f"    model = build_model(x_train.shape[1:])\n{compile_code(preset)}"
    if scope:
        build = scope + "".join("    " + line if line.strip() else line for line in build.splitlines(True))

    epochs = int(preset.fit.get("epochs", 1))
    script_name = re.sub(r"\W", "_", preset.name)
    header = f'''#!/usr/bin/env python3
"""{docstring_safe(preset.name)}: {docstring_safe(preset.description or "a Keras model")}

Exported by `tuitrain export` from {docstring_safe(preset.path.name) if preset.path else "an unsaved preset"}.
Stand-alone: needs only numpy and keras (and scikit-learn for sklearn: sources).

    python {script_name}.py              # train
    python {script_name}.py --summary    # build and print the summary only
"""

import argparse

import keras
import numpy as np
{"import tensorflow as tf" + chr(10) if setup else ""}
SEED = {preset.seed!r}

'''
    main = f'''
def main():
    parser = argparse.ArgumentParser(description={preset.description or preset.name!r})
    parser.add_argument("--epochs", type=int, default={epochs})
    parser.add_argument("--summary", action="store_true", help="build the model, print its summary, do not train")
    args = parser.parse_args()

{setup}    keras.utils.set_random_seed(SEED)
    x_train, y_train, x_val, y_val = load_data()
{build}    model.summary()
    if args.summary:
        return
    epochs = args.epochs
{fit_code(preset)}    model.save({(re.sub(r"[^A-Za-z0-9_.-]", "_", preset.name) or "model") + ".keras"!r})


if __name__ == "__main__":
    main()
'''
    data = data_code(preset.data, seed=preset.seed, base_dir=preset.base_dir).strip("\n")
    return header + data + "\n\n\n" + model_code(preset) + "\n" + main

