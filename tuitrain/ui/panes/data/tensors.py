"""The tensors the Data pane lists, and how each is made off the UI thread.

Three sources feed the list: the data set's arrays, the built model's weights and the tensor
playground.  Each becomes a :class:`TensorEntry` (the array and its ``tuitrain check`` numbers);
computing those numbers can take a while on a large data set, so the pane's thread workers call
these functions and post the messages defined here back to the pane.  No widgets here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.message import Message
from textual.widgets.option_list import Option

# numpy and tuitrain.data are imported inside functions: the pane imports this module before the
# first paint and neither is needed until data arrives.


@dataclass
class TensorEntry:
    key: str  # option id: "data:x_train", "weights:dense/kernel", "playground"
    label: str
    group: str  # data | weights | playground
    array: Any  # np.ndarray
    stats: Any  # tuitrain.data.TensorStats
    kind: str = ""  # "tf.Tensor" / "np.ndarray" for playground results


class TensorsDescribed(Message):
    def __init__(self, group: str, entries: list[TensorEntry], token: object) -> None:
        super().__init__()
        self.group = group
        self.entries = entries
        self.token = token


class PlaygroundDone(Message):
    def __init__(self, entry: TensorEntry | None, error: str | None) -> None:
        super().__init__()
        self.entry = entry
        self.error = error


def describe_all(group: str, arrays: list[tuple[str, Any]]) -> list[TensorEntry]:
    from tuitrain.data import describe

    return [TensorEntry(f"{group}:{name}", name, group, array, describe(name, array)) for name, array in arrays]


def model_weights(model: Any) -> list[tuple[str, Any]]:
    """(layer/weight, values) for every weight of every layer, in layer order."""
    import numpy as np

    out = []
    seen: set[str] = set()
    for layer in model.layers:
        for weight in layer.weights:
            short = str(getattr(weight, "name", "w")).split("/")[-1].split(":")[0]
            label = f"{layer.name}/{short}"
            if label in seen:  # a wrapper's two inner layers (Bidirectional) name their weights alike
                label = str(getattr(weight, "path", label))
            seen.add(label)
            out.append((label, np.asarray(weight.numpy())))
    return out


def evaluate_playground(text: str) -> PlaygroundDone:
    """The playground's answer to ``text``: an entry, or the error to show under the input."""
    from tuitrain.data import describe
    from tuitrain.data.playground import PlaygroundError, as_numpy, evaluate, kind_of

    try:
        value = evaluate(text)
        array = as_numpy(value)
        label = text.strip()
        entry = TensorEntry("playground", label, "playground", array, describe(label, array), kind=kind_of(value))
    except PlaygroundError as err:
        return PlaygroundDone(None, str(err))
    except Exception as err:
        return PlaygroundDone(None, f"could not evaluate that: {type(err).__name__}: {err}")
    return PlaygroundDone(entry, None)


def tensor_options(groups: dict[str, list[TensorEntry]]) -> list[Option | None]:
    """The tensor list's rows: a bold title per non-empty group, then its entries (long names cut)."""
    options: list[Option | None] = []
    titles = {"data": "data", "weights": "weights", "playground": "playground"}
    for name, items in groups.items():
        if not items:
            continue
        options.append(Option(Text(titles[name], style="bold"), disabled=True))
        options.extend(Option(f" {e.label if len(e.label) <= 19 else e.label[:18] + '…'}", id=e.key) for e in items)
    return options
