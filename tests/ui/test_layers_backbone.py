"""The Layers pane with the models people train today: a backbone as one row (trainable and frozen
parameters as Keras counts them) expanded on demand, `t` toggling trainable, shared rows as `↻`,
a layer's extra outputs."""

from __future__ import annotations

import pytest

from tests.ui.snapshot_apps.layers_support import table_rows
from tests.ui.waiting import wait_for, wait_ready
from tuitrain.ui.app import TuitrainApp

SIZE = (120, 40)

pytestmark = pytest.mark.usefixtures("quick_rebuilds")


def reason(app) -> str:
    return str(app.query_one("#layer-reason").render())


def keras_split(model, name: str) -> tuple[int, int]:
    import math

    layer = model.get_layer(name)
    return (sum(math.prod(w.shape) for w in layer.trainable_weights),
            sum(math.prod(w.shape) for w in layer.non_trainable_weights))


async def test_backbone_is_one_row_with_its_counts_and_expands_on_demand():
    app = TuitrainApp("transfer_learning", pane="layers", overrides=["data.samples=60"])
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        rows = table_rows(app)
        assert [r[2] for r in rows] == ["MobileNetV2", "Dropout", "Dense"]
        model = app.build_report.model
        backbone = model.get_layer("backbone")
        assert rows[0][-2:] == [f"{backbone.count_params():,}", "no"]
        trainable, frozen = keras_split(model, "backbone")
        assert (trainable, frozen) == (0, backbone.count_params())
        assert reason(app).startswith(f"backbone (Functional, {len(backbone.layers)} layers): 0 trainable, "
                                      f"{frozen:,} frozen parameters · x expands it")
        await pilot.press("x")
        await wait_for(pilot, lambda: len(table_rows(app)) == 3 + len(backbone.layers), "the backbone's layers")
        rows = table_rows(app)
        assert rows[1][1] == f" └ {backbone.layers[0].name}" and rows[-2][2] == "Dropout"
        await pilot.press("down", "down", "t")  # on a child row: acts on its backbone
        await wait_for(pilot, lambda: "trainable" not in app.preset.layers[0], "the backbone unfrozen from a child row")
        await wait_ready(pilot)
        await pilot.press("x")  # collapses it
        await wait_for(pilot, lambda: len(table_rows(app)) == 3, "the backbone collapsed")


async def test_t_toggles_trainable_and_the_counts_follow_keras():
    app = TuitrainApp("transfer_learning", pane="layers", overrides=["data.samples=60"])
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        await pilot.press("t")
        await wait_for(pilot, lambda: "trainable" not in app.preset.layers[0], "the backbone made trainable")
        await wait_ready(pilot)
        model = app.build_report.model
        assert keras_split(model, "backbone")[0] > 0
        assert table_rows(app)[0][-1] in ("yes", "part")  # BatchNormalization's moving statistics never train
        assert "0 trainable" not in reason(app)
        await pilot.press("t")
        await wait_for(pilot, lambda: app.preset.layers[0].get("trainable") is False, "frozen again")
        await pilot.press("down", "down", "t")
        await wait_for(pilot, lambda: app.preset.layers[2].get("trainable") is False, "the head frozen")
        await wait_ready(pilot)
        assert table_rows(app)[2][-1] == "no"


SHARED = """name = "shared"
seed = 1
[data]
source = "synthetic:spiral"
samples = 100
[[layers]]
name = "shared"
type = "Dense"
units = 2
inputs = ["input"]
[[layers]]
name = "again"
reuse = "shared"
inputs = ["shared"]
[[layers]]
name = "seq"
type = "Reshape"
target_shape = [2, 1]
inputs = ["again"]
[[layers]]
name = "enc"
type = "LSTM"
units = 4
return_state = true
inputs = ["seq"]
[[layers]]
type = "Dense"
units = 2
activation = "softmax"
inputs = ["enc[0]"]
[compile]
loss = "sparse_categorical_crossentropy"
"""


