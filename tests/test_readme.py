"""The README's two set-up commands are what CI and users run: keep them true."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _sh_blocks(text: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", text, flags=re.S)


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    test_command = next(line for block in _sh_blocks(readme) for line in block.splitlines() if "pytest" in line)
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert test_command.strip() in ci_lines


def test_readme_app_command_opens_the_default_preset():
    readme = (ROOT / "README.md").read_text()
    first = _sh_blocks(readme)[0].strip()
    assert first.endswith(".venv/bin/tuitrain"), first  # no argument: the offline default preset
    from tuitrain.preset import DEFAULT_PRESET, find_preset, load_preset

    preset = load_preset(find_preset(DEFAULT_PRESET))
    assert not preset.data["source"].startswith("keras:")  # offline
