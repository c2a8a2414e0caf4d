"""Class metrics with arguments in the Compile pane: picked from Keras' metrics registry, filled in
a form from the class's constructor, and compiled by Keras as the preset says."""

from __future__ import annotations

import pytest

from tests.ui.test_phases_editor import PHASED
from tests.ui.waiting import wait_for, wait_ready
from tuitrain.ui.app import TuitrainApp
from tuitrain.ui.panes.compile.metric_tables import MetricFormScreen

SIZE = (120, 40)

pytestmark = pytest.mark.usefixtures("quick_rebuilds")


def rows(app) -> list[str]:
    listing = app.query_one("#metric-tables")
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


async def test_add_a_class_metric_with_its_arguments_then_remove_it(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(PHASED.replace('loss = "sparse_categorical_crossentropy"',
                                   'loss = "sparse_categorical_crossentropy"\nmetrics = ["accuracy"]'))
    app = TuitrainApp(path, pane="compile")
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        assert "no metric with arguments" in rows(app)[0]
        app.query_one("#metric-tables").focus()
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, MetricFormScreen), "the metric picker")
        names = app.screen._names
        assert {"AUC", "Precision", "Recall", "F1Score", "TopKCategoricalAccuracy"} <= set(names)
        await pilot.press(*"SparseTopK", "enter")
        await wait_for(pilot, lambda: app.screen.query("#layer-params #field-k"), "its form from the signature")
        field = app.screen.query_one("#layer-params #field-k")
        assert field.placeholder == "5"  # Keras' default
        field.focus()
        await pilot.press("2", "ctrl+s")
        table = {"type": "SparseTopKCategoricalAccuracy", "k": 2}
        await wait_for(pilot, lambda: app.preset.compile.get("metrics") == ["accuracy", table], "the metric table")
        assert rows(app) == ["SparseTopKCategoricalAccuracy(k=2)"]
        await wait_ready(pilot)
        from tuitrain.model import prepare

        checked = prepare(app.preset)  # Keras builds the metric with k=2: on two classes every label is in the top 2
        ds = checked.dataset
        logs = checked.model.evaluate(ds.x_val[:16], ds.y_val[:16], return_dict=True, verbose=0)
        assert logs["sparse_top_k_categorical_accuracy"] == 1.0
        app.query_one("#metric-tables").focus()
        await pilot.press("d")
        await wait_for(pilot, lambda: app.preset.compile.get("metrics") == ["accuracy"], "the table removed")
