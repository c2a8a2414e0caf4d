"""Preset rows → a Keras model with every input and output the preset declares.

One builder for Sequential stacks and Functional graphs: `[[inputs]]` (or one input from the data),
layers wired by `inputs = [...]` (default: the row before), outputs named by `outputs` (default: the
last row). Layers that learn from the data are adapted while the graph is built, before the layers
after them are called. What Keras would build but not train — a branch that reaches no output, an
input no layer reads, text reaching a layer that cannot take text — is an error naming the row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tuitrain.common.errors import SpecError
from tuitrain.preset.values import DEFAULT_INPUT
from tuitrain.preset.heads import check_output_refs, input_decls, output_names, unreached_error, unreached_rows
from tuitrain.model.build import BuildReport, as_sequential, keras_model_name, declared_input_shape, error_row
from tuitrain.model.confine import is_trusted, read_roots
from tuitrain.model.messages import clean_keras_message
from tuitrain.model.row_build import TEXT_LAYERS, GraphState, build_row, check_single_heads, needs_graph
from tuitrain.model.summary import LayerRow, RowState, param_counts, shape_str
from tuitrain.model.wiring import Wiring
from tuitrain.preset import layer_inputs

if TYPE_CHECKING:  # pragma: no cover
    from tuitrain.data import Dataset
    from tuitrain.preset import Preset

__all__ = ["TEXT_LAYERS", "build_model", "build_model_partial"]


def _input_specs(preset: "Preset", data_shapes: list[tuple] | None, data_dtypes: list[str] | None) -> list[tuple[str, tuple, str | None]]:
    """(name, shape, dtype) per model input: declared in [[inputs]] or on the first layer, else from the data."""
    decls = input_decls(preset)
    if data_shapes is not None and len(data_shapes) != len(decls):
        noun = "input" if len(decls) == 1 else "inputs"
        raise SpecError(
            f"{len(data_shapes)} array{'' if len(data_shapes) == 1 else 's'} for {len(decls)} {noun}: give x_key one array"
            f" name per [[inputs]] entry ({', '.join(d.name for d in decls)}), in that order",
            path="data.x_key",
        )
    first_shape, where = declared_input_shape(preset)
    specs = []
    for index, decl in enumerate(decls):
        data_shape = tuple(data_shapes[index]) if data_shapes is not None else None
        shape = decl.shape
        place = f"inputs[{index}].shape"
        if shape is None and index == 0 and first_shape is not None and not getattr(preset, "inputs", None):
            shape, place = tuple(first_shape), where
        if shape is not None and data_shape is not None:
            fits = len(shape) == len(data_shape) and all(d is None or d == e for d, e in zip(shape, data_shape))
            if not fits:
                raise SpecError(
                    f"declares input shape {shape_str(shape)}, but each sample of the data has shape"
                    f" {shape_str(data_shape)}. Fix the shape, or reshape/flatten the data in [data].preprocess.",
                    path=place,
                )
        if shape is None:
            shape = data_shape
        if shape is None:
            raise SpecError("the model's input shape is unknown: declare it in [[inputs]] (shape = [...])", path="inputs")
        dtype = decl.dtype
        data_dtype = data_dtypes[index] if data_dtypes is not None else None
        if dtype is None and data_dtype == "string":
            dtype = "string"
        if data_dtype == "string" and dtype != "string":
            raise SpecError(f"the data for input '{decl.name}' is text, so its dtype must be \"string\"", path=f"inputs[{index}].dtype")
        specs.append((decl.name, tuple(None if d is None else int(d) for d in shape), dtype))
    return specs


def build_model_partial(preset: "Preset", input_shape: Any = None, *, dataset: "Dataset | None" = None) -> BuildReport:
    """Build as far as possible; every preset layer gets a row, broken ones carry the reason.

    With `dataset`, input shapes and dtypes come from its arrays and layers with `adapt = true`
    learn from its training data; `input_shape` (one shape, or a list for several inputs) serves
    when the data is not loaded.
    """
    import keras

    rows: list[LayerRow] = []
    if dataset is not None:
        data_shapes, data_dtypes = dataset.input_shapes, dataset.input_dtypes
        arrays = dataset.x_train if isinstance(dataset.x_train, list) else [dataset.x_train]
    else:
        data_shapes = None if input_shape is None else (list(input_shape) if isinstance(input_shape, list) else [input_shape])
        data_dtypes, arrays = None, None
    try:
        specs = _input_specs(preset, data_shapes, data_dtypes)
    except SpecError as err:
        for i, layer in enumerate(preset.layers):
            if i == 0:
                rows.append(error_row(i, layer, str(err)))
            else:
                rows.append(error_row(i, layer, "not built: the input shape is wrong", RowState.NOT_BUILT))
        return BuildReport(rows=rows, model=None, error=str(err), failure=err)

    model_inputs = [keras.Input(shape=shape, dtype=dtype, name=name) for name, shape, dtype in specs]
    functional = preset.is_functional or len(specs) > 1 or bool(output_names(preset)) or needs_graph(preset)
    b = GraphState(preset, model_inputs, arrays, Wiring(), is_trusted(preset), read_roots(preset))
    for (name, _, _), tensor in zip(specs, model_inputs):
        b.wiring.add([name], tensor, ("input", name))
    previous: Any = model_inputs[0]
    previous_ref: Any = ("input", specs[0][0])
    first_error: str | None = None
    failure: SpecError | None = None
    for i, layer in enumerate(preset.layers):
        path = f"layers[{i}]"
        if first_error is not None and not functional:
            rows.append(error_row(i, layer, "not built: an earlier layer failed", RowState.NOT_BUILT))
            b.refs_by_row.append([])
            continue
        refs = [str(r) for r in layer_inputs(layer)] if "inputs" in layer else None
        b.record_sources(layer, refs, previous_ref)
        try:
            previous, row = build_row(b, i, layer, refs, previous, path)
            previous_ref = i
            rows.append(row)
        except SpecError as err:
            first_error = first_error or str(err)
            failure = failure or err
            previous, previous_ref = None, i
            rows.append(error_row(i, layer, str(err)))
    if first_error is not None:
        return BuildReport(rows=rows, model=None, error=first_error, failure=failure)
    if not preset.layers:
        return BuildReport(rows=[], model=None, error="the model has no layers yet")
    try:
        heads = _heads(preset, b.wiring.producers, b.refs_by_row, specs, b.read_inputs)
        check_single_heads(preset, heads, b.out_tensors)
    except SpecError as err:
        return BuildReport(rows=rows, model=None, error=str(err), failure=err)
    for row in rows:
        row.head = row.index in heads
    outputs = [b.out_tensors[i] for i in heads]
    name = keras_model_name(preset.name)
    try:
        model = keras.Model(
            inputs=model_inputs[0] if len(model_inputs) == 1 else model_inputs,
            outputs=outputs[0] if len(outputs) == 1 and not output_names(preset) else outputs,
            name=name,
        )
        if not functional and specs[0][0] == DEFAULT_INPUT and specs[0][2] is None:
            model = as_sequential(model, specs[0][1], preset.name)
    except Exception as err:  # noqa: BLE001 - Keras' own reason, rewritten
        message = f"Keras cannot assemble the model: {clean_keras_message(err)}"
        return BuildReport(rows=rows, model=None, error=message)
    total, trainable, non_trainable = param_counts(model)
    return BuildReport(rows, model, None, total, trainable, non_trainable)


def _heads(preset: "Preset", producers: dict[str, Any], refs_by_row: list[list[Any]], specs: list, read_inputs: set[str]) -> list[int]:
    """Row indices of the outputs; rows that reach none and inputs no row reads are errors."""
    names = output_names(preset)
    if names:
        row_names = [n for n, p in producers.items() if isinstance(p, int)]
        check_output_refs(preset, known=row_names)
        heads = [producers[n] for n in names]
    else:
        heads = [len(preset.layers) - 1]
    shown = names or [preset.layers[-1].get("name", f"layers[{len(preset.layers) - 1}]")]
    read = {r for refs in refs_by_row for r in refs if isinstance(r, int)}
    sinks = [i for i in range(len(preset.layers)) if i not in read]
    for row in unreached_rows(preset.layers, heads, lambda r: refs_by_row[r]):
        raise unreached_error(preset.layers, row, shown, sinks)
    for index, (name, _, _) in enumerate(specs):
        if name not in read_inputs:
            raise SpecError(f"no layer reads the input '{name}': name it in a layer's inputs = [...], or remove it", path=f"inputs[{index}]")
    return heads


def build_model(preset: "Preset", input_shape: Any = None, *, dataset: "Dataset | None" = None) -> Any:
    """The model, or SpecError naming the first broken layer (layers that learn from the data adapt to `dataset`)."""
    report = build_model_partial(preset, input_shape, dataset=dataset)
    if report.failure is not None:
        raise report.failure
    if report.model is None:
        bad = next((r for r in report.rows if r.error), None)
        raise SpecError(bad.error if bad else (report.error or "the model could not be built"))
    return report.model
