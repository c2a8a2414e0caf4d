"""`tuitrain check` on every preset in tests/preset/corpus/: the expected message, never a traceback or a raw escape."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from tuitrain.__main__ import main as cli_main

CORPUS = Path(__file__).resolve().parent / "corpus"
CASES = sorted(p.stem for p in CORPUS.glob("*.toml"))
RAW_CONTROL = ("\x1b", "\x07", "\x9b", "\x00", "\u202e")


def expected(name: str) -> list[str]:
    return [line for line in (CORPUS / f"{name}.expected").read_text(encoding="utf-8").splitlines() if line]


def run_check(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main(["check", *argv])
    return code, out.getvalue(), err.getvalue()


def test_the_corpus_is_large_and_each_preset_has_its_expectation():
    assert len(CASES) >= 100
    assert all((CORPUS / f"{name}.expected").is_file() for name in CASES)


@pytest.mark.parametrize("name", CASES)
def test_check_says_what_and_where(name):
    path = CORPUS / f"{name}.toml"
    code, out, err = run_check(str(path))
    text = out + err
    passes = any(line.startswith("ok:") for line in expected(name))
    assert code == (0 if passes else 2), text
    for line in expected(name):
        assert line in text, f"{line!r} not in:\n{text}"
    assert "Traceback" not in text and "unexpectedly" not in text
    assert not any(c in text for c in RAW_CONTROL), repr(text)
    if not passes:
        assert err.startswith(f"error: {path}"), err  # every error names the file (and a line or key)


def test_exports_of_the_presets_that_pass_compile(tmp_path):
    from tuitrain.export.script import export_script
    from tuitrain.preset import load_preset

    passing = [n for n in CASES if any(line.startswith("ok:") for line in expected(n))]
    assert len(passing) >= 5
    for name in passing:
        script = export_script(load_preset(CORPUS / f"{name}.toml"))
        compile(script, f"{name}.py", "exec")  # a SyntaxError fails the test with the preset's name
        assert not any(c in script for c in RAW_CONTROL), name