async def test_shared_rows_and_extra_outputs_are_shown(tmp_path):
    path = tmp_path / "shared.toml"
    path.write_text(SHARED)
    app = TuitrainApp(path, pane="layers")
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        rows = table_rows(app)
        assert rows[1][1] == "again" and rows[1][2] == "↻ shared (Dense)"
        assert rows[1][-2] == "shared with shared"  # its parameters are counted on the shared row
        assert rows[3][1] == "enc"  # LSTM(return_state) returns 3 tensors, each shown with the index rows name it by
        assert rows[3][-3] == "[0] (None, 4)  [1] (None, 4)  [2] (None, 4)"
        await pilot.press("down", "t")
        await pilot.pause()
        assert "trainable" not in app.preset.layers[1]  # a shared row trains with the row it reuses


def test_snapshot_layers_backbone_80x24(snap_compare):
    assert snap_compare("snapshot_apps/transfer_layers_app.py", terminal_size=(80, 24), run_before=wait_ready)


DECODER = SHARED.replace('''[[layers]]
type = "Dense"
units = 2
activation = "softmax"
inputs = ["enc[0]"]''', '''[[layers]]
name = "dec"
type = "LSTM"
units = 4
inputs = ["seq"]
call = { initial_state = ["enc[1]", "enc[2]"] }
[[layers]]
type = "Dense"
units = 2
activation = "softmax"
inputs = ["dec"]''')


async def test_layer_form_edits_the_call_table(tmp_path):
    path = tmp_path / "decoder.toml"
    path.write_text(DECODER)
    app = TuitrainApp(path, pane="layers")
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        assert table_rows(app)[4][2] == "LSTM"
        await pilot.press("down", "down", "down", "down", "e")
        await wait_for(pilot, lambda: app.screen.query("#call-params"), "the call() form")
        field = app.screen.query_one("#call-params #field-initial_state")
        assert field.value == '["enc[1]", "enc[2]"]'
        field.focus()
        await pilot.press("ctrl+a", "ctrl+k", *'"None"', "ctrl+s")  # no initial state after all
        await wait_for(pilot, lambda: app.preset.layers[4].get("call") == {"initial_state": "None"}, "the call table")
        await wait_ready(pilot)  # the encoder's states now reach nothing: the model says so
        assert "this layer ('enc') reaches no output" in app.build_report.error


async def test_a_backbone_is_added_from_the_layer_picker_by_keyboard(tmp_path):
    """`a`, search "MobileNetV2", Enter: the form is the builder's own signature (alpha, include_top,
    weights … and `trainable`), and its call() form offers `training`."""
    app = TuitrainApp("transfer_learning", pane="layers", overrides=["data.samples=60"])
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: app.screen.query("#type-search"), "the layer picker")
        await pilot.press(*"MobileNetV2", "enter")
        await wait_for(pilot, lambda: app.screen.query("#layer-params #field-alpha"), "the backbone's form")
        assert app.screen.query("#layer-params #field-include_top") and app.screen.query("#layer-params #field-trainable")
        assert "keras.applications backbone" in str(app.screen.query_one("#type-summary").render())
        assert app.screen.query("#call-params #field-training")  # a backbone's call: training, mask


async def test_a_shared_row_is_edited_and_added_by_keyboard(tmp_path):
    """`e` on a reuse row edits its name, reuse and inputs (it has no type to pick); `r` on a named row
    adds a row that calls that layer again — one weight set, as Keras counts it."""
    path = tmp_path / "shared.toml"
    path.write_text(SHARED)
    app = TuitrainApp(path, pane="layers")
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        model = app.build_report.model
        assert sum(1 for layer in model.layers if layer.name == "shared") == 1  # one layer, called twice
        await pilot.press("down", "e")  # row 1: `again` reuses `shared`
        await wait_for(pilot, lambda: app.screen.query("#field-reuse"), "the shared row's form")
        assert not app.screen.query("#type-search")  # no type picker for a reuse row
        field = app.screen.query_one("#field-inputs")
        assert field.value == "shared"
        field.value = "input"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.preset.layers[1] == {"name": "again", "reuse": "shared", "inputs": ["input"]},
                       "the edited shared row")
        await wait_ready(pilot)
        assert "reaches no output" in app.build_report.error  # `shared` is read by nothing now: the model says so
        await pilot.press("up", "r")  # row 0 (`shared`): a new row right below it calls it once more
        await wait_for(pilot, lambda: app.screen.query("#field-reuse"), "the new shared row's form")
        app.screen.query_one("#field-inputs").value = "input"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len(app.preset.layers) == 6, "the added row")
        assert app.preset.layers[1] == {"name": "shared_again", "reuse": "shared", "inputs": ["input"]}
