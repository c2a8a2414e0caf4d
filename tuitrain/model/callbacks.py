"""`[fit].callbacks` tables → Keras callback objects (any class keras.callbacks exports)."""

from __future__ import annotations

from typing import Any

from tuitrain.catalogue import registry as keras_catalogue
from tuitrain.common.errors import SpecError
from tuitrain.model.messages import clean_keras_message
from tuitrain.model.compile import check_args
from tuitrain.model.confine import confine_args
from tuitrain.model.fallbacks import refuse_fallbacks
from tuitrain.model.keras_objects import checked_tables
from tuitrain.preset.values import typed
from tuitrain.common.suggest import did_you_mean


def callback_classes() -> dict[str, type]:
    """Every callback a preset may name (the catalogue's)."""
    return keras_catalogue.classes("callback")


def resolve_callbacks(fit_spec: dict[str, Any], *, path: str = "fit.callbacks", run_dir: Any = None,
                      writes: list[str] | None = None, trusted: bool = False) -> list[Any]:
    """`[fit].callbacks` tables → Keras callback objects (any class keras.callbacks exports).

    Their paths are confined to ``run_dir`` (``tuitrain.model.confine``); without one (``check``)
    the checks are lexical. What each would write is appended to ``writes``. ``trusted``: the
    person's ``--trust`` (``Preset.trusted``), never a key of the file.
    """
    out = []
    classes = callback_classes()
    for i, value in enumerate(fit_spec.get("callbacks", [])):
        name, args = typed(value)
        here = f"{path}[{i}]"
        cls = classes.get(name)
        if cls is None:
            raise SpecError(
                f"unknown callback '{name}'.{did_you_mean(name, list(classes))} Keras callbacks: {', '.join(sorted(classes))}.",
                path=here,
            )
        check_args(cls, args, what=name, path=here)
        checked_tables(args, path=here)  # a serialized Keras dict among the arguments names a catalogue class
        args, notes = confine_args(cls, args, run_dir=run_dir, trusted=trusted, where=here)
        if writes is not None:
            writes.extend(notes)
        with refuse_fallbacks(name, path=here, keys=args):
            try:
                out.append(cls(**args))
            except Exception as err:  # noqa: BLE001 - Keras raises many types
                raise SpecError(f"Keras cannot create {name}: {clean_keras_message(err)}", path=here) from None
    return out

