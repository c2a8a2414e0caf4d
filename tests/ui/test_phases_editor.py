"""The phases editor beside the fit options: add, edit and remove [[phases]] with keys."""

from __future__ import annotations

import pytest

from tests.ui.waiting import settle_scroll, wait_for, wait_ready
from tuitrain.editing.phases import add_phase, phase_from_form, set_phases
from tuitrain.preset import find_preset, load_preset
from tuitrain.ui.app import TuitrainApp

SIZE = (120, 40)

pytestmark = pytest.mark.usefixtures("quick_rebuilds")

PHASED = """name = "phased"
seed = 1
[data]
source = "synthetic:spiral"
samples = 200
[[layers]]
name = "body"
type = "Dense"
units = 16
trainable = false
[[layers]]
type = "Dense"
units = 2
activation = "softmax"
[compile]
optimizer = "adam"
loss = "sparse_categorical_crossentropy"
[fit]
batch_size = 32
[[phases]]
epochs = 2
[[phases]]
epochs = 3
unfreeze = { layer = "body" }
learning_rate = 0.001
"""


def rows(app) -> list[str]:
    listing = app.query_one("#phases")
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


async def test_phases_are_listed_and_edited_in_a_form(tmp_path):
    path = tmp_path / "phased.toml"
    path.write_text(PHASED)
    app = TuitrainApp(path, pane="compile")
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        assert rows(app) == ["1 · epochs 1–2 · layers' own trainable", "2 · epochs 3–5 · unfreeze body · lr 0.001"]
        assert not app.query("#fit-form #field-epochs")  # the phases set the epochs
        app.query_one("#phases").focus()
        await pilot.press("down", "e")
        await wait_for(pilot, lambda: app.screen.query("#param-form"), "the phase form")
        assert app.focused.id == "field-epochs" and app.focused.value == "3"
        await pilot.press("ctrl+a", "ctrl+k", "4", "tab", "ctrl+a", "ctrl+k", *"1e-5", "enter")
        await wait_for(pilot, lambda: app.preset.phases[1].get("epochs") == 4, "the edited phase")
        assert app.preset.phases[1] == {"epochs": 4, "learning_rate": 1e-5, "unfreeze": {"layer": "body"}}
        assert rows(app)[1] == "2 · epochs 3–6 · unfreeze body · lr 1e-05"
        await pilot.press("d")
        await wait_for(pilot, lambda: len(app.preset.phases) == 1, "the removed phase")
        await pilot.press("ctrl+z")
        await wait_for(pilot, lambda: len(app.preset.phases) == 2, "undo brings the phase back")


async def test_adding_the_first_phase_takes_over_fit_epochs(tmp_path):
    app = TuitrainApp("spiral_mlp", pane="compile")
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        epochs = app.preset.fit["epochs"]
        assert "one phase" in rows(app)[0]
        app.query_one("#phases").focus()
        await pilot.press("a")
        await wait_for(pilot, lambda: app.screen.query("#param-form"), "the phase form")
        await pilot.press("ctrl+a", "ctrl+k", "5", "tab", *"0.001", "enter")
        await wait_for(pilot, lambda: len(app.preset.phases) == 2, "phase 2 added")
        assert app.preset.phases == [{"epochs": epochs}, {"epochs": 5, "learning_rate": 0.001}]
        assert "epochs" not in app.preset.fit
        # the edited preset is valid as a file too:
        from tuitrain.preset import parse_preset
        from tuitrain.preset.save import dumps_preset

        assert parse_preset(dumps_preset(app.preset)).phases == app.preset.phases


def test_removing_the_last_phase_gives_fit_its_epochs_back():
    preset = load_preset(find_preset("spiral_mlp"))
    epochs = preset.fit["epochs"]
    add_phase(preset, phase_from_form({"epochs": 2, "unfreeze_layer": "x", "top": 3}))
    assert preset.phases == [{"epochs": epochs}, {"epochs": 2, "unfreeze": {"layer": "x", "top": 3}}]
    set_phases(preset, [])
    assert preset.fit["epochs"] == epochs + 2 and preset.phases == []


def test_snapshot_phases_editor_80x24(snap_compare):
    async def open_phases(pilot):
        await wait_ready(pilot)
        # The scroll into view is animated; an animation cut short by the next layout stops between
        # rows, and the scrollbar's thumb then differs by a step from run to run: no animation here.
        pilot.app.animation_level = "none"
        pilot.app.query_one("#phases").focus()
        await settle_scroll(pilot)

    assert snap_compare("snapshot_apps/transfer_compile_app.py", terminal_size=(80, 24), run_before=open_phases)
