"""Layer rows as the Keras code a person writes: constructor calls, and the Functional graph's lines.

``layer_call`` writes one constructor (``keras.layers.Dense(8, activation="relu", name="wide")``,
``keras.applications.EfficientNetB0(include_top=False, weights=None)``); ``GraphCode`` writes the
rows of a Functional model one assignment each, with what the model builder does spelled out: a
layer kept in a variable when it is called again (``reuse``), frozen (a backbone's ``trainable``),
adapted or given initial weights (``weights_file``); a layer's extra outputs indexed (``enc[1]``);
several inputs positional or as one list as Keras' ``call`` takes them; ``call = { ... }`` as
keyword arguments. Values come from the parsed TOML and names must be identifiers, so no preset
text becomes code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tuitrain.common.errors import SpecError
from tuitrain.common.pycode import Code, call, is_identifier, literal, required_leading
from tuitrain.model import LAYER_META_KEYS, shape_keys
from tuitrain.model.keras_objects import registry_for
from tuitrain.preset.values import is_typed
from tuitrain.model.wiring import split_ref
from tuitrain.preset import Preset, layer_inputs

# A helper the script carries when a row reads its initial weights from a file.
LOAD_WEIGHTS = '''def load_weights(path):
    """The arrays of an .npy/.npz file in order: a layer's initial weights (never unpickled)."""
    arrays = np.load(path, allow_pickle=False)
    if isinstance(arrays, np.ndarray):
        return [arrays]
    with arrays:
        return [arrays[name] for name in arrays.files]'''


def name(text: Any, *, where: str) -> str:
    """A class or argument name goes into code as-is, so it must be a plain identifier."""
    if not is_identifier(text):
        raise SpecError(f"{text!r} is not a Python identifier, so it cannot be exported", path=where)
    return text


def value(key: str, item: Any, *, where: str) -> Code:
    """An argument value: object tables become constructor calls of the registry their argument names."""
    kind = registry_for(key)
    if kind is not None and is_typed(item):
        return _object(kind, item, where=where)
    if is_typed(item):
        from tuitrain.model.keras_objects import serialized

        return literal(serialized(item))
    return literal(item)


def _object(kind: str, table: dict[str, Any], *, where: str) -> Code:
    """A constructor call of the class a table names, in the Keras namespace of its catalogue kind."""
    from tuitrain.catalogue import registry as keras_catalogue

    if kind == "layer":
        return layer_call(table, where=where)
    cls = name(table["type"], where=f"{where}.type")
    args = [(name(k, where=f"{where}.{k}"), value(k, None if v == "None" else v, where=f"{where}.{k}"))
            for k, v in table.items() if k != "type"]
    return call(f"keras.{keras_catalogue.namespace_path(kind)}.{cls}", [], args)


def _layer_class(type_name: str) -> type | None:
    import keras

    cls = getattr(keras.layers, type_name, None)
    return cls if isinstance(cls, type) else None


def is_application(layer: dict[str, Any]) -> bool:
    """A row whose type is a keras.applications model (not a keras.layers class)."""
    from tuitrain.model.applications import application_builder

    kind = layer.get("type")
    return isinstance(kind, str) and _layer_class(kind) is None and application_builder(kind) is not None


def layer_call(layer: dict[str, Any], *, where: str, first: bool = False) -> Code:
    """`keras.layers.Dense(8, activation="relu", name="wide")`: leading required arguments positional, name last."""
    type_name = name(layer["type"], where=f"{where}.type")
    application = is_application(layer)
    cls = None if application else _layer_class(type_name)
    skip = LAYER_META_KEYS + (("trainable",) if application else shape_keys(layer) if first else ())
    args = {k: (None if v == "None" else v) for k, v in layer.items() if k not in skip}  # "None": TOML has no null
    if application and isinstance(args.get("input_shape"), list):
        args["input_shape"] = tuple(args["input_shape"])
    positional = []
    for key in required_leading(cls) if cls is not None else []:
        if key not in args:
            break
        positional.append(value(key, args.pop(key), where=f"{where}.{key}"))
    row_name = args.pop("name", None)
    keywords = [(name(k, where=f"{where}.{k}"), value(k, v, where=f"{where}.{k}")) for k, v in args.items()]
    if row_name is not None:
        keywords.append(("name", literal(row_name)))
    namespace = "keras.applications" if application else "keras.layers"
    return call(f"{namespace}.{type_name}", positional, keywords)


def var(text: str, used: set[str]) -> str:
    """A fresh Python variable name made from ``text``."""
    base = re.sub(r"\W", "_", text).strip("_").lower() or "x"
    if base[0].isdigit() or not is_identifier(base):
        base = f"t_{base}"
    out, n = base, 2
    while out in used:
        out, n = f"{base}_{n}", n + 1
    used.add(out)
    return out


def plain_stack(preset: Preset) -> bool:
    """Rows a keras.Sequential list can hold: no graph, no shared or frozen backbone, no call arguments."""
    special = ("inputs", "reuse", "call", "weights_file", "adapt")
    return not any(any(k in layer for k in special) or is_application(layer) for layer in preset.layers)


def _spreads(cls: Any) -> bool:
    """Whether several inputs go to ``cls.call`` as positional arguments (not as one list)."""
    import inspect

    try:
        params = list(inspect.signature(cls.call).parameters.values())[1:]
    except (TypeError, ValueError, AttributeError):
        return False
    required = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty]
    return len(required) >= 2


@dataclass
class GraphCode:
    """The Functional rows of ``build_model`` as lines, tracking each tensor's and layer's variable."""

    preset: Preset
    used: set[str]
    input_vars: list[str]
    tensors: dict[str, str] = field(default_factory=dict)  # row or input name → tensor variable
    layer_vars: dict[str, str] = field(default_factory=dict)  # row name → layer variable (reused, frozen …)
    classes: dict[str, Any] = field(default_factory=dict)  # row name → its layer class (for a reuse's call)
    previous: str = ""

    def ref(self, ref: str, *, where: str) -> str:
        row, index = split_ref(ref)
        if row not in self.tensors:
            raise SpecError(f"'{ref}' names no earlier row or input", path=where)
        return self.tensors[row] if index is None else f"{self.tensors[row]}[{index}]"

    def call_value(self, item: Any, *, where: str) -> str:
        if isinstance(item, list):
            return "[" + ", ".join(self.call_value(v, where=f"{where}[{i}]") for i, v in enumerate(item)) + "]"
        if item == "None":
            return "None"
        if isinstance(item, str):
            return self.ref(item, where=where)
        return literal(item).flat()

    def call_text(self, i: int, layer: dict[str, Any], cls: Any) -> str:
        """``(x)``, ``(query, value)``, ``([a, b])`` and the ``call = { ... }`` keywords."""
        where = f"layers[{i}]"
        refs = [str(r) for r in layer_inputs(layer)] if "inputs" in layer else None
        args = [self.ref(r, where=f"{where}.inputs") for r in refs] if refs is not None else [self.previous]
        positional = ", ".join(args) if len(args) == 1 or _spreads(cls) else "[" + ", ".join(args) + "]"
        keywords = [f"{name(k, where=f'{where}.call.{k}')}={self.call_value(v, where=f'{where}.call.{k}')}"
                    for k, v in (layer.get("call") or {}).items()]
        return "(" + ", ".join([positional, *keywords]) + ")"

    def row_lines(self, i: int, layer: dict[str, Any], reused: set[str], feed: Any) -> list[str]:
        """The lines of one row: ``x = keras.layers.Dense(8)(x)``, or a layer variable when it needs one."""
        where = f"layers[{i}]"
        target = layer.get("reuse")
        cls = self.classes.get(str(target)) if target else (None if is_application(layer) else _layer_class(str(layer["type"])))
        tensor = var(str(layer["name"]), self.used) if "name" in layer else "x"
        call_text = self.call_text(i, layer, cls)
        if target:
            lines = [f"    {tensor} = {self.layer_vars[str(target)]}{call_text}"]
        elif layer.get("name") in reused or is_application(layer) or "weights_file" in layer or layer.get("adapt"):
            lines = self._kept_layer_lines(i, layer, tensor, call_text, feed)
        else:
            lines = layer_call(layer, where=where, first=i == 0).lines(4, prefix=f"{tensor} = ", suffix=call_text)
        if "name" in layer:
            self.tensors[str(layer["name"])] = tensor
            self.classes[str(layer["name"])] = cls
        self.previous = tensor
        return lines

    def _kept_layer_lines(self, i: int, layer: dict[str, Any], tensor: str, call_text: str, feed: Any) -> list[str]:
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", str(layer["type"])).lower()
        named = "name" in layer and not layer.get("adapt")
        layer_var = var(f"{layer['name']}_layer" if named else snake, self.used)
        lines = layer_call(layer, where=f"layers[{i}]", first=i == 0).lines(4, prefix=f"{layer_var} = ")
        if is_application(layer) and "trainable" in layer:
            lines.append(f"    {layer_var}.trainable = {bool(layer['trainable'])}")
        if layer.get("adapt"):
            lines.append("    if x_train is not None:")
            lines.append(f"        {layer_var}.adapt({feed(call_text[1:-1])})")
        lines.append(f"    {tensor} = {layer_var}{call_text}")
        if "weights_file" in layer:
            path = literal(Path(str(layer["weights_file"])).as_posix()).flat()
            lines.append(f"    {layer_var}.set_weights(load_weights(DATA_DIR / {path}))")
        if "name" in layer:
            self.layer_vars[str(layer["name"])] = layer_var
        return lines


def reused_names(preset: Preset) -> set[str]:
    """Rows that a later row calls again (`reuse`): their layer needs a variable of its own."""
    return {str(layer["reuse"]) for layer in preset.layers if "reuse" in layer}


def uses_weights_files(preset: Preset) -> bool:
    return any("weights_file" in layer for layer in preset.layers)
