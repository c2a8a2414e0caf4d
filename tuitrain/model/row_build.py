"""One preset row → its Keras layer called on its tensors, and the row the layer table shows.

A row builds a new layer (``type``) or calls an earlier row's layer again (``reuse``: same weights);
it is called on its ``inputs`` (positional or as one list, see ``tuitrain.model.wiring``) and its
``call = { ... }`` arguments; ``weights_file`` then sets its initial weights. Layers that learn
from the data adapt before they are called.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tuitrain.common.errors import SpecError
from tuitrain.model.adapting import adapt_layer, check_adapt_row, feed_for
from tuitrain.model.build import make_layer, shape_message
from tuitrain.model.guards import bounded_call
from tuitrain.model.messages import clean_keras_message
from tuitrain.model.summary import LayerRow, main_args, outputs_str, shape_str
from tuitrain.model.wiring import Wiring, call_kwargs, call_refs, positional_inputs

if TYPE_CHECKING:  # pragma: no cover
    from tuitrain.preset import Preset

# Layers that take text (Keras' string preprocessing layers); text reaching any other layer is an error.
TEXT_LAYERS = ("TextVectorization", "StringLookup", "Hashing")


@dataclass
class GraphState:
    """What building the rows in order accumulates."""

    preset: Preset
    model_inputs: list[Any]
    arrays: list[Any] | None
    wiring: Wiring
    trusted: bool
    roots: tuple[Any, ...] = ()  # folders a layer may read files from (the preset's and the data's)
    read_inputs: set[str] = field(default_factory=set)
    refs_by_row: list[list[Any]] = field(default_factory=list)
    out_tensors: dict[int, Any] = field(default_factory=dict)
    first_shapes: dict[str, str] = field(default_factory=dict)  # row name → the input shapes its layer was built on

    def record_sources(self, layer: dict[str, Any], refs: list[str] | None, previous_ref: Any) -> None:
        """Which rows and inputs this row reads (its inputs and the tensors its `call` table names)."""
        names = [*(refs if refs is not None else []), *call_refs(layer.get("call") or {})]
        sources = [self.wiring.source(r) for r in names] + ([previous_ref] if refs is None else [])
        sources = [s for s in sources if s is not None]
        self.read_inputs.update(s[1] for s in sources if isinstance(s, tuple))
        self.refs_by_row.append(sources)


def needs_graph(preset: Preset) -> bool:
    """Shared layers and call arguments make a Functional model even without `inputs`."""
    return any("reuse" in layer or "call" in layer for layer in preset.layers)


def _row_inputs(state: GraphState, refs: list[str] | None, previous: Any, path: str) -> list[Any]:
    if refs is not None:
        return [state.wiring.tensor(r, path=f"{path}.inputs") for r in refs]
    if previous is None:
        raise SpecError("not built: the layer before it failed", path=path)
    if isinstance(previous, (list, tuple)):
        raise SpecError(
            f"the row before returns {len(previous)} tensors: name the one this row takes, e.g. inputs = [\"<name>[0]\"]",
            path=path,
        )
    return [previous]


def _row_layer(state: GraphState, layer: dict[str, Any], path: str) -> tuple[Any, str | None]:
    """The Keras layer of the row, and the row name it shares the layer with (reuse) or None."""
    target = layer.get("reuse")
    if target is None:
        return make_layer(layer, path=path, trusted=state.trusted, roots=state.roots), None
    if target not in state.wiring.layers:
        raise SpecError(f"cannot reuse '{target}': its row failed to build", path=f"{path}.reuse")
    return state.wiring.layers[target], str(target)


def _check_text(kind: str, args: list[Any], path: str) -> None:
    for tensor in args:
        if "string" in str(tensor.dtype) and kind not in TEXT_LAYERS:
            raise SpecError(
                f"the input reaching {kind} holds text (dtype string), which {kind} cannot take:"
                f" start with a layer that turns text into numbers ({', '.join(TEXT_LAYERS)}, with adapt = true)",
                path=path,
            )


def _adapt(state: GraphState, keras_layer: Any, layer: dict[str, Any], args: list[Any], path: str) -> str | None:
    if not check_adapt_row(type(keras_layer), layer, path=path):
        return None
    if state.arrays is None:
        return "adapts to the training data"
    adapt_layer(keras_layer, feed_for(args[0] if len(args) == 1 else args, state.model_inputs, state.arrays), path=path)
    return "adapted"


def _call(keras_layer: Any, positional: list[Any], kwargs: dict[str, Any], layer: dict[str, Any], shares: str | None, state: GraphState, path: str) -> Any:
    try:
        return bounded_call(keras_layer, *positional, path=path, **kwargs)  # weights sized before they exist
    except SpecError:
        raise
    except Exception as err:  # noqa: BLE001 - Keras raises many types for shape problems
        arg = positional[0] if len(positional) == 1 else positional
        if shares is None:
            raise SpecError(shape_message({**layer, "type": layer.get("type")}, arg, err), path=path) from None
        shapes = shape_str([tuple(a.shape) for a in arg]) if isinstance(arg, list) else shape_str(tuple(arg.shape))
        raise SpecError(
            f"the layer of '{shares}' (built on {state.first_shapes.get(shares, '?')}) cannot be called again on {shapes}:"
            f" {clean_keras_message(err)}",
            path=f"{path}.reuse",
        ) from None


def build_row(state: GraphState, i: int, layer: dict[str, Any], refs: list[str] | None, previous: Any, path: str) -> tuple[Any, LayerRow]:
    """Build and call row ``i``; its output (one tensor, or a list when the layer returns several) and its row."""
    from tuitrain.model.weights_file import load_weights_file

    args = _row_inputs(state, refs, previous, path)
    keras_layer, shares = _row_layer(state, layer, path)
    kind = str(layer.get("type") or type(keras_layer).__name__)
    _check_text(kind, args, path)
    adapted = None if shares else _adapt(state, keras_layer, layer, args, path)
    positional = positional_inputs(keras_layer, args, refs or [], path=path)
    kwargs = call_kwargs(keras_layer, layer.get("call") or {}, state.wiring, len(args), path=path)
    out = _call(keras_layer, positional, kwargs, layer, shares, state, path)
    if "weights_file" in layer:
        load_weights_file(keras_layer, layer["weights_file"], state.preset, path=f"{path}.weights_file")
    names = ([] if shares else [keras_layer.name]) + ([str(layer["name"])] if "name" in layer else [])
    state.wiring.add(names, out, i)
    if "name" in layer:
        state.wiring.layers[str(layer["name"])] = keras_layer
        state.first_shapes[str(layer["name"])] = shape_str([tuple(a.shape) for a in args])
    state.out_tensors[i] = out
    shapes = [tuple(t.shape) for t in out] if isinstance(out, (list, tuple)) else tuple(out.shape)
    row = LayerRow(
        index=i,
        name=str(layer.get("name", keras_layer.name)),
        type=kind,
        args=main_args(layer),
        output_shape=outputs_str(shapes) if isinstance(shapes, list) else shape_str(shapes),
        params=0 if shares else keras_layer.count_params(),
        trainable=bool(keras_layer.trainable),
        inputs=list(refs or []),
        shares=shares,
        outputs=len(out) if isinstance(out, (list, tuple)) else 1,
    )
    row.adapt = adapted
    return out, row


def check_single_heads(preset: Preset, heads: list[int], out_tensors: dict[int, Any]) -> None:
    """A model output is one tensor: a row that returns several cannot be one."""
    for i in heads:
        out = out_tensors.get(i)
        if isinstance(out, (list, tuple)):
            name = preset.layers[i].get("name", f"layers[{i}]")
            raise SpecError(
                f"{name} returns {len(out)} tensors, so it cannot be a model output: add a row that takes one of them"
                f' (inputs = ["{name}[0]"])',
                path=f"layers[{i}]",
            )
