"""Every escape a preset's callback could make from its run directory, refused; trusted presets may."""

from __future__ import annotations

import os

import pytest

from tuitrain.model.confine import confine_args, path_parameters, refusal
from tuitrain.common.errors import SpecError


@pytest.fixture(scope="module")
def cb():
    import keras

    return keras.callbacks


def refused(cls, args, run_dir, where="fit.callbacks[0]"):
    with pytest.raises(SpecError) as err:
        confine_args(cls, args, run_dir=run_dir, trusted=False, where=where)
    return str(err.value)


def test_path_parameters_come_from_keras_signatures(cb):
    assert path_parameters(cb.ModelCheckpoint) == {"filepath": os.sys.modules["inspect"].Parameter.empty}
    assert path_parameters(cb.TensorBoard)["log_dir"] == "logs"
    assert "backup_dir" in path_parameters(cb.BackupAndRestore)
    assert "filename" in path_parameters(cb.CSVLogger)
    assert refusal(cb.EarlyStopping) is None


@pytest.mark.parametrize("value", ["/some/folder", "../../x", "~/backup", "a/../../b", "C:/x", "..\\..\\x"])
def test_backup_dir_outside_is_refused(cb, tmp_path, value):
    message = refused(cb.BackupAndRestore, {"backup_dir": value}, tmp_path)
    assert message.startswith("fit.callbacks[0].backup_dir: ") and "outside the run directory" in message
    assert "only you can allow it, for one run: --trust, or the app's confirmation" in message


@pytest.mark.parametrize("value", [".", "./", "sub/.."])
def test_backup_dir_cannot_be_the_run_directory_itself(cb, tmp_path, value):
    # BackupAndRestore deletes its folder when training ends: the run directory would go with it.
    message = refused(cb.BackupAndRestore, {"backup_dir": value}, tmp_path)
    assert "run directory itself" in message or "outside the run directory" in message


@pytest.mark.parametrize("value", ["checkpoints", "run.json", "events.jsonl", "./preset.toml", "trainer.log"])
def test_tuitrains_own_files_are_refused(cb, tmp_path, value):
    assert "tuitrain's own" in refused(cb.BackupAndRestore, {"backup_dir": value}, tmp_path)


def test_csv_logger_aimed_at_a_shell_startup_file_is_refused(cb, tmp_path):
    for target in ("~/.bashrc", os.path.expanduser("~/.bashrc"), "/etc/passwd"):
        assert "outside the run directory" in refused(cb.CSVLogger, {"filename": target}, tmp_path)


def test_model_checkpoint_templates_cannot_escape(cb, tmp_path):
    assert "outside" in refused(cb.ModelCheckpoint, {"filepath": "/tmp/m.keras"}, tmp_path)
    assert "outside" in refused(cb.ModelCheckpoint, {"filepath": "../{epoch}.keras"}, tmp_path)
    assert "simple fields" in refused(cb.ModelCheckpoint, {"filepath": "{epoch:/../../x}.keras"}, tmp_path)
    assert "simple fields" in refused(cb.ModelCheckpoint, {"filepath": "{epoch.__class__}.keras"}, tmp_path)
    assert "control characters" in refused(cb.ModelCheckpoint, {"filepath": "a\0.keras"}, tmp_path)
    assert "expected a file name" in refused(cb.ModelCheckpoint, {"filepath": ""}, tmp_path)
    args, notes = confine_args(cb.ModelCheckpoint, {"filepath": "ck/{epoch:02d}-{val_loss:.2f}.keras"},
                               run_dir=tmp_path, trusted=False, where="w")
    assert args["filepath"] == str(tmp_path.resolve() / "ck/{epoch:02d}-{val_loss:.2f}.keras")


def test_a_symlink_in_the_run_directory_cannot_lead_out(cb, tmp_path):
    run, outside = tmp_path / "run", tmp_path / "outside"
    run.mkdir()
    outside.mkdir()
    (run / "out").symlink_to(outside)
    assert "leads outside the run directory" in refused(cb.CSVLogger, {"filename": "out/log.csv"}, run)


def test_defaults_land_in_the_run_directory_not_the_current_one(cb, tmp_path):
    args, notes = confine_args(cb.TensorBoard, {}, run_dir=tmp_path, trusted=False, where="fit.callbacks[0]")
    assert args["log_dir"] == str(tmp_path.resolve() / "logs")
    assert notes == [f"fit.callbacks[0].log_dir: writes {tmp_path.resolve() / 'logs'}"]
    args, notes = confine_args(cb.ModelCheckpoint, {"filepath": "best_model.keras"}, run_dir=None, trusted=False, where="c")
    assert notes == ["c.filepath: writes RUN_DIR/best_model.keras"]


