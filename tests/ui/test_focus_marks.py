"""Focus is visible in every theme the app offers (issue #24): a focused widget is drawn differently."""

from __future__ import annotations

from tests.ui.waiting import wait_ready
from tuitrain.ui.focus_view import focus_target

# One widget of each kind per pane (lists, tables, fields, selects, switches, the pane itself).
WIDGETS = {
    "data": ["#data-editor", "#tensor-list", "#tensor-detail", "#slice-index"],
    "layers": ["#layer-table"],
    "compile": ["#optimizer", "#field-epochs", "#field-amsgrad", "#loss", "#metrics", "#phases", "#callbacks"],
    "train": ["TrainPane", "#train-epochs"],
}


def themes_to_check(app) -> list[str]:
    """The ANSI themes (where tints and alpha vanish) and the two defaults.  The other colour
    themes share the defaults' CSS variables; a sweep over all 21 passed once (8 min, too slow here)."""
    return [name for name, theme in app.available_themes.items()
            if theme.name in ("textual-dark", "textual-light") or name.startswith("ansi")]


def drawn(app, widget) -> list:
    """The screen cells of the widget's row (``.field``: name, control, messages) as drawn now."""
    region = app.screen.find_widget(focus_target(widget)).visible_region
    strips = app.screen._compositor.render_strips()
    return [list(strip.crop(region.x, region.right)) for strip in strips[region.y:region.bottom]]


async def test_the_focused_widget_looks_different_in_every_theme(open_app):
    async with open_app("spiral_mlp") as (app, pilot):
        await wait_ready(pilot)
        unmarked: dict[str, list[str]] = {}
        for pane, selectors in WIDGETS.items():
            app.action_show_pane(pane)
            await pilot.pause()
            widgets = [app.query_one(f"#panes TabPane#{pane}").query_one(s) for s in selectors]
            for theme in themes_to_check(app):
                app.theme = theme
                for widget in widgets:
                    widget.focus()
                    await pilot.pause()
                    focused = drawn(app, widget)
                    app.set_focus(None)
                    await pilot.pause()
                    if drawn(app, widget) == focused:
                        unmarked.setdefault(theme, []).append(f"{pane} {widget.id or type(widget).__name__}")
        assert len(themes_to_check(app)) >= 4
        assert not unmarked, f"focus not visible: {unmarked}"
