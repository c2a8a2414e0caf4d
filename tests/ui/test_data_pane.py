"""The data & tensor pane on the offline spiral preset: stats, slices, weights, playground."""

from __future__ import annotations

import numpy as np
import pytest
from textual.widgets import Input, OptionList, Static

from tests.ui.waiting import run_palette_command, wait_ready
from tuitrain.data import describe
from tuitrain.ui.app import TuitrainApp
from tuitrain.ui.panes.data.pane import DataPane
from tuitrain.ui.widgets.tensor_text import values_text


def shown(app, selector: str) -> str:
    """The text a Static shows (tables and Text alike)."""
    from rich.console import Console

    console = Console(width=200, record=True, file=open("/dev/null", "w"))
    console.print(app.query_one(selector, Static).content)
    return console.export_text()


@pytest.fixture
async def ready_app():
    app = TuitrainApp("spiral_mlp")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        yield app, pilot


async def test_lists_every_tensor_and_weight(ready_app):
    app, _ = ready_app
    listing = app.query_one("#tensor-list", OptionList)
    ids = [listing.get_option_at_index(i).id for i in range(listing.option_count)]
    assert [i for i in ids if i and i.startswith("data:")] == ["data:x_train", "data:y_train", "data:x_val", "data:y_val"]
    assert "weights:dense/kernel" in ids and "weights:dense_2/bias" in ids


async def test_stats_shown_match_describe(ready_app):
    app, pilot = ready_app
    pane = app.query_one(DataPane)
    for key, array in (("data:x_train", app.dataset.x_train), ("data:y_val", app.dataset.y_val)):
        pane.select(key)
        await pilot.pause()
        text = shown(app, "#tensor-stats")
        row = describe(key.split(":")[1], array).as_row()
        for cell in row[1:]:  # dtype, shape, min, max, mean, std, nan, inf
            assert cell in text, (cell, text)


async def test_choose_a_slice_and_see_its_values(ready_app):
    app, pilot = ready_app
    x = app.dataset.x_train
    await pilot.press("i")
    box = app.query_one("#slice-index", Input)
    assert app.focused is box and box.value == "0"
    box.value = "5"
    await pilot.pause()
    assert "x_train[5]  shape (2,)" in shown(app, "#slice-values")
    assert values_text(x[5], 80) in shown(app, "#slice-values")
    box.value = "10:13, 1"
    await pilot.pause()
    text = shown(app, "#slice-values")
    assert "x_train[10:13, 1]  shape (3,)" in text
    assert values_text(x[10:13, 1], 80) in text
    box.value = "900"
    await pilot.pause()
    assert "index 900 is out of range for axis 0 with size 800" in shown(app, "#slice-values")
    app.query_one("#tensor-list").focus()
    box.value = "7"
    await pilot.press("plus")
    assert box.value == "8"
    await pilot.press("minus", "minus")
    assert box.value == "6"
    assert values_text(x[6], 80) in shown(app, "#slice-values")


async def test_labels_show_class_counts(ready_app):
    app, pilot = ready_app
    app.query_one(DataPane).select("data:y_train")
    await pilot.pause()
    y = app.dataset.y_train
    text = shown(app, "#class-counts")
    for k in (0, 1):
        assert f"{k}: {int(np.sum(y == k)):,}" in text


async def test_layer_weights_view(ready_app):
    app, pilot = ready_app
    app.query_one(DataPane).select("weights:dense/kernel")
    await pilot.pause()
    kernel = app.build_report.model.layers[0].kernel.numpy()
    text = shown(app, "#tensor-stats")
    assert "(2, 64)" in text and "float32" in text
    assert describe("k", kernel).as_row()[3] in text  # min


async def test_playground_valid_and_rejected(ready_app):
    app, pilot = ready_app
    await pilot.press("t")
    box = app.query_one("#playground", Input)
    assert app.focused is box
    box.value = "tf.constant([[1, 2], [3, 4]])"
    await pilot.press("enter")
    await wait_ready(pilot)
    text = shown(app, "#tensor-stats")
    assert "int32" in text and "(2, 2)" in text and "tf.Tensor" in text
    assert "[[1 2]\n [3 4]]" in shown(app, "#slice-values")
    box.value = "__import__('os')"
    await pilot.press("enter")
    await wait_ready(pilot)
    assert "`__import__` is not allowed" in shown(app, "#playground-error")


async def test_playground_empty_first_axis_does_not_crash(ready_app):
    """np.zeros((0, 8, 8)) looks like an image batch; indexing or +/- on it used to divide by zero."""
    app, pilot = ready_app
    await pilot.press("t")
    box = app.query_one("#playground", Input)
    box.value = "np.zeros((0, 8, 8))"
    await pilot.press("enter")
    await wait_ready(pilot)
    assert "(0, 8, 8)" in shown(app, "#tensor-stats")
    assert "(empty)" in shown(app, "#slice-values")
    index = app.query_one("#slice-index", Input)
    index.value = "0"
    await pilot.pause()
    assert "(empty)" in shown(app, "#slice-values")
    app.query_one("#tensor-list").focus()
    await pilot.press("plus", "plus", "minus")
    assert app.is_running and index.value == "0"
    assert "(empty)" in shown(app, "#slice-values")