def test_network_and_python_function_callbacks_are_refused(cb, tmp_path):
    message = refused(cb.RemoteMonitor, {"root": "http://example.com"}, tmp_path)
    assert message == ("fit.callbacks[0]: RemoteMonitor sends data over the network (root = 'http://localhost:9000');"
                       " a preset may not do this unless trusted (only you can allow it, for one run: --trust, or the app's confirmation)")
    assert "runs Python functions (on_epoch_begin, on_epoch_end, on_train_begin…)" in refused(
        cb.LambdaCallback, {"on_epoch_end": "__import__('os').system('touch PWNED')"}, tmp_path)
    assert "runs Python functions (schedule)" in refused(cb.LearningRateScheduler, {"schedule": "lambda e: 0.1"}, tmp_path)


def test_trusted_presets_keep_their_paths_and_say_so(cb, tmp_path):
    args, notes = confine_args(cb.CSVLogger, {"filename": "/tmp/x.csv"}, run_dir=tmp_path, trusted=True, where="w")
    assert args["filename"] == "/tmp/x.csv"
    assert notes == ["w.filename: writes /tmp/x.csv (trusted: not confined to the run directory)"]
    args, _ = confine_args(cb.RemoteMonitor, {"root": "http://example.com"}, run_dir=tmp_path, trusted=True, where="w")
    assert args["root"] == "http://example.com"


def test_own_files_are_the_run_directorys_files():
    from tuitrain.model.confine import OWN_FILES

    assert OWN_FILES == {"run.json", ".run.json.lock", ".trainer.lock", "preset.toml", "model.summary.txt",
                         "model.keras", "metrics.csv", "trainer.log", "checkpoints", "tensorboard", "events.jsonl",
                         "control.jsonl", "system.jsonl", "columns"}


@pytest.mark.parametrize("wrapper", ["TimeDistributed", "Bidirectional"])
def test_a_wrapped_layer_is_as_trusted_as_its_preset(wrapper, tmp_path):
    """A refused layer inside a wrapper is refused at its own path; a trusted preset may build it
    (it then fails only because the saved model is not there)."""
    from tuitrain.model import make_layer

    row = {"type": wrapper, "layer": {"type": "TFSMLayer", "filepath": str(tmp_path / "missing")}}
    with pytest.raises(SpecError) as untrusted:
        make_layer(row, path="layers[1]")
    assert "unless trusted" in str(untrusted.value)
    assert "layers[1].layer" in str(untrusted.value)
    with pytest.raises(SpecError) as trusted:
        make_layer(row, path="layers[1]", trusted=True)
    assert "unless trusted" not in str(trusted.value)
    assert "missing" in str(trusted.value)


# --- files a layer reads (the lookup layers' vocabulary), and trust that only the person gives


def test_file_reading_arguments_come_from_keras_docstrings():
    import keras

    from tuitrain.model.confine import reads_file_parameters

    for cls in (keras.layers.TextVectorization, keras.layers.StringLookup, keras.layers.IntegerLookup):
        assert reads_file_parameters(cls) == ["vocabulary"]
    assert reads_file_parameters(keras.layers.Dense) == []


def test_a_vocabulary_inside_the_preset_folder_is_read_by_keras(tmp_path):
    from tuitrain.model import make_layer

    (tmp_path / "vocab.txt").write_text("good\nbad\nfine\n", encoding="utf-8")
    layer = make_layer({"type": "StringLookup", "vocabulary": "vocab.txt"}, path="layers[0]", roots=(tmp_path,))
    assert layer.get_vocabulary() == ["[UNK]", "good", "bad", "fine"]


def test_a_fifo_or_a_large_file_is_refused_without_reading_it(tmp_path, monkeypatch):
    from tuitrain.common import limits
    from tuitrain.model.confine import confine_read

    os.mkfifo(tmp_path / "words.txt")  # opening it would block until a writer comes
    with pytest.raises(SpecError, match="is not a regular file"):
        confine_read("words.txt", roots=(tmp_path,), trusted=True, where="layers[0].vocabulary")
    (tmp_path / "big.txt").write_bytes(b"w\n" * 600)
    monkeypatch.setattr(limits, "MAX_READ_FILE_BYTES", 1000)
    with pytest.raises(SpecError, match=r"1\.2 KiB, over the 1,000 bytes limit for a file a layer reads"):
        confine_read("big.txt", roots=(tmp_path,), trusted=False, where="layers[0].vocabulary")


