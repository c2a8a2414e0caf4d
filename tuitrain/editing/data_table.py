"""What the data editor does to a preset's [data] table: source, options, split and preprocessing steps.

Pure rules on plain dicts (no Textual, no data loading): the Data pane's editor calls them inside
``app.edit_preset``; the words its rows show are here too, so they are tested without an app.
"""

from __future__ import annotations

from typing import Any

from tuitrain.catalogue.form_values import format_value

# [data] keys that are not options of the source.
COMMON_KEYS = ("source", "validation_split", "preprocess")


def steps(data: dict[str, Any]) -> list[Any]:
    """The preprocessing steps, in order (a copy; none when the key is absent or not a list)."""
    found = data.get("preprocess", [])
    return list(found) if isinstance(found, list) else []


def set_steps(data: dict[str, Any], new_steps: list[Any]) -> None:
    """Write ``new_steps`` into ``data`` (no steps: the ``preprocess`` key goes, as a user would leave it)."""
    if new_steps:
        data["preprocess"] = list(new_steps)
    else:
        data.pop("preprocess", None)


def replace_step(data: dict[str, Any], index: int, row: Any) -> None:
    """Step ``index`` becomes ``row`` (an edited step)."""
    current = steps(data)
    current[index] = row
    set_steps(data, current)


def insert_step(data: dict[str, Any], at: int, row: Any) -> None:
    """``row`` becomes step ``at``; the steps from there on move down."""
    current = steps(data)
    current.insert(at, row)
    set_steps(data, current)


def remove_step(data: dict[str, Any], index: int) -> None:
    """Step ``index`` goes; the last one removed takes the ``preprocess`` key with it."""
    set_steps(data, [step for i, step in enumerate(steps(data)) if i != index])


def moved(items: list[Any], index: int, delta: int) -> list[Any] | None:
    """``items`` with the one at ``index`` moved by ``delta`` places; None when it would leave the list."""
    target = index + delta
    if not (0 <= index < len(items) and 0 <= target < len(items)):
        return None
    out = list(items)
    out.insert(target, out.pop(index))
    return out


def source_option_values(data: dict[str, Any]) -> dict[str, Any]:
    """The options the [data] table sets for its source (everything but the common keys)."""
    return {k: v for k, v in data.items() if k not in COMMON_KEYS}


def with_options(data: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """[data] with its source options and validation split replaced by ``values``; source and steps kept."""
    out: dict[str, Any] = {"source": data.get("source")}
    out.update({k: v for k, v in values.items() if k != "validation_split"})
    if "validation_split" in values:
        out["validation_split"] = values["validation_split"]
    if "preprocess" in data:
        out["preprocess"] = data["preprocess"]
    return out


def with_source(data: dict[str, Any], source: str, options: dict[str, Any], accepted: set[str]) -> dict[str, Any]:
    """[data] for a new source: the old options the new source still takes, then the chosen ones."""
    kept = {k: v for k, v in source_option_values(data).items() if k in accepted}
    out: dict[str, Any] = {"source": source, **kept, **options}
    for key in ("validation_split", "preprocess"):
        if key in data:
            out[key] = data[key]
    return out


def short_value(value: Any, width: int = 24) -> str:
    """A value as the preset would spell it, cut to ``width`` characters with an ellipsis."""
    text = format_value(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def step_text(step: Any) -> str:
    """A step as its row shows it: ``reshape(shape=[28, 28, 1])``."""
    if not isinstance(step, dict):
        return str(step)
    args = ", ".join(f"{k}={format_value(v)}" for k, v in step.items() if k != "op")
    return f"{step.get('op', '?')}({args})"


def source_summary(source: str) -> str:
    """The hint above a source's options form: where its options go, what the split means."""
    kind = source.split(":", 1)[0]
    return {
        "synthetic": "Options of the generator; the preset's seed makes the samples.",
        "sklearn": "Arguments of scikit-learn's loader.",
        "keras": "Arguments of the Keras loader.",
        "file": "How to read the file; relative paths are relative to the preset's folder.",
        "folder": "How to read the images (one subfolder per class).",
    }.get(kind, "") + " validation_split: the fraction held out (unset: the source's test split, else 0.2)."
