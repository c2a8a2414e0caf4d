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

from tuitrain.spec import Preset

MODEL_INPUT = "input"  # the name later layers use for the model's input (as in tuitrain.model)
_META = ("type", "inputs", "input_shape", "input_dim", "batch_input_shape")


def _object_config(value: Any) -> Any:
    """Preset tables with `type` → Keras' serialized form, which layer constructors accept."""
    if isinstance(value, dict):
        if "type" in value:
            return {"class_name": value["type"], "config": {k: _object_config(v) for k, v in value.items() if k != "type"}}
        return {k: _object_config(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_object_config(v) for v in value]
    return value


def _args(table: dict[str, Any], skip: tuple[str, ...] = ("type",)) -> str:
    return ", ".join(f"{k}={_object_config(v)!r}" for k, v in table.items() if k not in skip)


def _typed(module: str, value: Any) -> str:
    """A bare name stays a string (Keras resolves it); a table becomes a constructor call."""
    if isinstance(value, str):
        return repr(value)
    return f"keras.{module}.{value['type']}({_args(value)})"


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
    first = preset.layers[0] if preset.layers else {}
    if "input_shape" in first:
        return f"    input_shape = {tuple(first['input_shape'])!r}  # declared on the first layer\n"
    if "input_dim" in first:
        return f"    input_shape = ({first['input_dim']!r},)  # declared on the first layer (input_dim)\n"
    return ""


def model_code(preset: Preset) -> str:
    """`build_model(input_shape)`: Sequential for a plain stack, Functional when layers name inputs."""
    lines = ["def build_model(input_shape):", f'    """The model of preset {preset.name!r}."""']
    shape_line = _input_shape_line(preset)
    if shape_line:
        lines.append(shape_line.rstrip("\n"))
    model_name = preset.name.replace(" ", "_") or "model"
    if not preset.is_functional:
        lines.append("    model = keras.Sequential(")
        lines.append("        [")
        lines.append("            keras.Input(shape=input_shape),")
        for layer in preset.layers:
            lines.append(f"            keras.layers.{layer['type']}({_args(layer, _META)}),")
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
            refs = layer["inputs"] if isinstance(layer["inputs"], list) else [layer["inputs"]]
            args = [tensors[r] for r in refs]
            arg = args[0] if len(args) == 1 else "[" + ", ".join(args) + "]"
        else:
            arg = previous
        lines.append(f"    {var} = keras.layers.{layer['type']}({_args(layer, _META)})({arg})")
        if "name" in layer:
            tensors[str(layer["name"])] = var
        previous = var
    lines.append(f"    return keras.Model(inputs={inputs_var}, outputs={previous}, name={model_name!r})")
    return "\n".join(lines) + "\n"


def compile_code(preset: Preset) -> str:
    spec = preset.compile
    parts = [f"        optimizer={_typed('optimizers', spec.get('optimizer', 'rmsprop'))},"]
    if "loss" in spec:
        loss = spec["loss"]
        text = "[" + ", ".join(_typed("losses", v) for v in loss) + "]" if isinstance(loss, list) else _typed("losses", loss)
        parts.append(f"        loss={text},")
    for key in ("metrics", "weighted_metrics"):
        if key in spec:
            parts.append(f"        {key}=[" + ", ".join(_typed("metrics", v) for v in spec[key]) + "],")
    for key in ("loss_weights", "run_eagerly", "steps_per_execution", "jit_compile", "auto_scale_loss"):
        if key in spec:
            parts.append(f"        {key}={spec[key]!r},")
    return "    model.compile(\n" + "\n".join(parts) + "\n    )\n"


def fit_code(preset: Preset) -> str:
    from tuitrain.spec import FIT_KEYS

    fit = preset.fit
    callbacks = ", ".join(f"keras.callbacks.{cb['type']}({_args(cb)})" for cb in fit.get("callbacks", []))
    parts = ["        x_train,", "        y_train,", "        validation_data=None if x_val is None else (x_val, y_val),"]
    for key, value in fit.items():
        if key in FIT_KEYS and key not in ("callbacks", "epochs"):
            parts.append(f"        {key}={value!r},")
    parts.append("        epochs=epochs,")
    parts.append(f"        callbacks=[{callbacks}],")
    return "    model.fit(\n" + "\n".join(parts) + "\n    )\n"


def export_script(preset: Preset) -> str:
    """The whole stand-alone script for ``preset``."""
    from tuitrain.data.export import data_code

    epochs = int(preset.fit.get("epochs", 1))
    script_name = re.sub(r"\W", "_", preset.name)
    header = f'''#!/usr/bin/env python3
"""{preset.name}: {preset.description or "a Keras model"}

Exported by `tuitrain export` from {preset.path.name if preset.path else "an unsaved preset"}.
Stand-alone: needs only numpy and keras (and scikit-learn for sklearn: sources).

    python {script_name}.py              # train
    python {script_name}.py --summary    # build and print the summary only
"""

import argparse

import keras
import numpy as np

SEED = {preset.seed!r}

'''
    main = f'''
def main():
    parser = argparse.ArgumentParser(description={preset.description or preset.name!r})
    parser.add_argument("--epochs", type=int, default={epochs})
    parser.add_argument("--summary", action="store_true", help="build the model, print its summary, do not train")
    args = parser.parse_args()

    keras.utils.set_random_seed(SEED)
    x_train, y_train, x_val, y_val = load_data()
    model = build_model(x_train.shape[1:])
{compile_code(preset)}    model.summary()
    if args.summary:
        return
    epochs = args.epochs
{fit_code(preset)}    model.save({(re.sub(r"[^A-Za-z0-9_.-]", "_", preset.name) or "model") + ".keras"!r})


if __name__ == "__main__":
    main()
'''
    data = data_code(preset.data, seed=preset.seed, base_dir=preset.base_dir).strip("\n")
    return header + data + "\n\n\n" + model_code(preset) + "\n" + main

