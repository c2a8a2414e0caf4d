"""The app shell: panes, loading, errors shown in-app, save, quit prompts, no TensorFlow at import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from textual.widgets import Static, TabbedContent

from tests.tiny_preset import TINY
from tests.ui.waiting import run_palette_command, wait_for, wait_ready
from tuitrain.common.errors import SpecError
from tuitrain.preset import load_preset
from tuitrain.ui.app import TuitrainApp
from tuitrain.ui.screens import ChoiceDialog, HelpScreen, OpenPresetScreen, PathPrompt

BAD_EPOCHS = "# a comment that must not matter\n" + TINY.replace("epochs = 1", "epochs = 0")


def test_import_does_not_load_tensorflow_or_numpy():
    heavy = "('tensorflow', 'keras', 'numpy')"
    code = f"import sys, tuitrain.ui.app, tuitrain.ui.run_app; print([m for m in {heavy} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


FIRST_FRAME = """
import asyncio
from tuitrain.ui.app import TuitrainApp

async def main():
    async with TuitrainApp("spiral_mlp", background=False).run_test(size=(80, 24)) as pilot:
        await pilot.pause()

asyncio.run(main())
"""


def test_first_frame_loads_no_numpy_and_no_model_code(tmp_path):
    """What the first frame imports is start-up time (issue #25: first paint <= 0.35 s): numpy
    (~60 ms), the model package (~35 ms) and TensorFlow wait until the screen is up."""
    probe = tmp_path / "probe.json"
    env = {**os.environ, "TUITRAIN_FIRST_PAINT_PROBE": str(probe)}
    subprocess.run([sys.executable, "-c", FIRST_FRAME], capture_output=True, text=True, check=True, env=env, timeout=120)
    modules = json.loads(probe.read_text())["modules"]
    assert "textual.app" in modules  # the probe saw the app's imports
    assert [m for m in modules if m in ("numpy", "tensorflow", "keras", "tuitrain.model", "tuitrain.data")] == []


async def test_switch_panes_with_keys_and_palette(open_app):
    async with open_app("spiral_mlp", background=False) as (app, pilot):
        await pilot.pause()
        tabs = app.query_one("#panes", TabbedContent)
        assert tabs.active == "data"
        await pilot.press("2")
        assert tabs.active == "layers"
        await pilot.press("f4")
        assert tabs.active == "train"
        await pilot.press("3")
        assert tabs.active == "compile"
        await pilot.press("1")
        assert tabs.active == "data"
        await run_palette_command(pilot, "show train", "Show Train pane")
        assert tabs.active == "train"


async def test_loads_preset_and_fills_state(spiral_copy, open_app):
    async with open_app(spiral_copy) as (app, pilot):
        await wait_ready(pilot)
        assert app.preset.name == "spiral_mlp" and not app.modified and app.preset_message is None
        assert app.title == "spiral_mlp"
        assert app.dataset.x_train.shape == (800, 2) and app.dataset.x_val.shape == (200, 2)
        assert app.build_report.error is None and app.build_report.total_params == 4482
        assert "4,482 parameters" in str(app.query_one("#status", Static).render())


async def test_open_preset_dialog_loads_the_typed_path(spiral_copy, open_app):
    async with open_app("spiral_mlp", background=False) as (app, pilot):
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, OpenPresetScreen)
        app.screen.query_one("#preset-path").value = str(spiral_copy)
        app.screen.query_one("#preset-path").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.preset_path == spiral_copy and app.preset.path == spiral_copy


async def test_bad_preset_shows_the_check_message_and_reload_recovers(spiral_copy, open_app):
    spiral_copy.write_text(BAD_EPOCHS)
    try:
        load_preset(spiral_copy)
    except SpecError as err:
        expected = str(err)  # what `tuitrain check` prints after "error: "
    assert "fit.epochs" in expected
    async with open_app(spiral_copy, background=False) as (app, pilot):
        await pilot.pause()
        panel = app.query_one("#error-panel")
        assert panel.display and app.preset is None
        shown = str(app.query_one("#error-text", Static).render())
        assert expected in shown and "ctrl+r" in shown
        await pilot.press("2")  # still usable
        await wait_for(pilot, lambda: app.query_one("#panes", TabbedContent).active == "layers", "the Layers pane")
        spiral_copy.write_text(BAD_EPOCHS.replace("epochs = 0", "epochs = 2"))
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: app.preset_error is None and app.preset is not None, "the reloaded preset")
        assert not panel.display
        assert app.preset.fit["epochs"] == 2


async def test_a_data_error_is_the_datas_own_and_goes_once_the_data_loads(spiral_copy, open_app):
    """The preset is fine, its data is not: the panel says why, the preset stays editable, a fix clears it."""
    spiral_copy.write_text(spiral_copy.read_text().replace('source = "synthetic:spiral"', 'source = "file:missing.npz"'))
    async with open_app(spiral_copy) as (app, pilot):
        await wait_ready(pilot)
        panel = app.query_one("#error-panel")
        assert app.preset is not None and app.preset_error is None and app.notice is None
        assert "missing.npz" in (app.data_error or "") and app.preset_message == app.data_error
        assert panel.display and "missing.npz" in str(app.query_one("#error-text", Static).render())
        app.edit_preset(lambda p: p.data.update(source="synthetic:spiral"))
        await wait_ready(pilot)
        assert app.data_error is None and app.preset_message is None and not panel.display
        assert app.dataset is not None and app.build_report.key is not None


async def test_save_keeps_comments(spiral_copy, open_app):
    async with open_app(spiral_copy, background=False) as (app, pilot):
        edited = app.preset.copy()
        edited.fit["epochs"] = 5
        app.update_preset(edited)
        await pilot.pause()
        assert app.modified and app.title.endswith("● modified")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not app.modified and app.title == "spiral_mlp"
    text = spiral_copy.read_text()
    assert "# The offline default" in text and "epochs = 5" in text
    assert load_preset(spiral_copy).fit["epochs"] == 5


async def test_save_of_a_bundled_preset_asks_for_a_path(tmp_path, open_app):
    async with open_app("spiral_mlp", background=False) as (app, pilot):
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, PathPrompt)
        target = tmp_path / "mine.toml"
        box = app.screen.query_one("#path")
        box.value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert app.preset_path == target and not app.modified
    assert "# The offline default" in target.read_text()


async def test_quit_with_unsaved_changes_asks_first(open_app):
    async with open_app("spiral_mlp", background=False) as (app, pilot):
        edited = app.preset.copy()
        edited.seed = 7
        app.update_preset(edited)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        assert "unsaved changes" in str(app.screen.query_one("#question", Static).render())
        await pilot.press("c")  # cancel: still here
        await pilot.pause()
        assert app.is_running and not isinstance(app.screen, ChoiceDialog)
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("d")  # discard: gone
        await pilot.pause()
        assert not app.is_running


async def test_quit_with_a_running_run_can_stop_it(tmp_path, open_app):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    import psutil

    me = psutil.Process()
    info = {"status": "running", "pid": os.getpid(), "pid_started": me.create_time(), "created": time.time()}
    (run_dir / "run.json").write_text(json.dumps(info))
    async with open_app("spiral_mlp", run_dir=run_dir, background=False) as (app, pilot):
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        assert "still running" in str(app.screen.query_one("#question", Static).render())
        await pilot.press("s")
        await pilot.pause()
        assert not app.is_running
    requests = [json.loads(line) for line in (run_dir / "control.jsonl").read_text().splitlines()]
    assert requests[-1]["action"] == "stop_batch"


async def test_help_lists_keys(open_app):
    async with open_app("spiral_mlp", background=False) as (app, pilot):
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = {row.description for section in app.screen.sections for row in section.all_rows()}
        for needle in ("Save", "Open", "Reload", "Quit", "Data pane", "Next", "Leave the text field", "Focus Next"):
            assert needle in rows
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


# --- snapshots: the first screen once TensorFlow, data and the model are ready ---------------

SHELL_APP = "snapshot_apps/shell_spiral.py"


async def _ready(pilot):
    await wait_ready(pilot)


def test_snapshot_shell_80x24(snap_compare):
    assert snap_compare(SHELL_APP, terminal_size=(80, 24), run_before=_ready)


def test_snapshot_shell_120x40(snap_compare):
    assert snap_compare(SHELL_APP, terminal_size=(120, 40), run_before=_ready)


async def test_edits_rebuild_the_model_and_reload_data_only_when_data_changes(spiral_copy, open_app):
    async with open_app(spiral_copy) as (app, pilot):
        await wait_ready(pilot)
        dataset, report = app.dataset, app.build_report
        edited = app.preset.copy()
        edited.layers[0]["units"] = 8  # 2*8+8 + 8*64+64 + 130 parameters
        app.update_preset(edited)
        await wait_ready(pilot)
        assert app.dataset is dataset and app.build_report is not report
        assert app.build_report.total_params == 24 + 576 + 130
        edited = app.preset.copy()
        edited.layers[1]["units"] = -3
        app.update_preset(edited)
        await wait_ready(pilot)
        assert app.build_report.model is None and "layers[1]" in app.build_report.error
        assert "layers[1]" in str(app.query_one("#status", Static).render())
        edited = app.preset.copy()
        edited.seed = 7
        app.update_preset(edited)
        await wait_ready(pilot)
        assert app.dataset is not dataset and app.dataset.x_train.shape == (800, 2)


def test_launch_exit_status_is_the_apps(monkeypatch):
    """A crashed app (Textual's return_code 1) used to exit 0, hiding the crash from the shell."""
    import contextlib

    from tuitrain.ui import run_app as launch

    def crashed_run(self) -> None:
        self._return_code = 1

    monkeypatch.setattr(TuitrainApp, "run", crashed_run)
    monkeypatch.setattr(launch, "_native_stderr_to_log", contextlib.nullcontext)
    assert launch._run_app("spiral_mlp") == 1
    monkeypatch.setattr(TuitrainApp, "run", lambda self: None)
    assert launch._run_app("spiral_mlp") == 0


async def test_edit_preset_is_the_one_door_and_skips_no_op_edits(open_app):
    async with open_app("spiral_mlp", background=False) as (app, pilot):
        await wait_ready(pilot)
        epochs = app.preset.fit["epochs"]
        assert not app.edit_preset(lambda p: None)  # nothing changed: not recorded, not modified
        assert len(app.history) == 0 and not app.modified
        assert app.edit_preset(lambda p: p.fit.update(epochs=epochs + 1))
        assert app.preset.fit["epochs"] == epochs + 1 and app.modified and len(app.history) == 1
        assert not app.edit_preset(lambda p: p.fit.update(epochs=epochs + 1))  # the same value again
        assert len(app.history) == 1
        assert app.undo_edit() and app.preset.fit["epochs"] == epochs
        assert not app.undo_edit()
        assert app.redo_edit() and app.preset.fit["epochs"] == epochs + 1


async def test_help_and_palette_show_remapped_keys(open_app):
    from textual.binding import Binding

    from tuitrain.ui.palette import TuitrainCommands

    async with open_app("spiral_mlp", background=False) as (app, pilot):
        await pilot.pause()
        app.set_keymap({"app.save": "f6", "layers.remove": "x"})
        f6, x = (app.get_key_display(Binding(k, "a")) for k in ("f6", "x"))
        app.action_show_pane("layers")
        await pilot.pause()
        sections = {s.title: {(r.display, r.description) for r in s.all_rows()} for s in app.key_help()}
        assert (f6, "Save") in sections["Everywhere"]
        assert (x, "Remove") in sections["Layers pane"]
        hints = {c.title: c.help for c in TuitrainCommands(app.screen)._commands()}
        assert hints["Save preset"].endswith(f"({f6})")
        assert hints["Layers: Remove layer"].endswith(f"({x})")
        app.update_keymap({"app.reload": "f7"})  # merged over the earlier keymap, as Textual does
        sections = {s.title: {(r.display, r.description) for r in s.all_rows()} for s in app.key_help()}
        assert (app.get_key_display(Binding("f7", "a")), "Reload") in sections["Everywhere"]
        assert (f6, "Save") in sections["Everywhere"]


async def test_toasts_show_brackets_in_names_and_errors_as_text(open_app):
    """A run name or Keras error with ``[/x]`` in it must not be read as markup (a bad tag raises)."""
    async with open_app("spiral_mlp", background=False) as (app, pilot):
        app.notify("cannot start: layers[0] [/bold] shape (None, [2])", severity="error")
        await pilot.pause()
        (toast,) = list(app._notifications)
        assert toast.message == "cannot start: layers[0] [/bold] shape (None, [2])"
        assert toast.markup is False
