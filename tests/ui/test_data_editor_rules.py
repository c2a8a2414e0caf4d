"""What the source picker does with what is typed (no app needed; the [data] edits: tests/editing/test_data_table.py)."""

from __future__ import annotations

from pathlib import Path

from tuitrain.starter.offline import Offer
from tuitrain.ui.screens.new_preset import offer_matches, source_path_text


def test_typing_filters_the_offline_list():
    offers = [Offer("synthetic:moons", "Two half circles"), Offer("sklearn:digits", "digits dataset"), Offer("file:", "an .npz file")]
    assert [o.source for o in offer_matches("dig", offers)] == ["sklearn:digits"]
    assert [o.source for o in offer_matches("circles", offers)] == ["synthetic:moons"]
    assert [o.source for o in offer_matches("", offers)] == [o.source for o in offers]


def test_picked_paths_are_relative_to_the_working_folder_when_inside_it(tmp_path):
    (tmp_path / "d").mkdir()
    assert source_path_text(tmp_path / "d" / "x.npz", tmp_path) == "d/x.npz"
    outside = Path("/") / "elsewhere" / "x.npz"
    assert source_path_text(outside, tmp_path) == str(outside)
