"""Finding a preset: a path as given, or one of the presets bundled with tuitrain."""

from __future__ import annotations

import tomllib
from pathlib import Path

from tuitrain.common.errors import SpecError
from tuitrain.common.suggest import did_you_mean

PRESETS_DIR = Path(__file__).parent.parent / "presets"
DEFAULT_PRESET = "spiral_mlp"


def find_preset(name_or_path: str | Path) -> Path:
    """A path as given, else a bundled preset by name (``spiral_mlp``)."""
    candidate = Path(name_or_path).expanduser()
    if candidate.is_file():
        return candidate
    if candidate.suffix != ".toml" and candidate.with_suffix(".toml").is_file():
        return candidate.with_suffix(".toml")
    bundled = PRESETS_DIR / f"{Path(str(name_or_path)).stem}.toml"
    if bundled.is_file() and candidate.parent == Path("."):
        return bundled
    names = [name for name, _, _ in bundled_presets()]
    if candidate.suffix == ".toml" or candidate.parent != Path("."):
        raise SpecError(f"preset file not found: {candidate.resolve()}", file=str(name_or_path))
    hint = did_you_mean(str(name_or_path), names)
    raise SpecError(
        f"no preset file '{name_or_path}' (looked for {candidate.resolve()}) and no bundled preset of that name.{hint}"
        f" Bundled presets: {', '.join(names)}."
    )


def bundled_presets() -> list[tuple[str, Path, str]]:
    """(name, path, description) of every preset shipped with tuitrain, sorted by name."""
    out = []
    for path in sorted(PRESETS_DIR.glob("*.toml")):
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
            description = str(raw.get("description", ""))
        except (OSError, tomllib.TOMLDecodeError):
            description = "(unreadable)"
        out.append((path.stem, path, description))
    return out

