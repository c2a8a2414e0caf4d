"""The app on the new kinds of preset: several inputs and outputs, adapted layers, per-output compile values."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.ui.snapshot_apps.layers_support import table_rows
from tests.ui.waiting import wait_ready
from tuitrain.preset import find_preset
from tuitrain.ui.app import TuitrainApp

SIZE = (140, 40)

pytestmark = pytest.mark.usefixtures("quick_rebuilds")


@asynccontextmanager
async def bundled_app(tmp_path: Path, preset: str, pane: str) -> AsyncIterator[tuple[TuitrainApp, Pilot]]:
    """The app on a copy of a bundled preset whose synthetic data is cut to 60 samples, once ready."""
    text, found = re.subn(r"(?m)^samples = \d+", "samples = 60", find_preset(preset).read_text())
    assert found == 1, f"{preset}: no `samples = N` line to shrink"
    path = tmp_path / f"{preset}.toml"
    path.write_text(text)
    app = TuitrainApp(path, pane=pane)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        yield app, pilot


async def test_several_inputs_and_outputs_build_in_the_app_with_heads_marked(tmp_path):
    async with bundled_app(tmp_path, "tickets", "layers") as (app, _):
        report = app.build_report
        assert report.model is not None, report.error
        assert report.total_params == 19097
        rows = table_rows(app)
        heads = [r for r in rows if "→ out" in r[1]]
        assert [r[1] for r in heads] == ["priority → out", "department → out"]
        totals = str(app.query_one("#layer-totals").render())
        assert "inputs: title (None, 8), body (None, 40), tags (None, 12)" in totals
        assert "outputs: priority, department" in totals


async def test_adapted_layer_is_marked(tmp_path):
    async with bundled_app(tmp_path, "housing", "layers") as (app, _):
        assert app.build_report.model is not None, app.build_report.error
        first = table_rows(app)[0]
        assert first[2] == "Normalization" and first[3].startswith("adapted")
        assert app.build_report.non_trainable_params == 11  # mean, variance (5 each) and the count


async def test_compile_pane_gives_each_output_its_loss_weight_and_metrics(tmp_path):
    async with bundled_app(tmp_path, "tickets", "compile") as (app, pilot):
        assert str(app.query_one("#loss-priority").value) == "binary_crossentropy"
        assert str(app.query_one("#loss-department").value) == "sparse_categorical_crossentropy"
        assert app.query_one("#loss-weight-department").value == "0.2"
        app.query_one("#loss-weight-department").value = "0.5"
        await pilot.press("tab")
        await wait_ready(pilot)
        assert app.preset.compile["loss_weights"] == {"priority": 1.0, "department": 0.5}
        assert app.preset.compile["loss"]["priority"] == "binary_crossentropy"


async def test_compile_pane_shows_the_learning_rate_schedule_form(tmp_path):
    async with bundled_app(tmp_path, "housing", "compile") as (app, pilot):
        assert str(app.query_one("#lr-schedule").value) == "ExponentialDecay"
        form = app.query_one("#schedule-form")
        values, _ = form.non_default_values()
        assert values["decay_steps"] == 250 and values["initial_learning_rate"] == 0.05
        app.query_one("#lr-schedule").value = "constant"
        await wait_ready(pilot)
        assert app.preset.compile["optimizer"] == {"type": "Adam", "learning_rate": 0.05}
        assert not app.query("#schedule-form")


async def test_a_wrappers_inner_layer_is_edited_as_a_nested_form(tmp_path):
    async with bundled_app(tmp_path, "text_bilstm", "layers") as (app, pilot):
        assert table_rows(app)[0][3].startswith("adapted · ")
        table = app.query_one("#layer-table")
        table.move_cursor(row=2)
        await pilot.press("enter")
        await pilot.pause()
        dialog = app.screen
        assert dialog.query_one("#inner-type").value == "LSTM"
        units = dialog.query_one("#inner-params").query_one("#field-units")
        assert units.value == "16"
        units.value = "8"
        await pilot.press("ctrl+s")
        await wait_ready(pilot)
        assert app.preset.layers[2] == {"type": "Bidirectional", "layer": {"type": "LSTM", "units": 8}}
        assert app.preset.layers[0]["adapt"] is True
        assert app.build_report.model is not None
