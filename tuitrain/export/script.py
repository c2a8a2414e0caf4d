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
from tuitrain.common.errors import SpecError
from tuitrain.model.build import keras_model_name
from tuitrain.preset.heads import input_decls, output_names
from tuitrain.model.keras_objects import is_object_table, registry_for
from tuitrain.model import LAYER_META_KEYS, shape_keys
from tuitrain.common.pycode import Code, atom, call, is_identifier, literal, required_leading
from tuitrain.preset import Preset, layer_inputs



def _name(text: Any, *, where: str) -> str:
    """A class or argument name goes into code as-is, so it must be a plain identifier."""
    if not is_identifier(text):
        raise SpecError(f"{text!r} is not a Python identifier, so it cannot be exported", path=where)
    return text


def _value(key: str, value: Any, *, where: str) -> Code:
    """An argument value: object tables become constructor calls of the registry their argument names."""
    kind = registry_for(key)
    if kind is not None and is_object_table(value):
        return _object(kind, value, where=where)
    if isinstance(value, dict) and "type" in value:
        from tuitrain.model.keras_objects import serialized

        return literal(serialized(value))
    return literal(value)


def _object(kind: str, table: dict[str, Any], *, where: str) -> Code:
    """A constructor call of the class a table names, in the Keras namespace of its catalogue kind."""
    from tuitrain.catalogue import registry as keras_catalogue

    if kind == "layer":
        return _layer_call(table, where=where)
    cls = _name(table["type"], where=f"{where}.type")
    args = [(_name(k, where=f"{where}.{k}"), _value(k, v, where=f"{where}.{k}")) for k, v in table.items() if k != "type"]
    return call(f"keras.{keras_catalogue.namespace_path(kind)}.{cls}", [], args)


def _layer_class(type_name: str) -> type | None:
    import keras

    cls = getattr(keras.layers, type_name, None)
    return cls if isinstance(cls, type) else None


def _layer_call(layer: dict[str, Any], *, where: str, first: bool = False) -> Code:
    """`keras.layers.Dense(8, activation="relu", name="wide")`: leading required arguments positional, name last."""
    type_name = _name(layer["type"], where=f"{where}.type")
    cls = _layer_class(type_name)
    skip = LAYER_META_KEYS + (shape_keys(layer) if first else ())
    args = {k: v for k, v in layer.items() if k not in skip}
    positional = []
    for key in required_leading(cls) if cls is not None else []:
        if key not in args:
            break
        positional.append(_value(key, args.pop(key), where=f"{where}.{key}"))
    name = args.pop("name", None)
    keywords = [(_name(k, where=f"{where}.{k}"), _value(k, v, where=f"{where}.{k}")) for k, v in args.items()]
    if name is not None:
        keywords.append(("name", literal(name)))
    return call(f"keras.layers.{type_name}", positional, keywords)


def _var(name: str, used: set[str]) -> str:
    base = re.sub(r"\W", "_", name).strip("_").lower() or "x"
    if base[0].isdigit() or not is_identifier(base):
        base = f"t_{base}"
    var, n = base, 2
    while var in used:
        var, n = f"{base}_{n}", n + 1
    used.add(var)
    return var


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
    if not preset.is_functional and not adapting and not several:
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
        var = _var("inputs" if name == "input" else name, used)
        keywords = [("shape", _shape(shape))]
        if dtype:
            keywords.append(("dtype", literal(dtype)))
        if name != "input" or len(inputs) > 1:
            keywords.append(("name", literal(name)))
        lines += call("keras.Input", [], keywords).lines(4, prefix=f"{var} = ")
        tensors[name] = var
        input_vars.append(var)
    previous = input_vars[0]
    for i, layer in enumerate(preset.layers):
        where = f"layers[{i}]"
        if "inputs" in layer:
            args = [tensors[r] for r in layer_inputs(layer)]
            arg = args[0] if len(args) == 1 else "[" + ", ".join(args) + "]"
        else:
            arg = previous
        var = _var(str(layer["name"]), used) if "name" in layer else "x"
        construct = _layer_call(layer, where=where, first=i == 0)
        if layer.get("adapt"):
            layer_var = _var(re.sub(r"(?<!^)(?=[A-Z])", "_", layer["type"]).lower(), used)
            lines += construct.lines(4, prefix=f"{layer_var} = ")
            lines.append("    if x_train is not None:")
            lines.append(f"        {layer_var}.adapt({_feed(arg, input_vars)})")
            lines.append(f"    {var} = {layer_var}({arg})")
        else:
            lines += construct.lines(4, prefix=f"{var} = ", suffix=f"({arg})")
        if "name" in layer:
            tensors[str(layer["name"])] = var
        previous = var
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
    if isinstance(value, dict) and "type" not in value:
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
    keywords = [("optimizer", _optimizer(spec.get("optimizer", "rmsprop")))]
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
    imports = ["import argparse", "import keras", *data.imports]
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
    if data.uses_paths:
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
    parts = ["\n".join(header), *data.functions, data.load_data, model_code(preset, checked.model).rstrip("\n"), "\n".join(main)]
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
