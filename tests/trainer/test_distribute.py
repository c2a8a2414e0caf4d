"""The [distribute] table: validation, strategies on 2 logical CPUs, mixed precision, TF_CONFIG."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import write_preset
from tests.tiny_preset import TINY
from tuitrain.trainer.distribute import (
    Cluster,
    cluster_from_env,
    explain_cluster_error,
    parse_workers,
    worker_tf_config,
)
from tuitrain.common.errors import SpecError, TuitrainError
from tuitrain.preset import dumps_preset, parse_preset

ROOT = Path(__file__).resolve().parents[2]


def with_table(*lines: str) -> str:
    return TINY + "\n[distribute]\n" + "\n".join(lines) + "\n"


@pytest.mark.parametrize("line, path, words", [
    ('stratgy = "mirrored"', "distribute.stratgy", "Did you mean 'strategy'"),
    ('strategy = "horovod"', "distribute.strategy", '"default" | "one_device" | "mirrored" | "multi_worker"'),
    ('mixed_precision = "float16"', "distribute.mixed_precision", '"mixed_float16" or "mixed_bfloat16"'),
    ("memory_growth = 1", "distribute.memory_growth", "true or false"),
    ('strategy = "mirrored"\ndevices = ["GPU:0", "TPU:1"]', "distribute.devices[1]", 'a device name such as "GPU:0"'),
    ('strategy = "mirrored"\ndevices = ["GPU:0", "gpu:0"]', "distribute.devices[1]", "GPU:0 is listed twice"),
    ('devices = ["GPU:0"]', "distribute.devices", 'not "default"'),
    ('strategy = "one_device"\ndevices = ["GPU:0", "GPU:1"]', "distribute.devices", "exactly one device"),
])
def test_bad_distribute_values_name_their_key_path(line: str, path: str, words: str) -> None:
    with pytest.raises(SpecError) as err:
        parse_preset(with_table(line), file="p.toml")
    assert err.value.path == path and words in str(err.value) and "p.toml" in str(err.value)


def test_a_valid_table_round_trips_and_can_be_set_from_the_command_line() -> None:
    preset = parse_preset(with_table('strategy = "mirrored"', 'devices = ["gpu:0", "GPU:1"]',
                                     'mixed_precision = "mixed_bfloat16"', "memory_growth = true"))
    assert preset.distribute["strategy"] == "mirrored"
    again = parse_preset(dumps_preset(preset, original_text=preset.source_text))
    assert again.distribute == preset.distribute
    plain = parse_preset(TINY, overrides=['distribute.strategy="mirrored"', "distribute.memory_growth=true"])
    assert plain.distribute == {"strategy": "mirrored", "memory_growth": True}
    assert "[distribute]" in dumps_preset(plain)


def test_workers_flags_become_tf_config_and_a_lost_worker_is_named() -> None:
    workers = parse_workers("10.0.0.1:12345, 10.0.0.2:12345")
    cfg = json.loads(worker_tf_config(workers, 1))
    assert cfg == {"cluster": {"worker": ["10.0.0.1:12345", "10.0.0.2:12345"]}, "task": {"type": "worker", "index": 1}}
    cluster = cluster_from_env({"TF_CONFIG": json.dumps(cfg)})
    assert cluster == Cluster(("10.0.0.1:12345", "10.0.0.2:12345"), 1, False, 0)
    assert cluster_from_env({"TF_CONFIG": worker_tf_config(workers, 0)}).is_chief
    assert cluster_from_env({}) is None
    for bad in ("10.0.0.1", "host:0", "a:1,a:1", "a:1,,b:2"):
        with pytest.raises(TuitrainError):
            parse_workers(bad)
    with pytest.raises(TuitrainError, match="expected 0..1"):
        worker_tf_config(workers, 2)
    with pytest.raises(TuitrainError, match="TF_CONFIG is not valid"):
        cluster_from_env({"TF_CONFIG": "{nope"})
    chief = Cluster(("10.0.0.1:12345", "10.0.0.2:12345"), 0, True)
    error = ("UnavailableError: {{function_node __wrapped__CollectiveReduceV2_device_/job:worker/replica:0/task:0/device:CPU:0}} "
             "Collective ops is aborted by: Error reported from /job:worker/task:1: The following tasks are unhealthy "
             "(stopped sending heartbeats):\n/job:worker/replica:0/task:1")
    text = explain_cluster_error(error, chief)
    assert text.startswith("worker 1 (10.0.0.2:12345) was lost (it stopped sending heartbeats") and "--resume" in text
    assert explain_cluster_error("ValueError: bad shape", chief) == "ValueError: bad shape"


def test_train_refuses_half_of_the_workers_flags(capsys) -> None:
    from tuitrain.__main__ import main

    assert main(["train", "spiral_mlp", "--workers", "a:1,b:2"]) == 2
    assert "--workers and --worker-index go together" in capsys.readouterr().err


def test_mixed_precision_builds_float16_layers_with_a_float32_output_and_loss_scaling() -> None:
    import keras

    from tuitrain.trainer.distribute import setup_strategy
    from tuitrain.model import prepare

    preset = parse_preset(with_table('strategy = "one_device"', 'devices = ["CPU:0"]', 'mixed_precision = "mixed_float16"'))
    try:
        strategy, build, info = setup_strategy(preset, None)
        with strategy.scope():
            model = prepare(build).model
    finally:
        keras.mixed_precision.set_global_policy("float32")  # the rest of the test session builds in float32
    hidden, output = model.layers[0], model.layers[-1]
    assert (hidden.compute_dtype, hidden.variable_dtype) == ("float16", "float32")
    assert (output.compute_dtype, output.variable_dtype) == ("float32", "float32")
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
    assert info == {"strategy": "one_device", "replicas": 1, "precision": "mixed_float16", "strategy_devices": ["CPU:0"]}
    assert "dtype" not in preset.layers[-1]  # the user's preset is left as written


def test_mirrored_on_two_logical_cpus_reaches_the_loss_of_one_device() -> None:
    mirrored = '[distribute];strategy = "mirrored";devices = ["CPU:0", "CPU:1"]'
    out = subprocess.run([sys.executable, str(ROOT / "tests" / "trainer" / "two_cpus.py"), "", mirrored],
                         capture_output=True, text=True, timeout=300, cwd=ROOT,
                         env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr[-3000:]
    one, two = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    assert (one["strategy"], one["replicas"]) == ("default", 1)
    assert (two["strategy"], two["replicas"], two["strategy_devices"]) == ("mirrored", 2, ["CPU:0", "CPU:1"])
    # batch_size is global: each replica takes half of every batch and the gradients are summed, so
    # the optimisation is the same one; only float summation order differs.
    assert two["loss"] == pytest.approx(one["loss"], rel=1e-4)
    assert one["loss"][-1] < one["loss"][0]


def test_check_builds_under_the_presets_precision_and_restores_the_policy(tmp_path, capsys) -> None:
    """`check` builds what `train` builds: float16 compute inside, a float32 output layer, and the
    process's own policy back afterwards."""
    import argparse

    import keras

    from tuitrain.cli.preset_commands import _load_and_prepare, check_command

    path = write_preset(tmp_path, with_table('mixed_precision = "mixed_float16"'), "mixed.toml")
    _, preset, checked = _load_and_prepare(argparse.Namespace(preset=str(path), overrides=[]))
    hidden, output = checked.model.layers[0], checked.model.layers[-1]
    assert (hidden.compute_dtype, hidden.variable_dtype) == ("float16", "float32")
    assert output.compute_dtype == "float32"
    assert keras.mixed_precision.global_policy().name == "float32"
    assert "dtype" not in preset.layers[-1]  # the user's preset is left as written
    assert check_command(argparse.Namespace(preset=str(path), overrides=[])) == 0
    assert "precision: mixed_float16" in capsys.readouterr().out
    assert keras.mixed_precision.global_policy().name == "float32"


