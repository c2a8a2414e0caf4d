"""The add/edit dialog for one layer: a searchable type picker, then a form from its signature.

The picker lists every class ``keras.layers`` exports (``keras_catalogue.layer_class_names``); the
form is ``ParamForm`` over ``keras_params.constructor_params("layer", type)``.  The dialog returns
the preset row (``{"type": ..., <non-default args>, "inputs": [...]}``) or None when cancelled.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tuitrain.ui.widgets.lists import SteadyOptionList
from tuitrain.catalogue import registry as keras_catalogue
from tuitrain.catalogue import params as keras_params
from tuitrain.editing.layers import parse_inputs, retyped
from tuitrain.model import LAYER_META_KEYS
from tuitrain.preset.values import DEFAULT_INPUT
from tuitrain.ui.screens.dialogs.form_dialog import FormDialog
from tuitrain.ui.widgets.forms import ParamForm

# A wrapper's arguments that hold layers: edited as a nested form, not as text.
INNER_KEYS = ("layer", "backward_layer")


def rank_names(query: str, names: list[str]) -> list[str]:
    """Names containing ``query`` (any case): exact match first, then prefixes, then the rest."""
    q = query.strip().lower()
    if not q:
        return list(names)
    hits = [n for n in names if q in n.lower()]
    return sorted(hits, key=lambda n: (n.lower() != q, not n.lower().startswith(q), len(n), n.lower()))


class LayerFormScreen(FormDialog[dict]):
    """Pick a layer type and fill in its arguments; dismisses with the preset row or None.

    ``KIND`` says which Keras namespace the picker lists (``callback_form`` reuses the dialog).
    """

    KIND = "layer"
    ENTER_ELSEWHERE = frozenset({"type-search"})  # Enter there picks the highlighted type
    TYPE_KEY = "type"  # the row's key that names the chosen class (a preprocessing step says "op")
    META_KEYS: tuple[str, ...] = LAYER_META_KEYS  # row keys that are no constructor arguments

    DEFAULT_CSS = (Path(__file__).with_name("layer_form.tcss")).read_text(encoding="utf-8")
    BINDINGS = [
        Binding("ctrl+t", "pick_type", "Type"),
    ]

    def __init__(
        self,
        layer: dict[str, Any] | None = None,
        *,
        title: str = "Add layer",
        first: bool = False,
        functional: bool = False,
        available_inputs: list[str] | None = None,
    ) -> None:
        super().__init__()
        self.row = dict(layer or {})
        self.title_text = title
        self.first = first
        self.functional = functional
        self.available_inputs = list(available_inputs or [DEFAULT_INPUT])
        self.layer_type: str | None = self.row.get(self.TYPE_KEY)
        self._names = self.type_names()
        self._inner_shown: str | None = None  # the wrapped layer type whose form is on screen
        self._form_lock = asyncio.Lock()  # one type's form is built at a time (keys come in bursts)

    # ------------------------------------------------------------------ what the picker offers (subclasses change it)

    def type_names(self) -> list[str]:
        if self.KIND == "layer":
            return keras_catalogue.layer_type_names()  # keras.layers and the keras.applications backbones
        return list(keras_catalogue.class_names(self.KIND))

    def type_summary(self, name: str) -> str:
        info = keras_catalogue.class_info(self.KIND, name)
        alias = f" (alias of {info.alias_of})" if info.alias_of else ""
        return f"[b]{name}[/b]{alias}: {info.summary}"

    def type_params(self, name: str) -> list[keras_params.Param]:
        return keras_params.constructor_params(self.KIND, name)

    def folded_params(self, name: str) -> list[str]:
        return keras_params.common_param_names(self.KIND, name)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="modal-box"):
            yield Static(self.title_text, id="dialog-title")
            with Horizontal(id="dialog-body"):
                with Vertical(id="picker"):
                    yield Input(placeholder=f"search {self.KIND} types", id="type-search", compact=True)
                    yield SteadyOptionList(*[Option(n, id=n) for n in self._names], id="type-list")
                with VerticalScroll(id="form-area"):
                    yield Static(self._summary(), id="type-summary")
                    if self.functional:
                        with Horizontal(id="inputs-row", classes="field"):
                            yield Label("inputs", classes="field-name")
                            with Vertical(classes="field-body"):
                                yield Input(
                                    ", ".join(self._as_list(self.row.get("inputs", []))),
                                    placeholder=", ".join(self.available_inputs[-1:]),
                                    id="layer-inputs",
                                    compact=True,
                                    tooltip="Layers whose outputs feed this one: " + ", ".join(self.available_inputs),
                                )
                                yield Static("", id="inputs-error", classes="field-error")
            with Horizontal(id="dialog-buttons"):
                yield Static("enter/ctrl+s OK · esc cancel · ctrl+t type", id="dialog-hint")
                yield Button("OK", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    @staticmethod
    def _as_list(value: Any) -> list:
        return value if isinstance(value, list) else ([value] if value else [])

    def _summary(self) -> str:
        if not self.layer_type:
            return f"Choose a {self.KIND} type: type to search, Enter to pick."
        return self.type_summary(self.layer_type)

    async def on_mount(self) -> None:
        if self.layer_type:
            await self._show_form(self.layer_type)
            self._highlight(self.layer_type)
            self._focus_start()
        else:
            self.query_one("#type-search", Input).focus()

    # ------------------------------------------------------------------ picking the type

    def _highlight(self, name: str) -> None:
        options = self.query_one("#type-list", OptionList)
        try:
            options.highlighted = options.get_option_index(name)
        except Exception:  # noqa: BLE001 - the name may be filtered out
            pass

    @on(Input.Changed, "#type-search")
    def _filter(self, event: Input.Changed) -> None:
        event.stop()
        options = self.query_one("#type-list", OptionList)
        hits = rank_names(event.value, self._names)
        options.set_options([Option(n, id=n) for n in hits])
        if hits:
            options.highlighted = 0

    @on(Input.Submitted, "#type-search")
    async def _pick_from_search(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one("#type-list", OptionList)
        option = options.highlighted_option
        if option is None:
            self.notify(f"No {self.KIND} type matches the search.", severity="warning")
            return
        await self._choose(str(option.id))

    @on(OptionList.OptionSelected, "#type-list")
    async def _pick_from_list(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        await self._choose(str(event.option.id))

    async def _choose(self, name: str) -> None:
        # Two enters in one burst choose twice: the second waits until the first form is mounted,
        # else each removes the form the other is about to focus (NoMatches).
        async with self._form_lock:
            await self._choose_now(name)

    async def _choose_now(self, name: str) -> None:
        if not self.is_attached:  # dismissed while an earlier choice was mounting
            return
        if self.layer_type and name != self.layer_type:
            # Keep the values the new type also accepts, as typed so far (units from Dense to EinsumDense…).
            typed = self._typed_values() if self.query("#layer-params") else self.row
            self.row = retyped(self.row, typed, {p.name for p in self.type_params(name)}, self.META_KEYS)
        self.layer_type = name
        await self._show_form(name)
        if self.is_attached:
            self._focus_start()

    def call_form(self, name: str) -> ParamForm | None:
        """The row's ``call = { ... }`` table as a form over the layer's call() (layers only)."""
        if self.KIND != "layer":
            return None
        params = list(keras_params.call_params(name))
        if not params:
            return None
        values = dict(self.row.get("call") or {})
        return ParamForm(params, values, folded=[p.name for p in params if p.name not in values][3:],
                         id="call-params", classes="subform")

    async def _show_form(self, name: str) -> None:
        for old in [*self.query(ParamForm), *self.query("#inner-type-row"), *self.query("#call-title")]:
            await old.remove()
        self.query_one("#type-summary", Static).update(self._summary())
        wrapper = self.KIND == "layer" and keras_catalogue.class_info(self.KIND, name).needs_sublayer
        inner = INNER_KEYS if wrapper else ()
        values = {k: v for k, v in self.row.items() if k not in self.META_KEYS and k != self.TYPE_KEY and k not in inner}
        form = ParamForm(
            [p for p in self.type_params(name) if p.name not in inner],
            values,
            first=("input_shape",) if self.first and not self.functional else (),
            folded=self.folded_params(name),
            id="layer-params",
        )
        await self.query_one("#form-area").mount(form)
        if wrapper:
            # A wrapper's inner layer (Bidirectional's LSTM, TimeDistributed's Dense) is a nested form.
            inner_row = self.row.get("layer") if isinstance(self.row.get("layer"), dict) else {}
            inner_type = str(inner_row.get("type", "LSTM" if name == "Bidirectional" else "Dense"))
            row = Horizontal(Label("inner layer", classes="field-name"),
                             Input(inner_type, id="inner-type", compact=True), id="inner-type-row", classes="field")
            await self.query_one("#form-area").mount(row)
            await self._show_inner(inner_type, {k: v for k, v in inner_row.items() if k != "type"})
        calls = self.call_form(name)
        if calls is not None:
            await self.query_one("#form-area").mount(Static(f"call() of {name}", id="call-title", classes="field-name"))
            await self.query_one("#form-area").mount(calls)

    async def _show_inner(self, inner_type: str, values: dict[str, Any]) -> None:
        for old in self.query("#inner-params"):
            await old.remove()
        self._inner_shown = inner_type
        if inner_type not in self._names:
            return
        form = ParamForm(keras_params.constructor_params(self.KIND, inner_type), values,
                         folded=keras_params.common_param_names(self.KIND, inner_type), id="inner-params", classes="subform")
        await self.query_one("#form-area").mount(form)

    @on(Input.Changed, "#inner-type")
    async def _inner_type_changed(self, event: Input.Changed) -> None:
        event.stop()
        name = event.value.strip()
        async with self._form_lock:
            if self.is_attached and name in self._names and name != self._inner_shown:
                await self._show_inner(name, {})

    def _typed_values(self) -> dict[str, Any]:
        """What the form holds now that parses (values being typed count; broken ones are dropped)."""
        values, _ = self.query_one("#layer-params", ParamForm).read_all()
        return values

    def _focus_start(self) -> None:
        """Where typing should go: the first required field, else the first text field, else OK.

        Enter in a text field means OK, so a layer with nothing required (Flatten) is added with
        a single Enter; a select would swallow that Enter to open its list.
        """
        forms = self.query("#layer-params").results(ParamForm)
        form = next(forms, None)
        if form is None:
            return
        controls = [(p, form.query_one(f"#field-{p.name}")) for p in form.params if p not in form.folded]
        target = next((c for p, c in controls if p.required), None) or next(
            (c for _, c in controls if isinstance(c, Input)), None
        )
        (target or self.query_one("#ok", Button)).focus()

    def action_pick_type(self) -> None:
        self.query_one("#type-search", Input).focus()

    # ------------------------------------------------------------------ finishing

    def result(self) -> dict[str, Any] | None:
        """The preset row the form describes, or None (errors shown under the fields)."""
        if not self.layer_type:
            self.notify(f"Choose a {self.KIND} type first.", severity="warning")
            return None
        form = next(self.query("#layer-params").results(ParamForm), None)
        if form is None:  # the chosen type's form is still being mounted
            return None
        if not form.validate_all():
            return None
        args, _ = form.non_default_values()
        row: dict[str, Any] = {self.TYPE_KEY: self.layer_type, **args}
        if self.query("#inner-type"):
            inner_type = self.query_one("#inner-type", Input).value.strip()
            if inner_type not in self._names or not self.query("#inner-params"):
                self.notify(f"'{inner_type}' is no Keras layer: name the wrapped layer (e.g. LSTM).", severity="warning")
                return None
            inner = self.query_one("#inner-params", ParamForm)
            if not inner.validate_all():
                return None
            inner_args, _ = inner.non_default_values()
            row["layer"] = {"type": inner_type, **inner_args}
            if isinstance(self.row.get("backward_layer"), dict):
                row["backward_layer"] = self.row["backward_layer"]  # kept as written (edited in the preset file)
        if self.query("#call-params"):
            calls = self.query_one("#call-params", ParamForm)
            if not calls.validate_all():
                return None
            call_args, _ = calls.non_default_values()
            if call_args:
                row["call"] = call_args
        if self.row.get("adapt"):
            row["adapt"] = True  # the layer learns from the data, as before the edit
        for key in ("call", "weights_file"):  # not constructor arguments: kept as written (edited in the preset file)
            if key in self.row and not (key == "call" and self.query("#call-params")):  # the call() form edits it
                row[key] = self.row[key]
        if self.functional:
            error = self.query_one("#inputs-error", Static)
            try:
                text = self.query_one("#layer-inputs", Input).value or self.available_inputs[-1]
                row["inputs"] = parse_inputs(text, self.available_inputs)
            except ValueError as err:
                error.update(str(err))
                error.add_class("-shown")
                self.query_one("#layer-inputs", Input).focus()
                return None
            error.remove_class("-shown")
        return row
