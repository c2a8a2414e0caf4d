"""Trust comes from the person: a run whose preset reaches outside starts only after the dialog says yes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.waiting import wait_for
from tuitrain.ui.app import TuitrainApp
from tuitrain.ui.panes.train.pane import TrainPane
from tuitrain.ui.screens.dialogs.confirm import TrustDialog

OUTSIDE = """name = "reach"
seed = 1

[data]
source = "synthetic:spiral"
samples = 100

[[layers]]
type = "Dense"
units = 2
activation = "softmax"

[compile]
optimizer = "adam"
loss = "sparse_categorical_crossentropy"

[fit]
epochs = 1
callbacks = [{ type = "BackupAndRestore", backup_dir = "/some/folder" }, { type = "CSVLogger", filename = "log.csv" }]
"""


def _app(tmp_path: Path, monkeypatch, text: str, **kw) -> tuple[TuitrainApp, list[dict]]:
    preset = tmp_path / "reach.toml"
    preset.write_text(text, encoding="utf-8")
    started: list[dict] = []

    def record_start(preset, runs_dir=None, trusted=False):
        started.append({"name": preset.name, "trusted": trusted})
        return tmp_path / "runs" / "reach-1"

    monkeypatch.setattr("tuitrain.trainer.spawn.start_run", record_start)
    return TuitrainApp(preset, runs_dir=tmp_path / "runs", pane="train", background=False, **kw), started


async def _press_start(app, pilot) -> None:
    await wait_for(pilot, lambda: app.preset is not None, "the preset")
    app.query_one(TrainPane).focus()
    await pilot.press("s")
    await pilot.pause()


@pytest.mark.parametrize("answer, trusted", [("t", [True]), ("n", []), ("escape", [])])
async def test_a_preset_that_reaches_outside_asks_first_and_lists_every_path(tmp_path, monkeypatch, answer, trusted):
    app, started = _app(tmp_path, monkeypatch, OUTSIDE)
    async with app.run_test(size=(100, 30)) as pilot:
        await _press_start(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, TrustDialog)
        shown = dialog.question.plain
        assert "fit.callbacks[0].backup_dir: writes /some/folder" in shown
        assert "log.csv" not in shown  # inside the run directory: nothing to trust
        assert started == []  # nothing starts before the answer
        await pilot.press(answer)
        await pilot.pause()
        assert not isinstance(app.screen, TrustDialog)
        assert [s["trusted"] for s in started] == trusted


async def test_a_preset_inside_its_run_directory_starts_without_asking(tmp_path, monkeypatch):
    app, started = _app(tmp_path, monkeypatch, OUTSIDE.replace("/some/folder", "backup"))
    async with app.run_test(size=(100, 30)) as pilot:
        await _press_start(app, pilot)
        assert not isinstance(app.screen, TrustDialog)
        assert started == [{"name": "reach", "trusted": False}]


async def test_trust_given_on_the_command_line_starts_without_asking(tmp_path, monkeypatch):
    app, started = _app(tmp_path, monkeypatch, OUTSIDE, trusted=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await _press_start(app, pilot)
        assert not isinstance(app.screen, TrustDialog)
        assert started == [{"name": "reach", "trusted": True}]


def test_trust_on_the_command_line_reaches_the_app_and_only_that_session(tmp_path, monkeypatch):
    import contextlib

    from tuitrain.cli.main import build_app_parser
    from tuitrain.ui import run_app as launch

    launched: list[TuitrainApp] = []
    monkeypatch.setattr(TuitrainApp, "run", lambda self: launched.append(self))
    monkeypatch.setattr(launch, "_native_stderr_to_log", contextlib.nullcontext)
    (tmp_path / "reach.toml").write_text(OUTSIDE, encoding="utf-8")
    for argv, trusted in ((["--trust"], True), ([], False)):
        args = build_app_parser().parse_args([str(tmp_path / "reach.toml"), *argv])
        assert launch.app_command(args) == 0
        assert launched[-1].trusted is trusted


async def test_what_a_preset_reaches_is_asked_of_keras_only_after_tensorflow_has_loaded(tmp_path, monkeypatch):
    """`s` while the app's worker still imports TensorFlow: Keras is not imported beside it on the UI
    thread (two threads importing TensorFlow at once got half-initialised modules); the check waits in a
    worker for the import, then asks as before."""
    import threading

    from tuitrain.model import confine
    from tuitrain.ui import background

    release = threading.Event()
    real_import = background._import_tensorflow
    monkeypatch.setattr(background, "_import_tensorflow", lambda: (release.wait(60), real_import()))
    asked_on: list[str] = []
    real_reaches = confine.outside_reaches
    monkeypatch.setattr(confine, "outside_reaches",
                        lambda preset: (asked_on.append(threading.current_thread().name), real_reaches(preset))[1])
    app, started = _app(tmp_path, monkeypatch, OUTSIDE)
    app._background = True  # its TensorFlow worker runs (and waits for `release`)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.tensorflow_importing(), "the TensorFlow worker")
        await _press_start(app, pilot)
        assert asked_on == [] and not isinstance(app.screen, TrustDialog)  # nothing asked beside the import
        release.set()
        await wait_for(pilot, lambda: isinstance(app.screen, TrustDialog), "the trust dialog")
        assert asked_on and asked_on[0] != threading.main_thread().name
        await pilot.press("t")
        await wait_for(pilot, lambda: started == [{"name": "reach", "trusted": True}], "the trusted start")
