"""The add/edit dialog for one preprocessing step: the layer dialog over ``tuitrain.data``'s ops.

The picker lists ``OPS`` (searchable as you type), the form is the chosen op's signature
(``tuitrain.data.params.op_params``); it dismisses with ``{"op": name, <non-default args>}``.
"""

from __future__ import annotations

from typing import Any

from tuitrain.catalogue.params import Param
from tuitrain.ui.screens.dialogs.layer_form import LayerFormScreen


class StepFormScreen(LayerFormScreen):
    KIND = "preprocessing op"
    TYPE_KEY = "op"
    META_KEYS: tuple[str, ...] = ()

    def __init__(self, step: dict[str, Any] | None = None, *, title: str = "Add a preprocessing step") -> None:
        super().__init__(step, title=title)

    def type_names(self) -> list[str]:
        from tuitrain.data import OPS

        return list(OPS)

    def type_summary(self, name: str) -> str:
        from tuitrain.data.params import op_summary

        return f"[b]{name}[/b]: {op_summary(name)}"

    def type_params(self, name: str) -> list[Param]:
        from tuitrain.data.params import op_params

        return op_params(name)

    def folded_params(self, name: str) -> list[str]:
        return []
