"""The Layers pane in the real app: build, reorder, break and fix a model with keys alone."""

from __future__ import annotations

import pytest

from tests.ui.snapshot_apps.layers_support import EMPTY_TUTORIAL, TUTORIAL_LAYERS, table_rows, write_preset
from tests.ui.waiting import wait_for, wait_ready

SIZE = (120, 40)

pytestmark = pytest.mark.usefixtures("quick_rebuilds")


def totals(app) -> str:
    return str(app.query_one("#layer-totals").render())


def reason(app) -> str:
    return str(app.query_one("#layer-reason").render())


async def add_layer(pilot, type_name: str, *keys: str) -> None:
    """a → search the type → Enter → type into the fields → Enter (OK)."""
    await pilot.press("a")
    await pilot.pause()
    await pilot.press(*type_name, "enter")
    await pilot.pause()
    await pilot.press(*keys)
    await pilot.pause()
    await wait_ready(pilot)


async def test_tutorial_mlp_from_an_empty_stack_by_keys(tmp_path, open_app):
    path = write_preset(tmp_path, EMPTY_TUTORIAL)
    async with open_app(path, pane="layers", size=SIZE) as (app, pilot):
        await wait_ready(pilot)
        assert "No layers yet" in totals(app)
        # Dense(32, input_shape=(784,)): units first, then input_shape (offered early on the first layer).
        await add_layer(pilot, "Dense", *"32", "tab", *"784", "enter")
        # One layer so far: the core's mismatch warning names it (32 outputs, 10 classes).
        assert "⚠ layers[0].units: the output layer has 32 units, but the data has 10 classes" in reason(app)
        assert table_rows(app)[0][0] == "⚠ 0"
        # Activation('relu'): open the select, type to search, pick, OK.
        await add_layer(pilot, "Activation", "enter", *"relu", "enter", "ctrl+s")
        await add_layer(pilot, "Dense", *"10", "enter")
        await add_layer(pilot, "Activation", "enter", *"softmax", "enter", "ctrl+s")

        assert app.preset.layers == [
            {"type": "Dense", "units": 32, "input_shape": [784]},
            {"type": "Activation", "activation": "relu"},
            {"type": "Dense", "units": 10},
            {"type": "Activation", "activation": "softmax"},
        ]
        rows = table_rows(app)
        assert [r[2] for r in rows] == ["Dense", "Activation", "Dense", "Activation"]
        assert [r[-3:] for r in rows] == [
            ["(None, 32)", "25,120", "yes"],
            ["(None, 32)", "0", "yes"],
            ["(None, 10)", "330", "yes"],
            ["(None, 10)", "0", "yes"],
        ]
        assert reason(app) == ""  # 10 outputs for 10 classes: nothing to warn about
        assert "Total params: 25,450" in totals(app)
        assert "Trainable params: 25,450" in totals(app) and "Non-trainable params: 0" in totals(app)
        assert app.modified


async def test_reorder_remove_duplicate_and_undo(tmp_path, open_app):
    path = write_preset(tmp_path, EMPTY_TUTORIAL + TUTORIAL_LAYERS)
    async with open_app(path, pane="layers", size=SIZE) as (app, pilot):
        await wait_ready(pilot)
        types = lambda: [r[2] + ":" + r[3] for r in table_rows(app)]  # noqa: E731
        original = types()
        await pilot.press("down", "J")  # relu moves below Dense(10)
        await wait_ready(pilot)
        assert types() == [original[0], original[2], original[1], original[3]]
        assert app.query_one("#layer-table").cursor_row == 2  # the cursor follows the moved row
        await pilot.press("K", "K")  # and back up to the top
        await wait_ready(pilot)
        assert types()[0] == original[1]

        await pilot.press("u", "u", "u")
        await wait_ready(pilot)
        assert types() == original
        await pilot.press("ctrl+y")
        await wait_ready(pilot)
        assert types() == [original[0], original[2], original[1], original[3]]
        await pilot.press("u")
        await wait_ready(pilot)

        await pilot.press("ctrl+home", "d")  # remove Dense(32): Dense(10) now sees 784 inputs
        await wait_ready(pilot)
        assert "Total params: 7,850" in totals(app)
        await pilot.press("ctrl+z")
        await wait_ready(pilot)
        assert types() == original and "Total params: 25,450" in totals(app)

        await pilot.press("ctrl+home", "c")  # a second Dense(32) after the first: 32*32+32 more
        await wait_ready(pilot)
        assert len(types()) == 5 and "Total params: 26,506" in totals(app)
        await pilot.press("u")
        await wait_ready(pilot)
        assert "Total params: 25,450" in totals(app)


