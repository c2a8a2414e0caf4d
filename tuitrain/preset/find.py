"""Finding a preset: a path as given, or one of the presets bundled with tuitrain."""

from __future__ import annotations

import tomllib
from pathlib import Path

from tuitrain.common.errors import SpecError
from tuitrain.common.suggest import did_you_mean

PRESETS_DIR = Path(__file__).parent.parent / "presets"
DEFAULT_PRESET = "spiral_mlp"


# `presets:NAME` names the bundled preset even where a local file of that name shadows it.
BUNDLED_PREFIX = "presets:"


def find_preset(name_or_path: str | Path) -> Path:
    """A path as given, else a bundled preset by name (``spiral_mlp``); ``presets:NAME`` is always the bundled one."""
    if str(name_or_path).startswith(BUNDLED_PREFIX):
        return _bundled(str(name_or_path).removeprefix(BUNDLED_PREFIX))
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



def _bundled(name: str) -> Path:
    names = [n for n, _, _ in bundled_presets()]
    if name in names:
        return PRESETS_DIR / f"{name}.toml"
    raise SpecError(f"no bundled preset '{name}' ({BUNDLED_PREFIX}NAME names a preset shipped with tuitrain)."
                    f"{did_you_mean(name, names)} Bundled presets: {', '.join(names)}.")


def shadow_note(name_or_path: str | Path) -> str | None:
    """One line when a bare name resolved to a local file that hides the bundled preset of that name
    (``tuitrain train spiral_mlp`` beside ``./spiral_mlp.toml``), else None: which file is used is never a guess."""
    text = str(name_or_path)
    plain = Path(text)
    if text.startswith(BUNDLED_PREFIX) or plain.suffix or plain.parent != Path(".") or not text:
        return None
    if not (PRESETS_DIR / f"{plain.name}.toml").is_file():
        return None
    try:
        found = find_preset(text)
    except SpecError:
        return None
    if found.parent.resolve() == PRESETS_DIR.resolve():
        return None
    shown = f"./{found}" if found.parent == Path(".") else str(found)
    return (f"using {shown} (shadows the bundled preset {plain.name}; "
            f"use {BUNDLED_PREFIX}{plain.name} for the bundled one)")
