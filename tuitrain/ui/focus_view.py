"""Keep the focused widget and its message on screen (80×24 is the design size, issue #24).

Textual scrolls a widget into view when it gets focus, but not when the layout moves it later:
an error line appearing under a field, a folded "more" section opening, a form rebuilt above it.
Then the next keys go into a field nobody can see.  ``FocusInView`` (an app mixin) listens to
every screen's layout signal and, when the layout has moved the focused widget or its field row
(``.field``: name, control, error and warning lines together), scrolls that row back into view.

A scroll the user makes (pagedown, the mouse) does not move the row within its container, so it
is left alone: only focus changes and layout changes bring the focused row back.
"""

from __future__ import annotations

import weakref

from textual import events
from textual.dom import NoScreen
from textual.errors import NoWidget
from textual.geometry import Region
from textual.screen import Screen
from textual.widget import Widget

# A form row that holds a control with its name, error and warning lines (``ParamForm``, dialogs).
FIELD_CLASS = "field"


def focus_target(widget: Widget) -> Widget:
    """What must be seen along with a focused widget: its ``.field`` row, else the widget itself."""
    for node in widget.ancestors_with_self:
        if isinstance(node, Screen) or not isinstance(node, Widget):
            break
        if node.has_class(FIELD_CLASS):
            return node
    return widget


def shown_part(widget: Widget) -> tuple[Region, Region]:
    """(the widget's screen region, the part of it not clipped by scrolling); empty when not laid out."""
    try:
        geometry = widget.screen.find_widget(widget)
    except (NoWidget, Exception):  # noqa: BLE001 - not on a screen (yet): nothing is shown
        return Region(), Region()
    return geometry.region, geometry.visible_region


def fully_visible(widget: Widget) -> bool:
    region, visible = shown_part(widget)
    return bool(region.height) and visible == region


def partly_visible(widget: Widget) -> bool:
    return bool(shown_part(widget)[1].area)


def layout_place(widget: Widget) -> tuple[Region, Region]:
    """Where ``widget`` sits with every scroll undone, and the region of the container scrolling it:
    both change when the layout moves it, neither when the user scrolls."""
    region = shown_part(widget)[0]
    container = Region()
    for node in widget.ancestors:
        if not isinstance(node, Widget):
            break
        if node.is_scrollable:
            region = region.translate(node.scroll_offset)
            if not container:
                container = shown_part(node)[0]
    return region, container


def reveal(widget: Widget) -> None:
    """Scroll every container above ``widget`` so it and its field row are in view (no animation)."""
    target = focus_target(widget)
    if fully_visible(target):
        return
    # Centred, as Textual places a newly focused widget (origin_visible: a tall row shows its top).
    widget.screen.scroll_to_center(target, animate=False, origin_visible=True, immediate=True)
    if target is not widget and not fully_visible(widget):
        widget.screen.scroll_to_center(widget, animate=False, origin_visible=True, immediate=True)


class FocusInView:
    """App mixin: after each layout of the current screen, bring the focused row back into view."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._watched_screens: weakref.WeakSet[Screen] = weakref.WeakSet()
        # (focused widget, where its row would be unscrolled, its scroll container's region) last seen.
        self._last_focus_layout: tuple[int, Region, Region] | None = None

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        try:
            screen = event.widget.screen
        except NoScreen:  # removed before this message arrived (a key storm closing a dialog)
            return
        if screen not in self._watched_screens and screen.is_running:
            self._watched_screens.add(screen)
            screen.screen_layout_refresh_signal.subscribe(screen, self._screen_laid_out)
        # Textual centres a newly focused widget itself: note where it is, and keep it in view from there.
        self._last_focus_layout = None
        screen.call_after_refresh(self._note_layout, screen)

    def _note_layout(self, screen: Screen) -> bool:
        """Remember where the focused row sits; True when the layout moved it since last time."""
        focused = screen.focused
        if focused is None or screen is not screen.app.screen:
            return False
        layout = (id(focused), *layout_place(focus_target(focused)))
        moved = layout != self._last_focus_layout
        self._last_focus_layout = layout
        return moved

    def _screen_laid_out(self, screen: Screen) -> None:
        if self._note_layout(screen):  # not only a scroll since (the user's own is left alone)
            reveal(screen.focused)
