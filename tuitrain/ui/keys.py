"""Key names for help and palette text, read from the bindings (and the user's keymap).

Bindings can be remapped (``App.set_keymap`` by binding id), so no text names a key by hand:
the help screen and the palette's hints ask here which keys trigger an action now.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from textual.app import App
from textual.binding import Binding, BindingType, Keymap


class RemappableKeys:
    """Mix in before ``App``: remembers the keymap it was given.

    Textual applies a keymap but keeps it private, and help text must show the keys as remapped;
    so the app records what passes through the two public doors, ``set_keymap`` and
    ``update_keymap``.
    """

    keymap: Mapping[str, str] = MappingProxyType({})  # binding id → keys, as the user gave them

    def set_keymap(self, keymap: Keymap) -> None:
        super().set_keymap(keymap)  # type: ignore[misc]
        self.keymap = MappingProxyType(dict(keymap))

    def update_keymap(self, keymap: Keymap) -> None:
        super().update_keymap(keymap)  # type: ignore[misc]
        self.keymap = MappingProxyType({**self.keymap, **keymap})


def as_binding(item: BindingType) -> Binding:
    return item if isinstance(item, Binding) else Binding(*item)


def binding_keys(app: App, binding: Binding) -> list[str]:
    """The keys of ``binding`` as the footer shows them, after the app's keymap."""
    keymap = app.keymap if isinstance(app, RemappableKeys) else {}
    keys = keymap.get(binding.id, binding.key) if binding.id else binding.key
    return [app.get_key_display(Binding(k.strip(), binding.action)) for k in keys.split(",") if k.strip()]


def action_keys(app: App, bindings: Iterable[BindingType], action: str) -> list[str]:
    """Every key bound to ``action`` among ``bindings``."""
    return [key for item in bindings if (b := as_binding(item)).action == action for key in binding_keys(app, b)]


def binding_rows(app: App, bindings: Iterable[BindingType]) -> list[tuple[str, str]]:
    """(keys, description) for the bindings that have a description (the help screen's rows)."""
    rows = []
    for item in bindings:
        binding = as_binding(item)
        if binding.description:
            rows.append((", ".join(binding_keys(app, binding)), binding.description))
    return rows


def with_keys(help_text: str, keys: list[str]) -> str:
    """A palette hint with its keys appended: ``"remove the selected layer (d, delete)"``."""
    return f"{help_text} ({', '.join(keys)})" if keys else help_text