def test_trust_lifts_the_folder_and_url_confinement_only(tmp_path):
    from tuitrain.model.confine import confine_read

    outside = tmp_path / "elsewhere.txt"
    outside.write_text("a\n", encoding="utf-8")
    inner = tmp_path / "preset"
    inner.mkdir()
    with pytest.raises(SpecError, match="outside the preset's folders"):
        confine_read(str(outside), roots=(inner,), trusted=False, where="w")
    assert confine_read(str(outside), roots=(inner,), trusted=True, where="w") == str(outside)
    assert confine_read("gs://b/v.txt", roots=(inner,), trusted=True, where="w") == "gs://b/v.txt"
    assert confine_read(["a", "b"], roots=(inner,), trusted=False, where="w") == ["a", "b"]  # an inline list


def test_the_data_folder_is_a_read_root(tmp_path):
    from tuitrain.model.confine import read_roots
    from tuitrain.preset import parse_preset

    preset = parse_preset('name = "p"\n[data]\nsource = "file:../shared/data.npz"\n', path=tmp_path / "p" / "p.toml")
    assert read_roots(preset) == ((tmp_path / "p").resolve(), (tmp_path / "shared").resolve())


def test_a_trusted_key_in_the_file_is_a_located_error_and_trust_never_reaches_the_file(tmp_path):
    from tuitrain.preset import dumps_preset, parse_preset

    with pytest.raises(SpecError) as err:
        parse_preset('name = "p"\n[data]\nsource = "synthetic:spiral"\n[fit]\ntrusted = true\n', file="p.toml")
    assert str(err.value).startswith("p.toml:5: fit.trusted: a preset cannot trust itself")
    preset = parse_preset('name = "p"\n[data]\nsource = "synthetic:spiral"\n')
    preset.trusted = True
    assert preset.copy().trusted is True
    assert "trusted" not in dumps_preset(preset)


def test_outside_reaches_lists_every_write_read_and_refusal(tmp_path):
    from tuitrain.model.confine import outside_reaches
    from tuitrain.preset import parse_preset

    preset = parse_preset(
        'name = "p"\n[data]\nsource = "synthetic:reviews"\n'
        '[[layers]]\ntype = "TextVectorization"\nvocabulary = "/etc/passwd"\n'
        '[[layers]]\ntype = "Bidirectional"\nlayer = { type = "TFSMLayer", filepath = "m" }\n'
        '[fit]\ncallbacks = [{ type = "CSVLogger", filename = "~/.bashrc" }, { type = "RemoteMonitor" },'
        ' { type = "TensorBoard" }]\n', path=tmp_path / "p.toml")
    reaches = outside_reaches(preset)
    assert reaches[0] == "layers[0].vocabulary: reads /etc/passwd"
    assert reaches[1].startswith("layers[1].layer: TFSMLayer loads a saved model")
    assert "fit.callbacks[0].filename: writes ~/.bashrc" in reaches
    assert any(r.startswith("fit.callbacks[1]: RemoteMonitor sends data over the network") for r in reaches)
    assert len(reaches) == 4  # TensorBoard's default "logs" stays inside the run directory


def test_serialized_keras_dicts_go_through_the_catalogue():
    from tuitrain.model import make_layer

    dense = make_layer({"type": "Dense", "units": 2, "activation": {"module": "keras.layers", "class_name": "ReLU",
                                                                   "config": {"max_value": 1.0}}}, path="layers[0]")
    assert type(dense.activation).__name__ == "ReLU" and float(dense.activation.max_value) == 1.0
    for bad, fragment in (({"module": "keras.src.layers.core.lambda_layer", "class_name": "Lambda"}, "public namespaces"),
                          ({"class_name": "Lambda", "config": {"function": "print"}}, "runs Python functions"),
                          ({"type": "TFSMLayer", "filepath": "m"}, "loads a saved model"),
                          ([{"class_name": "eval"}], "not a class Keras exports")):
        with pytest.raises(SpecError, match=fragment):
            make_layer({"type": "Dense", "units": 2, "activation": bad}, path="layers[0]")
