"""A new preset from nothing, by keys alone: ctrl+n, the data, the model, compile, train, save.

The pilot test is the scikit-learn digits MLP (8×8 images flattened to 64 inputs):
Dense(32, input_shape=(64,)) → relu → Dense(10) → softmax, rmsprop, sparse categorical
cross-entropy, accuracy, two epochs; the saved preset loads again to the same 2,410 parameters.
"""

from __future__ import annotations


from tests.ui.waiting import run_palette_command, wait_for, wait_ready
from tuitrain.ui.app import TuitrainApp
from tuitrain.ui.panes.layers.pane import LayersPane
from tuitrain.ui.screens.new_preset import NewPresetScreen

DIGITS_PARAMS = 64 * 32 + 32 + 32 * 10 + 10


async def _new_preset(pilot, *keys: str) -> None:
    app = pilot.app
    await pilot.press("ctrl+n")
    await wait_for(pilot, lambda: isinstance(app.screen, NewPresetScreen), "the new-preset dialog")
    await pilot.press(*keys)
    await wait_for(pilot, lambda: app.preset is not None and app.preset_path is None, "the starter preset")
    await wait_ready(pilot)


async def _add_layer(pilot, layer_type: str, *keys: str) -> None:
    from tuitrain.ui.screens.dialogs.layer_form import LayerFormScreen

    await pilot.press("a")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, LayerFormScreen), "the layer dialog")
    await pilot.press(*layer_type, "enter")
    await wait_for(pilot, lambda: str(getattr(pilot.app.focused, "id", "")).startswith("field-"), f"the {layer_type} form")
    await pilot.press(*keys)
    await wait_for(pilot, lambda: not isinstance(pilot.app.screen, LayerFormScreen), "the layer dialog to close")


async def test_digits_mlp_from_ctrl_n_to_a_saved_preset_by_keys_alone(tmp_path, monkeypatch):
    from tuitrain.runs.reader import RunReader
    from tuitrain.model import build_model, param_counts
    from tuitrain.preset import load_preset

    monkeypatch.chdir(tmp_path)
    app = TuitrainApp(runs_dir=tmp_path / "runs")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_ready(pilot)
        await _new_preset(pilot, *"digits", "enter")
        assert app.preset.data["source"] == "sklearn:digits" and app.modified
        assert app.dataset.x_train.shape == (1438, 64) and app.dataset.x_val.shape == (359, 64)  # at once, in the Data pane
        assert "unsaved" in app.sub_title

        await pilot.press("f2")  # F-keys switch panes even from a text field
        await wait_for(pilot, lambda: app.focused is not None and any(isinstance(a, LayersPane) for a in app.focused.ancestors_with_self), "the layers table")
        for _ in app.preset.layers:
            await pilot.press("d")
        await wait_for(pilot, lambda: app.preset.layers == [], "an empty stack")
        await _add_layer(pilot, "Dense", *"32", "tab", *"64", "enter")
        await _add_layer(pilot, "Activation", "enter", *"relu", "enter", "ctrl+s")
        await _add_layer(pilot, "Dense", *"10", "enter")
        await _add_layer(pilot, "Activation", "enter", *"softmax", "enter", "ctrl+s")
        assert app.preset.layers == [
            {"type": "Dense", "units": 32, "input_shape": [64]},
            {"type": "Activation", "activation": "relu"},
            {"type": "Dense", "units": 10},
            {"type": "Activation", "activation": "softmax"},
        ]
        await wait_ready(pilot)
        assert app.build_report.total_params == DIGITS_PARAMS

        await pilot.press("f3")
        await wait_ready(pilot)
        await run_palette_command(pilot, "choose optimizer", "Choose optimizer")
        await pilot.press("enter", *"rms", "enter")
        await run_palette_command(pilot, "choose loss", "Choose loss")
        await pilot.press(*"sparse_categorical_c", "enter")  # the loss search filters as you type
        await run_palette_command(pilot, "set epochs", "Set epochs")
        await pilot.press(*"2", "enter")
        await wait_for(pilot, lambda: app.preset.fit.get("epochs") == 2, "epochs = 2")
        compile_ = app.preset.compile
        assert str(compile_["optimizer"]).lower() == "rmsprop"  # the pane writes Keras' class name, RMSprop
        assert (compile_["loss"], compile_["metrics"]) == ("sparse_categorical_crossentropy", ["accuracy"])

        await pilot.press("f4")
        await wait_ready(pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: app.run_dir is not None, "a run")
        reader = RunReader(app.run_dir)
        await wait_for(pilot, lambda: reader.status().get("status") in ("finished", "failed", "crashed"), "the run to end", timeout=300)
        assert reader.status()["status"] == "finished" and reader.status()["epochs_done"] == 2

        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press(*"digits_mlp.toml", "enter")
        await wait_for(pilot, lambda: app.preset_path is not None, "the save")
        assert not app.modified
        await wait_ready(pilot)  # the saved preset's data now resolves from its folder: reloaded, rebuilt
        assert app.build_report.total_params == DIGITS_PARAMS

    saved = load_preset(tmp_path / "digits_mlp.toml")
    model = build_model(saved, (64,))
    assert param_counts(model)[0] == DIGITS_PARAMS == 2410