@pytest.mark.parametrize("workers, message", [
    ("10.0.0.1:1,evil host:2", "--workers: 'evil host:2' is not host:port"),
    ("10.0.0.1:1,\x1b]0;x\x07:2", "--workers: '\\x1b]0;x\\x07:2' is not host:port"),
    ("a:1,b:99999", "--workers: 'b:99999' is not host:port"),
    ("[fe80::1]:1,b:2", None),
])
def test_workers_hosts_are_checked_before_anything_starts(workers, message):
    """#22: hosts with spaces or escape characters started a trainer that waited forever."""
    if message is None:
        assert parse_workers(workers) == ["[fe80::1]:1", "b:2"]
        return
    with pytest.raises(TuitrainError) as err:
        parse_workers(workers)
    assert str(err.value).startswith(message)


@pytest.mark.parametrize("tf_config, message", [
    ('{"cluster": {"worker": "a:1"}}', "TF_CONFIG: cluster.worker: expected a list of host:port"),
    ('{"cluster": {"worker": ["a:1", 7]}}', "TF_CONFIG: cluster.worker[1]: 7 is not host:port"),
    ('{"cluster": {"worker": ["a:1", "b c:2"]}, "task": {"type": "worker", "index": 1}}',
     "TF_CONFIG: cluster.worker[1]: 'b c:2' is not host:port"),
    ('{"cluster": {"worker": ["a:1", "b:2"]}, "task": {"type": "worker", "index": 2}}',
     "TF_CONFIG: task.index: '2' is not one of the 2 worker addresses in cluster.worker"),
    ('{"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": true}}', "TF_CONFIG: task.index: 'True'"),
    ('{"cluster": {"worker": ["a:1"]}, "task": {"type": "ps", "index": 0}}', "TF_CONFIG task type 'ps'"),
    ('{"cluster": {"worker": ["a:1", "a:1"]}}', "TF_CONFIG: cluster: expected at most one chief"),
    ('{"cluster": {}}', "TF_CONFIG: cluster: expected at most one chief, at least one machine"),
    ('[1]', "TF_CONFIG: expected {\"cluster\""),
    ("[" * 60_000, "TF_CONFIG is not valid JSON"),
    ("[" * 100_000, "TF_CONFIG is 100,000 characters, over the limit of 65,536"),
])
def test_a_malformed_tf_config_is_an_error_naming_the_key(tf_config, message):
    with pytest.raises(TuitrainError) as err:
        cluster_from_env({"TF_CONFIG": tf_config})
    assert str(err.value).startswith(message)


def test_train_with_a_malformed_tf_config_stops_before_a_trainer_or_run_directory(tmp_path, monkeypatch, capsys):
    from tuitrain.__main__ import main as cli_main

    monkeypatch.setenv("TF_CONFIG", '{"cluster": {"worker": ["a:1", "b:2"]}, "task": {"index": 5}}')
    assert cli_main(["train", "spiral_mlp", "--runs-dir", str(tmp_path / "runs")]) == 2
    assert "TF_CONFIG: task.index: '5' is not one of the 2 worker addresses" in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()
    monkeypatch.delenv("TF_CONFIG")
    assert cli_main(["train", "spiral_mlp", "--runs-dir", str(tmp_path / "runs"), "--workers", "a:1,b c:2",
                     "--worker-index", "0"]) == 2
    assert "--workers: 'b c:2' is not host:port" in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()