async def test_a_broken_layer_shows_keras_reason_and_can_be_fixed(tmp_path, open_app):
    path = write_preset(tmp_path, EMPTY_TUTORIAL + TUTORIAL_LAYERS)
    async with open_app(path, pane="layers", size=SIZE) as (app, pilot):
        await wait_ready(pilot)
        # Conv2D on flat (784,) input, inserted after the first Dense; a 3-D kernel is refused first.
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"Conv2D", "enter", *"8", "tab", *"3, 3, 3", "enter")
        await pilot.pause()
        assert "kernel_size needs 2 integers" in str(app.screen.query_one("#error-kernel_size").render())
        assert len(app.preset.layers) == 4  # nothing changed: the dialog is still open
        await pilot.press("backspace", "backspace", "backspace", "enter")
        await wait_ready(pilot)
        assert app.preset.layers[1] == {"type": "Conv2D", "filters": 8, "kernel_size": [3, 3]}
        rows = table_rows(app)
        assert rows[1][0].startswith("✗") and rows[1][-3] == "error"
        assert "Conv2D expects 4-D input" in reason(app) and "(None, 32)" in reason(app)
        assert "does not build" in totals(app)
        # The rest stays editable: edit the last row while the model is broken.
        await pilot.press("ctrl+end", "e")
        await pilot.pause()
        assert app.screen.query_one("#field-activation").value == "softmax"
        await pilot.press("escape")
        await pilot.pause()
        # Fix: go to the broken row and remove it.
        await pilot.press("ctrl+home", "down", "d")
        await wait_ready(pilot)
        assert not reason(app) and "Total params: 25,450" in totals(app)


def test_palette_commands_name_real_pane_actions():
    from tuitrain.ui.panes.compile import pane as compile_pane
    from tuitrain.ui.panes.layers import pane as layers_pane

    for module, cls in ((layers_pane, layers_pane.LayersPane), (compile_pane, compile_pane.CompilePane)):
        assert module.PANE_ACTIONS
        for command in module.PANE_ACTIONS:
            assert command.title and command.help and callable(getattr(cls, f"action_{command.action}", None)), command


async def test_functional_inputs_are_shown_and_edited(open_app):
    async with open_app("two_branch", pane="layers", size=SIZE) as (app, pilot):
        await wait_ready(pilot)
        table = app.query_one("#layer-table")
        assert [str(c.label) for c in table.columns.values()][4] == "inputs"
        rows = table_rows(app)
        assert rows[3][1:5] == ["merge", "Concatenate", "", "wide, deep2"]
        assert rows[3][5] == "(None, 24)"
        await pilot.press("down", "down", "down", "enter")  # Enter on a row edits it: "merge"
        await pilot.pause()
        inputs = app.screen.query_one("#layer-inputs")
        assert inputs.value == "wide, deep2"
        inputs.value = "wide, nowhere"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "'nowhere' is not an earlier layer" in str(app.screen.query_one("#inputs-error").render())
        inputs.value = "wide, deep1"
        await pilot.press("ctrl+s")
        await wait_ready(pilot)
        assert app.preset.layers[3]["inputs"] == ["wide", "deep1"]
        assert table_rows(app)[3][5] == "(None, 40)"  # 8 + 32
        # The palette runs the same actions: "Layers: Add layer" opens the dialog after "merge".
        await app.run_pane_command("layers", "add_layer")
        await pilot.pause()
        assert app.screen.query_one("#dialog-title").render().plain == "Add a layer after layer 3"
        assert app.screen.query_one("#layer-inputs").placeholder == "merge"  # the newest earlier name


