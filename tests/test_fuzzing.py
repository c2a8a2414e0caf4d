"""CI is deterministic (#22): every pytest run loads the derandomized `ci` profile unless told otherwise."""

import tomllib
from pathlib import Path

from hypothesis import settings

from tests.fuzzing import FUZZ_FACTOR, examples

ROOT = Path(__file__).resolve().parents[1]


def test_the_readme_test_command_runs_hypothesis_with_the_same_examples_every_time():
    addopts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["addopts"]
    assert "--hypothesis-profile=ci" in addopts.split()
    ci = settings.get_profile("ci")
    assert ci.derandomize and ci.database is None
    fuzz = settings.get_profile("fuzz")
    assert not fuzz.derandomize and fuzz.max_examples == 100 * FUZZ_FACTOR


def test_example_counts_are_fixed_under_ci_and_scaled_under_fuzz():
    name = settings.get_current_profile_name()
    assert examples(150) == (150 * FUZZ_FACTOR if name == "fuzz" else 150)
    assert "fuzz" in (ROOT / "README.md").read_text().split("--hypothesis-profile=")[1][:4]
