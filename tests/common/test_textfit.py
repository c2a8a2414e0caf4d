"""Text fitted to a width: tables drop and shorten by plan, wraps keep words, items and numbers whole."""

from __future__ import annotations

import io

from tuitrain.common.textfit import fit_line, fit_table, hang, output_width, wrap, wrap_fields, wrap_items

ROWS = [("NAME", "STATUS", "VALUE", "NOTE"),
        ("a-rather-long-run-name", "finished", "0.12345", "something to say about it"),
        ("b", "failed", "12,345", "")]


def test_a_table_that_fits_is_only_aligned():
    assert fit_table(ROWS, None, right={2}).splitlines() == [
        "NAME                    STATUS      VALUE  NOTE",
        "a-rather-long-run-name  finished  0.12345  something to say about it",
        "b                       failed     12,345",
    ]


def test_the_plan_drops_then_cuts_text_and_never_a_number():
    table = fit_table(ROWS, 40, right={2}, plan=[("drop", 3), ("cut", 0, 10), ("cut", 2, None)])
    assert table.splitlines() == [
        "NAME                   STATUS      VALUE",  # NOTE dropped, then the name cut by what was still over
        "a-rather-long-run-na…  finished  0.12345",
        "b                      failed     12,345",
    ]
    assert max(map(len, table.splitlines())) <= 40


def test_a_header_only_cut_keeps_every_digit():
    rows = [("LAYERS[0].UNITS", "X"), ("128", "y")]
    assert fit_table(rows, 12, plan=[("cut", 0, None)]).splitlines() == ["LAYERS[0…  X", "128        y"]


def test_wraps_keep_words_items_and_fields_whole():
    assert wrap("see /a/very/long/path/that/is/one/word/and/stays/whole now", 20).splitlines() == [
        "see", "  /a/very/long/path/that/is/one/word/and/stays/whole", "  now"]
    counts = [f"{k}: {100 + k}" for k in range(10)]
    assert wrap_items("counts: ", counts, 30).splitlines() == [
        "counts: 0: 100, 1: 101,", "  2: 102, 3: 103, 4: 104,", "  5: 105, 6: 106, 7: 107,", "  8: 108, 9: 109"]
    assert wrap_fields(["epoch 1/3", "loss 0.25", "val_loss 0.5", "ETA 0:01"], 24).splitlines() == [
        "epoch 1/3  loss 0.25", "  val_loss 0.5  ETA 0:01"]


def test_the_live_line_leaves_fields_off_but_keeps_the_last_ones():
    fields = ["epoch 1/3 [####] 3/9", "loss 0.25", "accuracy 0.75", "10 samples/s", "ETA 0:01"]
    assert fit_line(fields, 56, keep_last=2) == "epoch 1/3 [####] 3/9  loss 0.25  10 samples/s  ETA 0:01"
    assert fit_line(fields, 54, keep_last=2) == "epoch 1/3 [####] 3/9  10 samples/s  ETA 0:01"
    assert fit_line(fields, None, keep_last=2) == "  ".join(fields)


def test_a_description_hangs_beneath_itself():
    assert hang("spiral", "Two-arm spiral, small MLP. Offline.", 30, 8).splitlines() == [
        "spiral    Two-arm spiral,", "          small MLP. Offline."]


def test_the_width_comes_from_columns_else_a_terminal_else_none(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert output_width(io.StringIO()) == 80
    monkeypatch.setenv("COLUMNS", "5")  # not a layout: ignored
    assert output_width(io.StringIO()) is None
    monkeypatch.delenv("COLUMNS")
    assert output_width(io.StringIO()) is None  # a pipe or a file: lines stay whole


def test_a_run_name_is_cut_in_the_middle_and_keeps_its_time_stamp():
    from tuitrain.common.textfit import cut

    assert cut("transfer_learning-20261205-113000-2", 28, "middle") == "transfer_…-20261205-113000-2"
    assert cut("spiral_mlp-20261205-101500", 28, "middle") == "spiral_mlp-20261205-101500"
    assert cut("no-stamp-in-this-long-name", 10, "middle") == "no-stamp-…"  # nothing to keep: cut at the end
    assert cut("layers[0].units", 8, "start") == "…].units"
