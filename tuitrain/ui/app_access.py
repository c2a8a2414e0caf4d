"""``self.app`` typed as :class:`TuitrainApp` for panes, screens and the palette provider.

Textual types ``Widget.app`` as a plain ``App``; panes read the app's state (``preset``,
``dataset``, ``build_report``…) and call its methods (``edit_preset``…), so they mix this in
first and the type checker sees the real attributes instead of ``getattr``/``Any`` guesses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from tuitrain.ui.app import TuitrainApp


class AppAccess:
    """Mix in before the Textual base class: ``class LayersPane(AppAccess, Vertical)``."""

    @property
    def app(self) -> TuitrainApp:
        return cast("TuitrainApp", super().app)  # type: ignore[misc]
