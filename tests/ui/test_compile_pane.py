"""The Compile pane in the real app: optimizer, hyper-parameters, loss, callbacks; save and reload."""

from __future__ import annotations

import pytest

from tests.ui.snapshot_apps.layers_support import EMPTY_TUTORIAL, TUTORIAL_LAYERS, write_preset
from tests.ui.waiting import wait_for, wait_ready
from tuitrain.ui.app import TuitrainApp

SIZE = (120, 40)

pytestmark = pytest.mark.usefixtures("quick_rebuilds")


def note(app, selector: str) -> str:
    return str(app.query_one(selector).render())


def tutorial_with(tmp_path, line: str, replacement: str):
    """The tutorial preset with one line changed, written to a file."""
    text = EMPTY_TUTORIAL + TUTORIAL_LAYERS
    assert line in text
    return write_preset(tmp_path, text.replace(line, replacement))


def built(preset):
    """(param counts, layer rows) as Keras reports them for ``preset``."""
    import keras

    from tuitrain.data import load_dataset
    from tuitrain.model import build_model_partial

    keras.backend.clear_session()
    data = load_dataset(preset.data, seed=preset.seed, base_dir=preset.base_dir)
    report = build_model_partial(preset, data.input_shape)
    rows = [(r.type, r.args, r.output_shape, r.params, r.trainable) for r in report.rows]
    return (report.total_params, report.trainable_params, report.non_trainable_params), rows


async def test_change_optimizer_and_learning_rate_save_and_reopen(tmp_path):
    from tuitrain.model import make_optimizer
    from tuitrain.preset import load_preset

    path = write_preset(tmp_path, EMPTY_TUTORIAL + TUTORIAL_LAYERS)
    app = TuitrainApp(path, pane="compile")
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        assert app.focused.id == "optimizer" and app.focused.value == "RMSprop"
        await pilot.press("enter", *"adam", "enter")  # open the picker, type to search, choose
        await pilot.pause()
        assert app.preset.compile["optimizer"] == "Adam"
        assert app.query_one("#optimizer-form #field-beta_1").placeholder == "0.9"  # Adam's own form
        await pilot.press("tab", *"0.005", "enter")  # learning_rate is the first field
        await pilot.pause()
        assert app.preset.compile["optimizer"] == {"type": "Adam", "learning_rate": 0.005}
        await pilot.press("tab", *"0.95", "tab")  # beta_1, committed when the field is left
        await pilot.pause()
        assert app.preset.compile["optimizer"] == {"type": "Adam", "learning_rate": 0.005, "beta_1": 0.95}
        edited = app.preset.copy()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not app.modified, "the save")

    text = path.read_text()
    for comment in ("# The Keras tutorial MLP", "# the tutorial's optimizer", "# categorical labels, as in the tutorial"):
        assert comment in text  # the user's comments survive the edit
    reopened = load_preset(path)
    assert reopened.to_dict() == edited.to_dict()
    opt = make_optimizer(reopened.compile["optimizer"])
    assert type(opt).__name__ == "Adam" and float(opt.learning_rate) == pytest.approx(0.005)
    assert float(opt.beta_1) == pytest.approx(0.95)
    assert built(reopened) == built(edited)



async def test_loss_warning_is_shown_beside_the_loss_and_goes_away(tmp_path):
    app = TuitrainApp(tutorial_with(tmp_path, 'loss = "categorical_crossentropy"',
                                    'loss = "sparse_categorical_crossentropy"'), pane="compile")
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        warning = note(app, "#warning-loss")
        assert "expects class indices, but y_train is one-hot (48, 10)" in warning
        app.query_one("#loss-search").focus()
        await pilot.press(*"categorical_c", "enter")
        await wait_ready(pilot)
        assert app.preset.compile["loss"] == "categorical_crossentropy"
        assert note(app, "#warning-loss") == ""
        # The loss's own options come from its class: from_logits with a softmax output is flagged.
        app.query_one("#loss-form #field-from_logits").focus()
        await pilot.press("enter")
        await wait_ready(pilot)
        assert app.preset.compile["loss"] == {"type": "CategoricalCrossentropy", "from_logits": True}
        assert "from_logits=true, but the output already applies softmax" in note(app, "#warning-loss")
        await pilot.press("ctrl+z")  # each undo recomposes the pane: the next key waits for it
        await wait_ready(pilot)
        assert app.preset.compile["loss"] == "categorical_crossentropy"
        await pilot.press("ctrl+z")
        await wait_ready(pilot)
        assert app.preset.compile["loss"] == "sparse_categorical_crossentropy"
        assert "expects class indices" in note(app, "#warning-loss")


