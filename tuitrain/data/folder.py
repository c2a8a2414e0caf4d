"""`folder:<dir>`: one subfolder per class, each holding images (PNG/JPEG/...), read with Pillow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tuitrain.data.dataset import RawData, SourceCode
from tuitrain.data.source_options import signature_options
from tuitrain.common import limits
from tuitrain.common.errors import DataError
from tuitrain.common.suggest import did_you_mean

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")
COLOR_MODES = {"rgb": "RGB", "grayscale": "L", "rgba": "RGBA"}


def load_image_folder(root, image_size=None, color_mode="rgb", max_pixels=64 * 1024 * 1024):
    """(x uint8 (N, H, W, C), y int64, class names) from root/<class>/<image>, in sorted order.

    Images are resized (bilinear) to image_size = [height, width], or to the first image's size.
    Only regular files are opened (a FIFO would block, a device never end), and an image's size is
    read from its header before it is decoded: one over max_pixels is an error, not gigabytes.
    """
    import numpy as np
    from pathlib import Path
    from PIL import Image

    mode = {"rgb": "RGB", "grayscale": "L", "rgba": "RGBA"}[color_mode]
    suffixes = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")
    classes = sorted(p.name for p in Path(root).iterdir() if p.is_dir() and not p.name.startswith("."))
    images, labels = [], []
    for label, name in enumerate(classes):
        for file in sorted(Path(root, name).iterdir()):
            if file.suffix.lower() not in suffixes or not file.is_file():
                continue
            with Image.open(file) as img:  # reads the header only
                if img.width * img.height > max_pixels:
                    raise ValueError(f"{file} is {img.width}×{img.height} pixels, over the limit of {max_pixels:,} for one image")
                img = img.convert(mode)
                if image_size is None:
                    image_size = [img.height, img.width]
                if (img.height, img.width) != tuple(image_size):
                    img = img.resize((image_size[1], image_size[0]), Image.BILINEAR)
                pixels = np.asarray(img, dtype=np.uint8)
            images.append(pixels if pixels.ndim == 3 else pixels[:, :, None])
            labels.append(label)
    return np.stack(images), np.array(labels, dtype=np.int64), classes


def skipped_entries(root: Path) -> list[str]:
    """Entries with an image suffix that are not regular files, each with why it is skipped
    (checked with ``stat``, never opened: a FIFO would block the reader)."""
    import stat

    notes = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for entry in sorted(folder.iterdir()):
            if entry.suffix.lower() not in IMAGE_SUFFIXES:
                continue
            try:
                mode = entry.stat().st_mode
            except OSError as err:  # a symlink loop, a dangling link
                notes.append(f"skipped {folder.name}/{entry.name}: {err.strerror or err}")
                continue
            kind = ("a FIFO" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                    else "a folder" if stat.S_ISDIR(mode) else "a socket" if stat.S_ISSOCK(mode) else None)
            if kind:
                notes.append(f"skipped {folder.name}/{entry.name}: {kind}, not an image file")
    return notes


def _first_image_size(root: Path, classes: list[Path]) -> tuple[int, int]:
    """(height, width) of the image load_image_folder resizes every other one to: the first regular
    image file in sorted order, read from its header only."""
    from PIL import Image

    for folder in sorted(classes, key=lambda p: p.name):
        for file in sorted(folder.iterdir()):
            if file.suffix.lower() in IMAGE_SUFFIXES and file.is_file():
                try:
                    with Image.open(file) as img:
                        return img.height, img.width
                except (OSError, ValueError, Image.DecompressionBombError) as err:
                    raise DataError(f"cannot read the images in {root}: {err}", path="data.source") from None
    return 0, 0


class FolderSource:
    kind = "folder"

    def names(self) -> list[str]:
        return []

    def options(self, name: str) -> dict[str, Any]:
        return signature_options(load_image_folder, skip=("root", "max_pixels"))

    def _checked(self, name: str, options: dict[str, Any], base_dir: Path) -> Path:
        root = (base_dir / Path(name).expanduser()).resolve()
        if not root.is_dir():
            raise DataError(f"folder not found: {root} (relative paths are resolved against {base_dir}).", path="data.source")
        mode = options.get("color_mode", "rgb")
        if mode not in COLOR_MODES:
            raise DataError(f"expected one of {', '.join(COLOR_MODES)}, got {mode!r}.{did_you_mean(str(mode), COLOR_MODES)}", path="data.color_mode")
        size = options.get("image_size")
        if size is not None and (
            not isinstance(size, (list, tuple)) or len(size) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in size)
        ):
            raise DataError(f"expected [height, width] in pixels, got {size!r}.", path="data.image_size")
        if size is not None and size[0] * size[1] > limits.MAX_IMAGE_PIXELS:
            raise DataError(f"{size[0]:,} × {size[1]:,} is {size[0] * size[1]:,} pixels, over the limit of"
                            f" {limits.MAX_IMAGE_PIXELS:,} for one image", path="data.image_size")
        classes = [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]
        if not classes:
            raise DataError(f"{root} has no subfolders: put the images of each class in a subfolder named after the class.", path="data.source")
        count = sum(1 for c in classes for f in c.iterdir() if f.suffix.lower() in IMAGE_SUFFIXES and f.is_file())
        if not count:
            raise DataError(f"no images ({', '.join(IMAGE_SUFFIXES)}) in the class folders of {root}.", path="data.source")
        where = "data.image_size" if size is not None else "data.source"
        height, width = size if size is not None else _first_image_size(root, classes)
        limits.check_array_bytes((count, height, width, 4), 1, path=where,
                                 what=f"{count:,} images of {height:,} × {width:,} pixels")
        try:
            import PIL  # noqa: F401
        except ImportError:
            raise DataError("folder: sources read images with Pillow, which is not installed: pip install pillow.", path="data.source") from None
        return root

    def load(self, name, options, *, seed, base_dir) -> RawData:
        root = self._checked(name, options, base_dir)
        from PIL import Image

        try:
            x, y, classes = load_image_folder(str(root), **options, max_pixels=limits.MAX_IMAGE_PIXELS)
        except (OSError, ValueError, Image.DecompressionBombError) as err:
            raise DataError(f"cannot read the images in {root}: {err}", path="data.source") from None
        return RawData(x, y, task="classification", class_names=classes, notes=skipped_entries(root))

    def code(self, name, options, *, seed, base_dir) -> SourceCode:
        root = self._checked(name, options, base_dir)
        from tuitrain.common.pycode import py

        args = "".join(f", {k}={py(v)}" for k, v in options.items())
        return SourceCode(functions=[load_image_folder], lines=[f"x, y, _ = load_image_folder({py(str(root))}{args})", "x_test = y_test = None"])