async def test_playground_unexpected_error_is_shown(ready_app, monkeypatch):
    """An exception the playground did not foresee used to kill the worker, leaving "evaluating…" forever."""
    import tuitrain.data.playground

    def broken(text):
        raise RuntimeError("boom")

    monkeypatch.setattr(tuitrain.data.playground, "evaluate", broken)
    app, pilot = ready_app
    await pilot.press("t")
    app.query_one("#playground", Input).value = "np.zeros(2)"
    await pilot.press("enter")
    await wait_ready(pilot)
    text = shown(app, "#playground-error")
    assert "evaluating" not in text and "RuntimeError: boom" in text


async def test_pane_commands_run_from_the_palette(ready_app):
    app, pilot = ready_app
    await pilot.press("2")
    await run_palette_command(pilot, "choose slice", "Data: choose slice")
    assert app.query_one("#panes").active == "data"
    assert app.focused is app.query_one("#slice-index", Input)


# --- snapshots ------------------------------------------------------------------------------

DATA_APP = "snapshot_apps/data_spiral.py"


def _choose(key: str):
    async def run_before(pilot):
        await wait_ready(pilot)
        pilot.app.query_one(DataPane).select(key)
        await pilot.pause()

    return run_before


async def _playground_image(pilot):
    await wait_ready(pilot)
    box = pilot.app.query_one("#playground", Input)
    box.value = "np.arange(192).reshape(2, 8, 12)"
    box.focus()
    await pilot.press("enter")
    await wait_ready(pilot)
    pilot.app.query_one("#tensor-list").focus()
    pilot.app.query_one("#tensor-detail").scroll_end(animate=False)
    await pilot.pause()


def test_snapshot_labels_80x24(snap_compare):
    assert snap_compare(DATA_APP, terminal_size=(80, 24), run_before=_choose("data:y_train"))


async def _fixed_weights_then_kernel(pilot):
    """Weights set by the test: Keras' initialisers (and so the values) change between TF versions."""
    await wait_ready(pilot)
    app = pilot.app
    model = app.build_report.model
    model.set_weights([np.sin(np.arange(w.size, dtype="float32") * 0.7).reshape(w.shape) * 0.5
                       for w in model.get_weights()])
    app.build_report = app.build_report  # the pane lists and describes the new values
    await _choose("weights:dense/kernel")(pilot)


def test_snapshot_weights_120x40(snap_compare):
    assert snap_compare(DATA_APP, terminal_size=(120, 40), run_before=_fixed_weights_then_kernel)


def test_snapshot_playground_image_120x40(snap_compare):
    assert snap_compare(DATA_APP, terminal_size=(120, 40), run_before=_playground_image)


def _light_theme(key: str):
    choose = _choose(key)

    async def run_before(pilot):
        pilot.app.theme = "textual-light"  # the other built-in theme users pick; colours come from it
        await choose(pilot)

    return run_before


def test_snapshot_light_theme_80x24(snap_compare):
    assert snap_compare(DATA_APP, terminal_size=(80, 24), run_before=_light_theme("data:x_train"))


def test_class_counts_break_between_classes_never_inside_one():
    from tuitrain.ui.panes.data.detail import pack_line

    parts = ["0: 393 (49.1 %)", "1: 407 (50.9 %)", "2: 12 (1.5 %)"]
    text = pack_line(parts, width=48, indent=14)
    assert text.split("\n") == ["0: 393 (49.1 %)   1: 407 (50.9 %)", " " * 14 + "2: 12 (1.5 %)"]
    assert all(len(line) + (14 if i == 0 else 0) <= 48 for i, line in enumerate(text.split("\n")))
    assert pack_line(parts, width=0, indent=14) == "   ".join(parts)  # not laid out yet: one line


def test_snapshot_labels_60x20_narrows_the_tensor_list(snap_compare):
    assert snap_compare(DATA_APP, terminal_size=(60, 20), run_before=_choose("data:y_train"))


async def test_detail_asked_to_draw_before_its_children_exist_draws_once_mounted():
    """The Data pane can mount after the first frame, its on_mount running before the detail's
    children exist: what it asked the detail to show then must appear, not raise NoMatches."""
    from textual.app import App

    from tuitrain.ui.panes.data.detail import TensorDetail

    detail = TensorDetail(id="tensor-detail")
    detail.show_nothing("No data: a LiveRun script run")  # not mounted: nothing composed yet

    class Host(App):
        def compose(self):
            yield detail

    async with Host().run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        stats = detail.query_one("#tensor-stats", Static)
        assert "No data: a LiveRun script run" in str(stats.render())
        assert not detail.query_one("#slice-row").display
