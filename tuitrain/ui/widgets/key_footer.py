"""The footer: the focused widget's keys first, then its pane's or screen's, then the app's.

Textual's ``Footer`` lists the active bindings in the order their nodes first bound a key, so a
priority binding or an app key that Textual itself declared first (``ctrl+q``) can come before the
focused list's own keys and push them off an 80-column terminal.  This one orders them as the help
screen groups them (``tuitrain.ui.context_keys``), then draws them as Textual does.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from tuitrain.ui.context_keys import context_sections


class KeyFooter(Footer):
    """A ``Footer`` whose keys follow the focus: here, then the pane or screen, then everywhere."""

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        active = self.screen.active_bindings
        order = {(id(row.node), row.action): index
                 for index, row in enumerate(r for s in context_sections(self.screen, elsewhere_too=False) for r in s.rows)}
        shown = [(order.get((id(node), binding.action), len(order)), key, binding, enabled, tooltip)
                 for key, (node, binding, enabled, tooltip) in active.items() if binding.show]
        actions = list(dict.fromkeys(binding.action for *_, binding, _e, _t in sorted(shown, key=lambda i: i[0])))
        self.styles.grid_size_columns = len(actions)
        drawn: set[str] = set()
        for _rank, _key, binding, enabled, tooltip in sorted(shown, key=lambda item: item[0]):
            if binding.action in drawn:
                continue  # one entry per action, as Textual's footer shows it
            drawn.add(binding.action)
            yield FooterKey(binding.key, self.app.get_key_display(binding), binding.description, binding.action,
                            disabled=not enabled, tooltip=tooltip).data_bind(compact=Footer.compact)
        palette = active.get(self.app.COMMAND_PALETTE_BINDING) if self.app.ENABLE_COMMAND_PALETTE else None
        if self.show_command_palette and palette is not None:
            yield FooterKey(palette.binding.key, self.app.get_key_display(palette.binding), palette.binding.description,
                            palette.binding.action, classes="-command-palette", disabled=not palette.enabled,
                            tooltip=palette.binding.tooltip or palette.binding.description)