async def test_saved_edit_reopens_and_exports_to_the_same_model(tmp_path, open_app):
    """Edit in the app, save, reopen: same rows and counts; `tuitrain export` builds the same model."""
    import subprocess
    import sys

    from tuitrain.__main__ import main
    from tuitrain.preset import load_preset

    path = write_preset(tmp_path, EMPTY_TUTORIAL + TUTORIAL_LAYERS)
    async with open_app(path, pane="layers", size=SIZE) as (app, pilot):
        await wait_ready(pilot)
        await pilot.press("e")  # first Dense: 32 → 64 units
        await pilot.pause()
        await pilot.press(*"64", "enter")
        await wait_ready(pilot)
        shown = totals(app)
        rows = table_rows(app)
        assert "Total params: 50,890" in shown  # 784*64+64 + 64*10+10
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not app.modified, "the save")

    assert "# The Keras tutorial MLP" in path.read_text()
    async with open_app(path, pane="layers", size=SIZE) as (reopened, pilot):
        await wait_ready(pilot)
        assert table_rows(reopened) == rows and totals(reopened) == shown
    assert load_preset(path).layers[0] == {"type": "Dense", "units": 64, "input_shape": [784]}

    script = tmp_path / "exported.py"
    assert main(["export", str(path), "-o", str(script)]) == 0
    run = subprocess.run([sys.executable, str(script), "--summary"], capture_output=True, text=True,
                         timeout=300, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Total params: 50,890" in run.stdout


# ---------------------------------------------------------------- snapshots

APP = "snapshot_apps/layers_app.py"


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_snapshot_layers_pane(snap_compare, size):
    assert snap_compare(APP, terminal_size=size, run_before=wait_ready)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_snapshot_layers_pane_with_a_broken_row(snap_compare, size):
    async def break_it(pilot):
        await wait_ready(pilot)
        app = pilot.app
        broken = app.preset.copy()
        broken.layers.insert(1, {"type": "Conv2D", "filters": 8, "kernel_size": 3})
        app.update_preset(broken)
        await wait_ready(pilot)

    assert snap_compare(APP, terminal_size=size, run_before=break_it)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_snapshot_layer_form(snap_compare, size):
    async def open_form(pilot):
        from tuitrain.ui.screens.dialogs.layer_form import LayerFormScreen

        await wait_ready(pilot)
        await pilot.press("e")  # edit the first Dense layer
        app = pilot.app
        # the form mounts its fields and focuses the first one in on_mount: wait for that state
        await wait_for(pilot, lambda: isinstance(app.screen, LayerFormScreen) and app.screen.query("#layer-params")
                       and app.focused is not None and app.focused.screen is app.screen, "the layer form and its focus")
        await pilot.pause()

    assert snap_compare(APP, terminal_size=size, run_before=open_form)


async def test_layer_form_waits_for_tensorflow(tmp_path, monkeypatch, open_app):
    """The form imports Keras when it opens; before TensorFlow is loaded that froze the UI thread."""
    from tuitrain.ui.screens.dialogs.layer_form import LayerFormScreen

    def never_loads() -> None:
        raise ImportError("not yet")

    monkeypatch.setattr("tuitrain.ui.background._import_tensorflow", never_loads)
    async with open_app(write_preset(tmp_path, EMPTY_TUTORIAL), pane="layers", size=SIZE) as (app, pilot):
        await wait_ready(pilot)
        assert not app.tf_ready
        await pilot.press("a")
        await pilot.pause()
        assert not isinstance(app.screen, LayerFormScreen)
        assert any("TensorFlow is still loading" in n.message for n in app._notifications)


async def test_a_layer_reading_a_declared_input_can_be_edited_and_saved(tmp_path, open_app):
    """`tickets` declares [[inputs]] title/body/tags: the layer form offers those names (not only
    the default `input`), so pointing the body's Embedding at `title` is confirmed and saved."""
    import shutil

    from tuitrain.preset import load_preset
    from tuitrain.preset.find import PRESETS_DIR

    path = tmp_path / "tickets.toml"
    shutil.copy(PRESETS_DIR / "tickets.toml", path)
    async with open_app(path, pane="layers", size=(120, 40)) as (app, pilot):
        await wait_ready(pilot)
        await pilot.press("down", "down", "enter")  # row 2: the Embedding that reads `body`
        await pilot.pause()
        inputs = app.screen.query_one("#layer-inputs")
        assert inputs.value == "body"
        assert "title" in inputs.tooltip and "tags" in inputs.tooltip
        inputs.value = "title"
        await pilot.press("ctrl+s")  # confirm the form
        await wait_ready(pilot)
        assert app.screen is not None and not app.screen.query("#layer-inputs"), "the form stayed open"
        assert app.preset.layers[2]["inputs"] == ["title"]
        await pilot.press("ctrl+s")  # save the preset
        await wait_for(pilot, lambda: not app.modified, "the save")
    assert load_preset(path).layers[2]["inputs"] == ["title"]
