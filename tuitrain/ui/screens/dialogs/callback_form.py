"""The add/edit dialog for one ``[fit].callbacks`` entry: any class ``keras.callbacks`` exports.

The layer dialog with another namespace: a searchable picker over ``keras_catalogue.class_names("callback")``
and a form from the chosen callback's constructor (``EarlyStopping(patience=..., monitor=...)``).
"""

from __future__ import annotations

from tuitrain.ui.screens.dialogs.layer_form import LayerFormScreen


class CallbackFormScreen(LayerFormScreen):
    """Dismisses with ``{"type": "EarlyStopping", <non-default args>}`` or None."""

    KIND = "callback"

    def __init__(self, callback: dict | None = None, *, title: str = "Add a callback") -> None:
        super().__init__(callback, title=title)