# ---------------------------------------------------------------- the data editor and snapshots

SPIRAL = """\
name = "spiral"
seed = 0

[data]
source = "synthetic:spiral"
samples = 200
preprocess = [{ op = "standardize" }]

[[layers]]
type = "Dense"
units = 2
activation = "softmax"

[compile]
optimizer = "adam"
loss = "sparse_categorical_crossentropy"
"""


async def test_data_editor_by_keys_options_steps_reorder_remove_and_undo(tmp_path):
    from tuitrain.ui.panes.data.editor import DataEditor
    from tuitrain.ui.screens.dialogs.param_dialog import ParamDialog
    from tuitrain.ui.screens.dialogs.step_form import StepFormScreen

    path = tmp_path / "spiral.toml"
    path.write_text(SPIRAL)
    app = TuitrainApp(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_ready(pilot)
        assert isinstance(app.focused, DataEditor)  # the Data pane opens on its editor
        await pilot.press("down", "enter")  # the options row
        await wait_for(pilot, lambda: isinstance(app.screen, ParamDialog), "the options dialog")
        assert app.focused.id == "field-samples"
        await pilot.press(*"500", "enter")
        await wait_ready(pilot)
        assert app.preset.data["samples"] == 500
        assert app.dataset.x_train.shape == (400, 2)  # the tensors follow, reloaded in a worker

        await pilot.press("down", "down", "a")  # after the standardize step
        await wait_for(pilot, lambda: isinstance(app.screen, StepFormScreen), "the step dialog")
        await pilot.press(*"resc", "enter")
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "field-factor", "the factor field")
        await pilot.press(*"2", "enter")
        await wait_ready(pilot)
        assert app.preset.data["preprocess"] == [{"op": "standardize"}, {"op": "rescale", "factor": 2}]
        assert abs(float(app.dataset.x_train.std(axis=0).mean()) - 2.0) < 1e-3

        await pilot.press("shift+up")  # rescale before standardize
        assert app.preset.data["preprocess"] == [{"op": "rescale", "factor": 2}, {"op": "standardize"}]
        await pilot.press("d")
        assert app.preset.data["preprocess"] == [{"op": "standardize"}]
        await pilot.press("ctrl+z", "ctrl+z")
        assert app.preset.data["preprocess"] == [{"op": "standardize"}, {"op": "rescale", "factor": 2}]
        await wait_ready(pilot)


async def _open_new_preset_dialog(pilot):
    await wait_ready(pilot)
    await pilot.press("ctrl+n")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, NewPresetScreen) and pilot.app.screen._keras_done, "the dialog with the Keras cache read")
    await wait_ready(pilot)  # the panes behind it settled too


async def _new_digits_preset(pilot):
    await wait_ready(pilot)
    await _new_preset(pilot, *"digits", "enter")
    await pilot.pause()


def test_snapshot_new_preset_dialog_80x24(snap_compare, tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))  # no Keras data sets here: the same list everywhere
    assert snap_compare("snapshot_apps/new_preset_app.py", terminal_size=(80, 24), run_before=_open_new_preset_dialog)


def test_snapshot_data_editor_on_a_new_digits_preset_80x24(snap_compare, tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert snap_compare("snapshot_apps/new_preset_app.py", terminal_size=(80, 24), run_before=_new_digits_preset)