async def test_fit_options_metrics_and_callbacks(tmp_path):
    app = TuitrainApp(write_preset(tmp_path, EMPTY_TUTORIAL + TUTORIAL_LAYERS), pane="compile")
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        app.query_one("#fit-form #field-epochs").focus()
        await pilot.press(*"12", "tab", *"64", "tab", *"0.5", "enter")
        await pilot.pause()
        assert app.preset.fit["epochs"] == 12 and app.preset.fit["batch_size"] == 64
        assert app.preset.data["validation_split"] == 0.5  # validation_split lives in [data]
        await pilot.press("tab", "enter")  # shuffle: off
        await pilot.pause()
        assert app.preset.fit["shuffle"] is False

        app.query_one("#metrics").focus()
        await pilot.press("down", "enter")  # tick the second metric too
        await pilot.pause()
        assert app.preset.compile["metrics"] == ["accuracy", app.query_one("#metrics").get_option_at_index(1).value]

        app.query_one("#callbacks").focus()
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"EarlyStopping", "enter", "tab", "tab", *"3", "enter")
        await pilot.pause()
        assert app.preset.fit["callbacks"] == [{"type": "EarlyStopping", "patience": 3}]
        assert "EarlyStopping(patience=3)" in str(app.query_one("#callbacks").get_option_at_index(0).prompt)
        await pilot.press("d")
        await pilot.pause()
        assert "callbacks" not in app.preset.fit
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert app.preset.fit["callbacks"] == [{"type": "EarlyStopping", "patience": 3}]


async def test_loss_and_metrics_are_filtered_as_you_type(tmp_path):
    def shown(selector):
        listing = app.query_one(selector)
        return [str(listing.get_option_at_index(i).prompt).strip("● ") for i in range(listing.option_count)]

    app = TuitrainApp(write_preset(tmp_path, EMPTY_TUTORIAL + TUTORIAL_LAYERS), pane="compile")
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        await pilot.press("ctrl+p", *"Choose loss", "enter")  # the palette lands on the search field
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "loss-search", "loss search focus")
        await pilot.press(*"hub")
        await wait_for(pilot, lambda: shown("#loss") == ["huber"], "the filtered losses")
        await pilot.press("enter")
        await wait_ready(pilot)
        assert app.preset.compile["loss"] == "huber"
        assert app.query_one("#loss-form #field-delta").placeholder == "1.0"  # Huber's own options
        await pilot.press(*("backspace",) * 3)  # the full list again, the new choice marked
        await wait_for(pilot, lambda: len(shown("#loss")) > 10, "the full loss list")
        assert "● huber" in [str(app.query_one("#loss").get_option_at_index(i).prompt)
                             for i in range(app.query_one("#loss").option_count)]

        app.query_one("#metrics-search").focus()
        await pilot.press(*"mean_abs")
        await wait_for(pilot, lambda: shown("#metrics")[:1] == ["mean_absolute_error"], "the filtered metrics")
        assert all("mean_abs" in m for m in shown("#metrics"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.preset.compile["metrics"] == ["accuracy", "mean_absolute_error"],
                       "accuracy, hidden by the search, stays ticked")
        await pilot.press("enter")  # enter again unticks it
        await wait_for(pilot, lambda: app.preset.compile["metrics"] == ["accuracy"], "mean_absolute_error unticked")


async def test_metric_search_keeps_a_metric_table_as_written(tmp_path):
    """A metric given as a table has no name to tick; searching and ticking others must keep it."""
    app = TuitrainApp(tutorial_with(tmp_path, 'metrics = ["accuracy"]',
                                    'metrics = ["accuracy", { type = "TopKCategoricalAccuracy", k = 3 }]'), pane="compile")
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        app.query_one("#metrics-search").focus()
        await pilot.press(*"mean_abs", "enter")
        table = {"type": "TopKCategoricalAccuracy", "k": 3}
        await wait_for(pilot, lambda: app.preset.compile["metrics"] == ["accuracy", "mean_absolute_error", table],
                       "the ticked metric added, the table kept")


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_snapshot_compile_pane(snap_compare, size):
    assert snap_compare("snapshot_apps/compile_app.py", terminal_size=size, run_before=wait_ready)


async def test_jit_compile_can_be_auto_true_or_false(tmp_path):
    app = TuitrainApp(write_preset(tmp_path, EMPTY_TUTORIAL + TUTORIAL_LAYERS), pane="compile")
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        field = app.query_one("#compile-form #field-jit_compile")
        assert field.value == "auto" or field.is_blank()
        field.value = "false"
        await pilot.pause()
        assert app.preset.compile["jit_compile"] is False  # an explicit "never XLA"
        field.value = "true"
        await pilot.pause()
        assert app.preset.compile["jit_compile"] is True
        field.value = "auto"
        await pilot.pause()
        assert "jit_compile" not in app.preset.compile  # Keras decides


async def test_compile_edits_do_not_rebuild_the_model_but_layer_edits_do(tmp_path):
    from tuitrain.ui.app import ModelBuilt

    built = []
    app = TuitrainApp(write_preset(tmp_path, EMPTY_TUTORIAL + TUTORIAL_LAYERS), pane="compile")
    async with app.run_test(size=SIZE, message_hook=lambda m: built.append(m) if isinstance(m, ModelBuilt) else None) as pilot:
        await wait_ready(pilot)
        before, report = len(built), app.build_report
        edited = app.preset.copy()
        edited.fit["epochs"] = 7
        edited.compile["metrics"] = ["accuracy", "mae"]
        app.update_preset(edited)
        await wait_ready(pilot)
        assert len(built) == before and app.build_report is report  # same layers: same model
        edited = app.preset.copy()
        edited.layers[0]["units"] = 16
        app.update_preset(edited)
        await wait_ready(pilot)
        assert len(built) == before + 1 and app.build_report.rows[0].params == 784 * 16 + 16
