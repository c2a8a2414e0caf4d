"""What the data editor and the source picker do to a [data] table (no app needed)."""

from __future__ import annotations

from pathlib import Path

from tuitrain.starter.offline import Offer
from tuitrain.ui.panes.data.editor import with_options, with_source
from tuitrain.ui.screens.new_preset import offer_matches, source_path_text

DATA = {"source": "synthetic:spiral", "samples": 300, "noise": 0.2, "validation_split": 0.1, "preprocess": [{"op": "standardize"}]}


def test_options_form_replaces_options_and_split_and_keeps_source_and_steps():
    out = with_options(DATA, {"samples": 500})
    assert out == {"source": "synthetic:spiral", "samples": 500, "preprocess": [{"op": "standardize"}]}
    assert list(with_options(DATA, {"validation_split": 0.3, "classes": 3})) == ["source", "classes", "validation_split", "preprocess"]


def test_a_new_source_keeps_the_options_it_still_takes():
    out = with_source(DATA, "synthetic:moons", {}, accepted={"samples", "noise"})
    assert out == {"source": "synthetic:moons", "samples": 300, "noise": 0.2, "validation_split": 0.1, "preprocess": [{"op": "standardize"}]}
    out = with_source(DATA, "file:x.npy", {"labels": "y.npy"}, accepted={"labels", "task"})
    assert out == {"source": "file:x.npy", "labels": "y.npy", "validation_split": 0.1, "preprocess": [{"op": "standardize"}]}


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
