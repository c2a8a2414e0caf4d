"""A real training run with every callback Keras exports: nothing lands outside the run directory."""

from __future__ import annotations

import inspect
import os
from pathlib import Path

import pytest

from tests.conftest import write_preset
from tests.trainer.helpers import Tail
from tuitrain.runs.events import read_events
from tuitrain.runs.rundir import write_run_json
from tuitrain.model import callback_classes
from tuitrain.model.confine import path_parameters, refusal


def files_under(root: Path) -> set[Path]:
    return {Path(dirpath) / name for dirpath, dirs, names in os.walk(root) for name in names + dirs}


def callback_tables() -> tuple[list[str], list[str]]:
    """TOML tables for every callback a preset may use, with its defaults except required paths."""
    tables, skipped = [], []
    for name, cls in sorted(callback_classes().items()):
        if refusal(cls):
            continue  # network or Python functions: refused, tested in tests/model/test_confine.py
        args = []
        for param, default in path_parameters(cls).items():
            if default is inspect.Parameter.empty:  # required: the only arguments given
                value = "ck_{epoch}.keras" if param == "filepath" else f"{name.lower()}_{param}"
                args.append(f'{param} = "{value}"')
        try:
            cls(**{a.split(" = ")[0]: a.split(" = ")[1].strip('"') for a in args}) if args else cls()
        except ImportError:
            skipped.append(name)  # an optional package this machine lacks (e.g. orbax)
            continue
        tables.append("{ " + ", ".join([f'type = "{name}"'] + args) + " }")
    return tables, skipped


def test_every_callback_with_default_arguments_writes_only_inside_the_run(tmp_path, monkeypatch):
    from tuitrain.trainer.process import Trainer

    tables, skipped = callback_tables()
    assert len(tables) >= 10 and len(skipped) <= 1, (tables, skipped)
    cwd, run_dir = tmp_path / "cwd", tmp_path / "runs" / "all-callbacks"
    cwd.mkdir()
    run_dir.mkdir(parents=True)
    listed = ",\n  ".join(tables)
    write_preset(
        run_dir, 'name = "all-callbacks"\n[data]\nsource = "synthetic:spiral"\nsamples = 64\nvalidation_split = 0.25\n'
        '[[layers]]\ntype = "Dense"\nunits = 2\nactivation = "softmax"\n'
        '[compile]\noptimizer = { type = "Adam", use_ema = true }\nloss = "sparse_categorical_crossentropy"\n'
        f'[fit]\nepochs = 2\nbatch_size = 16\ncallbacks = [\n  {listed},\n]\n', "preset.toml")
    write_run_json(run_dir, {"status": "starting", "started": 0.0, "preset_path": None, "base_dir": str(cwd)})
    monkeypatch.chdir(cwd)
    before = files_under(tmp_path)
    assert Trainer(run_dir).run() == 0, Tail(run_dir).reader.status().get("error")
    new = files_under(tmp_path) - before
    assert new and all(run_dir in p.parents for p in new), sorted(str(p) for p in new if run_dir not in p.parents)
    assert not any(cwd.iterdir())
    assert (run_dir / "logs").is_dir()  # TensorBoard's default log_dir, inside the run
    assert (run_dir / "csvlogger_filename").is_file() and (run_dir / "ck_2.keras").is_file()
    writes = [e["message"] for e in read_events(run_dir / "events.jsonl") if e["kind"] == "log" and "writes" in e["message"]]
    assert any(f"writes {run_dir.resolve() / 'logs'}" in w for w in writes)


@pytest.mark.parametrize("table,words", [
    ('{ type = "BackupAndRestore", backup_dir = "BACKUP" }', "backup_dir"),
    ('{ type = "CSVLogger", filename = "BACKUP/../../victim.csv" }', "filename"),
])
def test_a_run_that_aims_outside_fails_and_leaves_the_target_alone(tmp_path, monkeypatch, table, words):
    from tuitrain.trainer.process import Trainer

    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me")
    run_dir = tmp_path / "runs" / "r"
    run_dir.mkdir(parents=True)
    write_preset(
        run_dir, 'name = "r"\n[data]\nsource = "synthetic:spiral"\nsamples = 64\n[[layers]]\ntype = "Dense"\nunits = 2\n'
        'activation = "softmax"\n[compile]\noptimizer = "sgd"\nloss = "sparse_categorical_crossentropy"\n'
        f'[fit]\nepochs = 1\ncallbacks = [{table.replace("BACKUP", str(victim))}]\n', "preset.toml")
    write_run_json(run_dir, {"status": "starting", "started": 0.0, "preset_path": None, "base_dir": str(tmp_path)})
    monkeypatch.chdir(tmp_path)
    assert Trainer(run_dir).run() == 1
    error = Tail(run_dir).reader.status()["error"]
    assert f"fit.callbacks[0].{words}" in error and "outside the run directory" in error
    assert (victim / "precious.txt").read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs", "victim"]


def test_a_diverging_run_is_reported_while_it_trains(tmp_path, monkeypatch):
    """Adam at learning_rate = 1e6: the loss stays finite but grows by orders of magnitude."""
    from tuitrain.trainer.process import Trainer

    run_dir = tmp_path / "r"
    run_dir.mkdir()
    write_preset(
        run_dir, 'name = "r"\nseed = 1\n[data]\nsource = "synthetic:regression"\nsamples = 256\n[[layers]]\ntype = "Dense"\nunits = 16\n'
        'activation = "relu"\n[[layers]]\ntype = "Dense"\nunits = 1\n[compile]\noptimizer = { type = "Adam", learning_rate = 1e6 }\n'
        'loss = "mse"\n[fit]\nepochs = 3\nbatch_size = 16\n', "preset.toml")
    write_run_json(run_dir, {"status": "starting", "started": 0.0, "preset_path": None, "base_dir": str(tmp_path)})
    monkeypatch.chdir(tmp_path)
    Trainer(run_dir).run()
    info = Tail(run_dir).reader.status()
    logs = [e["message"] for e in read_events(run_dir / "events.jsonl") if e["kind"] == "log"]
    assert any(m.startswith("warning: loss is diverging: ") for m in logs), (info, logs)
    assert info["warnings"][0].startswith("loss is diverging: ")


def test_a_trusted_attempt_may_write_where_its_preset_says(tmp_path, monkeypatch):
    """`tuitrain train --trust` records `trusted` in run.json; the trainer then lifts the confinement."""
    from tuitrain.trainer.process import Trainer

    outside = tmp_path / "outside.csv"
    run_dir = tmp_path / "r"
    run_dir.mkdir()
    write_preset(
        run_dir, 'name = "r"\n[data]\nsource = "synthetic:spiral"\nsamples = 64\n[[layers]]\ntype = "Dense"\nunits = 2\n'
        'activation = "softmax"\n[compile]\noptimizer = "sgd"\nloss = "sparse_categorical_crossentropy"\n'
        f'[fit]\nepochs = 1\ncallbacks = [{{ type = "CSVLogger", filename = "{outside}" }}]\n', "preset.toml")
    write_run_json(run_dir, {"status": "starting", "started": 0.0, "preset_path": None, "base_dir": str(tmp_path),
                             "trusted": True})
    monkeypatch.chdir(tmp_path)
    assert Trainer(run_dir).run() == 0, Tail(run_dir).reader.status().get("error")
    assert outside.read_text().startswith("epoch,")
    logs = [e["message"] for e in read_events(run_dir / "events.jsonl") if e["kind"] == "log"]
    assert f"callback fit.callbacks[0].filename: writes {outside} (trusted: not confined to the run directory)" in logs
