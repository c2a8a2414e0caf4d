"""A widget that draws a plotext 6 figure at its own size (histograms, bar charts…).

The figure is rebuilt in ``render()`` (the textual-plotext pattern; textual-plotext
itself pins plotext 5).  Callers pass a draw function to ``replot``; it receives a
fresh figure, already sized, with a colourless frame on the terminal's own
background, and the theme's colours as plotext markers, so the plot reads in light,
dark and 16-colour terminals.  The last result is cached per (size, version, theme).
"""

from __future__ import annotations

from typing import Any, Callable

from rich.text import Text
from textual.color import Color
from textual.widget import Widget

DrawFn = Callable[[Any, list[Any]], None]
THEME_COLOURS = ("primary", "secondary", "accent", "success", "warning", "error")


def bar_marker(rgb: tuple[int, int, int]) -> Any:
    """A solid plotext marker in one colour."""
    import plotext

    return plotext.marker("full", pixel=plotext.pixel(foreground=rgb))


class PlotextView(Widget):
    """``replot(draw)`` to change what is drawn; ``draw(figure, markers)`` is called at render time."""

    DEFAULT_CSS = """
    PlotextView { height: 12; width: 1fr; }
    """

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._draw: DrawFn | None = None
        self._version = 0
        self._cache_key: tuple | None = None
        self._cache: Text = Text("")

    def replot(self, draw: DrawFn | None) -> None:
        """Draw with ``draw`` from now on (None: empty)."""
        self._draw = draw
        self._version += 1
        self.refresh()

    def theme_rgb(self) -> list[tuple[int, int, int]]:
        """The theme's accent colours as RGB (primary first)."""
        theme = self.app.current_theme
        out = []
        for key in THEME_COLOURS:
            value = getattr(theme, key, None)
            if value:
                colour = Color.parse(value)
                out.append((colour.r, colour.g, colour.b))
        return out or [(0, 128, 255)]

    def render(self) -> Text:
        width, height = self.size
        if self._draw is None or width < 12 or height < 4:
            return Text("")
        key = (width, height, self._version, self.app.current_theme.name)
        if key != self._cache_key:
            self._cache = self._build(width, height)
            self._cache_key = key
        return self._cache

    def _build(self, width: int, height: int) -> Text:
        import plotext
        from plotext._plotter.plot import plot_class

        plotext.terminal.limit(False, False)  # the widget, not the real terminal, sets the size
        figure = plot_class(parent=plotext.terminal)
        figure.theme("colorless")
        figure.canvas("default")  # the widget's own background shows through
        figure.plot_size(width, height)
        try:
            self._draw(figure, [bar_marker(rgb) for rgb in self.theme_rgb()])
            text = figure.build().string()
        except Exception as err:  # noqa: BLE001 - a plot that cannot be drawn must not take the app down
            return Text(f"(cannot draw: {err})", style="italic")
        return Text.from_ansi(text, no_wrap=True, overflow="crop")
