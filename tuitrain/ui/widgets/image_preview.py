"""Images drawn in the terminal with half blocks: each cell is ▀ with the top pixel as
foreground and the bottom pixel as background, so a cell holds two pixel rows."""

from __future__ import annotations

from typing import Any

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

MAX_SIDE = 32  # pixels; larger images are sampled down (nearest neighbour)


def to_rgb(image: Any) -> Any:
    """uint8 (H, W, 3) from (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), scaled by its own min/max."""
    import numpy as np

    a = np.asarray(image, dtype=np.float64)
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    if a.ndim == 3 and a.shape[-1] == 4:
        a = a[..., :3]
    finite = a[np.isfinite(a)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    scaled = np.zeros_like(a) if hi <= lo else (np.nan_to_num(a, nan=lo) - lo) / (hi - lo)
    grey = (np.clip(scaled, 0, 1) * 255).astype(np.uint8)
    if grey.ndim == 2:
        grey = np.stack([grey] * 3, axis=-1)
    return grey


def downsample(image: Any, max_side: int = MAX_SIDE) -> Any:
    import numpy as np

    h, w = image.shape[:2]
    step = max(1, int(np.ceil(max(h, w) / max_side)))
    return image[::step, ::step]


def is_image_tensor(shape: tuple) -> bool:
    """(N, H, W), (N, H, W, 1|3|4) with H, W ≥ 8: shown as pictures."""
    if len(shape) == 3:
        return shape[1] >= 8 and shape[2] >= 8
    if len(shape) == 4:
        return shape[1] >= 8 and shape[2] >= 8 and shape[3] in (1, 3, 4)
    return False


def half_block_lines(image: Any) -> list[list[Segment]]:
    """Segments per terminal row for one RGB uint8 image."""
    import numpy as np

    rgb = downsample(to_rgb(image))
    h, w = rgb.shape[:2]
    if h % 2:
        rgb = np.concatenate([rgb, np.zeros((1, w, 3), np.uint8)])
    rows = []
    for y in range(0, rgb.shape[0], 2):
        segments = []
        for x in range(w):
            top, bottom = rgb[y, x], rgb[y + 1, x]
            style = Style(color=Color.from_rgb(*map(int, top)), bgcolor=Color.from_rgb(*map(int, bottom)))
            segments.append(Segment("▀", style))
        rows.append(segments)
    return rows


class ImagePreview(Widget):
    """A row of image samples with their captions (index and label)."""

    DEFAULT_CSS = """
    ImagePreview { height: auto; width: 1fr; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._lines: list[list[Segment]] = []
        self._images: list[tuple[Any, str]] = []

    def show(self, images: list[Any], captions: list[str]) -> None:
        """Lay the images out left to right (as many as fit) with a caption under each."""
        self._images = list(zip(images, captions))
        self._layout()

    def clear(self) -> None:
        self._images = []
        self._lines = []
        self.refresh(layout=True)

    def on_resize(self) -> None:
        if self._images:
            self._layout()

    def _layout(self) -> None:
        import numpy as np

        width = max(self.size.width, 20)
        blocks = []
        used = 0
        for image, caption in self._images:
            h, w = np.shape(image)[:2]
            w = len(range(0, w, max(1, int(np.ceil(max(h, w) / MAX_SIDE)))))  # width after downsample()
            if blocks and used + w + 1 > width:
                break  # only the images that fit are drawn
            lines = half_block_lines(image)
            blocks.append((lines, caption, w))
            used += w + 1
        height = max((len(lines) for lines, _, _ in blocks), default=0)
        out: list[list[Segment]] = []
        for row in range(height + 1):
            segments: list[Segment] = []
            for lines, caption, w in blocks:
                if row < len(lines):
                    segments.extend(lines[row])
                elif row == height:
                    segments.append(Segment(caption[:w].ljust(w)))
                else:
                    segments.append(Segment(" " * w))
                segments.append(Segment(" "))
            out.append(segments)
        self._lines = out
        self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines)

    def render_line(self, y: int) -> Strip:
        if y >= len(self._lines):
            return Strip.blank(self.size.width, self.rich_style)
        # The widget's own colours under the pixels, so padding and captions follow the theme.
        return Strip(self._lines[y]).crop_extend(0, self.size.width, None).apply_style(self.rich_style)

    def caption_text(self) -> Text:
        return Text(" ".join(c for _, c in self._images))
