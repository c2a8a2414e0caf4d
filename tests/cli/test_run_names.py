"""RUN arguments take run names as `tuitrain runs` prints them (looked up under the runs root), unique
prefixes, and say "did you mean" for a typo."""

from __future__ import annotations

import pytest

from tests.cli.runs_on_disk import fake_run
from tuitrain.__main__ import main
from tuitrain.cli.main import main as cli_main
from tuitrain.runs.names import AmbiguousRun, resolve_run
from tuitrain.common.errors import TuitrainError

A, B = "tiny-20261205-101500", "tiny-20261205-113000"


@pytest.fixture
def root(tmp_path):
    runs = tmp_path / "runs"
    fake_run(runs, A, units=8, started=100.0)
    fake_run(runs, B, units=32, started=200.0)
    return runs


def _printed_names(capsys, root) -> list[str]:
    assert main(["runs", "--runs-dir", str(root)]) == 0
    return [line.split()[0] for line in capsys.readouterr().out.splitlines()[1:]]


def test_diff_takes_the_names_runs_prints(capsys, root):
    names = _printed_names(capsys, root)
    assert names == [B, A]
    assert main(["diff", names[1], names[0], "--runs-dir", str(root)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"--- {root / A}" and out[1] == f"+++ {root / B}"
    assert [line.split() for line in out[2:]] == [["layers[0].units", "8", "→", "32"]]


def test_names_are_found_under_tuitrain_runs_too(capsys, root, monkeypatch):
    monkeypatch.setenv("TUITRAIN_RUNS", str(root))
    assert main(["metrics", A, "--json"]) == 0
    assert '"run": "tiny-20261205-101500"' in capsys.readouterr().out


def test_a_typo_gets_the_close_names(capsys, root):
    assert main(["diff", "tiny-20261205-10150O", B, "--runs-dir", str(root)]) == 2
    err = capsys.readouterr().err
    assert f"no run named 'tiny-20261205-10150O' under {root}" in err
    assert f"Did you mean '{A}'" in err


def test_a_unique_prefix_or_a_name_cut_short_finds_the_run(root):
    assert resolve_run("tiny-20261205-11", root) == root / B
    assert resolve_run("tiny-20261205-10…", root) == root / A
    assert resolve_run("tiny…-113000", root) == root / B  # a name as the runs table shortens it
    assert resolve_run("…05-113000", root) == root / B
    with pytest.raises(AmbiguousRun, match=f"'tiny-2026' is the start of 2 runs under {root}: {A}, {B}"):
        resolve_run("tiny-2026", root)


def test_a_path_wins_and_a_missing_one_is_no_name(root, tmp_path):
    assert resolve_run(str(root / A)) == root / A
    assert resolve_run(str(tmp_path / "nowhere")) == tmp_path / "nowhere"  # the command says it is missing


def test_an_empty_root_says_there_are_none(tmp_path):
    with pytest.raises(TuitrainError, match="no run named 'x' under .*there are none"):
        resolve_run("x", tmp_path)


def test_sweep_trials_are_found_by_their_names(root):
    trial = fake_run(root / "tiny-sweep-20261205-120000", "trial-3-20261205-120100")
    (root / "tiny-sweep-20261205-120000" / "sweep.json").write_text("{}")
    assert resolve_run("trial-3", root) == trial


def test_attach_and_the_app_resolve_names_before_opening(root):
    opened = []
    assert cli_main(["attach", "tiny-20261205-11", "--runs-dir", str(root)],
                    open_app=lambda command, args: opened.append((command, args.run_dir)) or 0) == 0
    assert cli_main([A, "--runs-dir", str(root)], open_app=lambda command, args: opened.append((command, args.target)) or 0) == 0
    assert opened == [("attach", str(root / B)), ("app", str(root / A))]


def test_train_resume_takes_a_run_name(capsys, root):
    (root / A / "preset.toml").unlink()  # found by name, then refused for what it lacks (nothing starts)
    assert main(["train", "--resume", A, "--runs-dir", str(root)]) == 2
    assert f"{root / A}: not a run directory (no preset.toml)" in capsys.readouterr().err


def test_sweep_flags_take_a_sweep_name(root):
    from tuitrain.runs.layout import CONTROL_FILE

    sweep = root / "tiny-sweep-20261205-120000"
    sweep.mkdir()
    (sweep / "sweep.json").write_text("{}")
    assert main(["sweep", "--stop", "tiny-sweep", "--runs-dir", str(root)]) == 0
    assert (sweep / CONTROL_FILE).is_file()


def test_the_apps_target_suggests_run_names_too(capsys, root):
    assert main(["tiny-20261205-10150O", "--runs-dir", str(root)]) == 2
    err = capsys.readouterr().err
    assert "is not a command, a preset, a run directory or a TensorBoard log folder" in err and f"'{A}'" in err
