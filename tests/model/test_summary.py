"""The layer table's cells for the new rows: shared layers, several outputs, call arguments."""

from __future__ import annotations

from tuitrain.model.summary import (
    LayerRow,
    main_args,
    outputs_str,
    params_str,
    row_type,
)


def _row(**changes):
    base = {"index": 1, "name": "r_emb", "type": "Dense", "args": "", "output_shape": "(None, 10)", "params": 0, "trainable": True}
    return LayerRow(**{**base, **changes})


def test_a_reuse_row_names_the_row_it_shares_and_counts_no_weights_of_its_own():
    layer = {"reuse": "emb", "inputs": ["right"]}
    assert row_type(layer, _row(shares="emb")) == "↻ emb (Dense)"
    assert row_type(layer) == "↻ emb"
    assert params_str(_row(shares="emb")) == "shared with emb"
    assert params_str(_row(params=1290)) == "1,290"
    assert main_args(layer) == "shares emb"


def test_several_outputs_are_shown_as_later_rows_name_them():
    assert outputs_str([(None, 5, 256), (None, 256), (None, 256)]) == "[0] (None, 5, 256)  [1] (None, 256)  [2] (None, 256)"


def test_call_arguments_read_as_a_call():
    layer = {"type": "LSTM", "units": 256, "call": {"initial_state": ["encoder[1]", "encoder[2]"], "training": False}}
    assert main_args(layer) == "units=256, call(initial_state=[encoder[1], encoder[2]], training=False)"


def test_rows_of_a_saved_model_show_shared_layers_and_several_outputs():
    import keras

    from tuitrain.model.summary import layer_rows

    a, b = keras.Input((4, 2)), keras.Input((4, 2))
    dense = keras.layers.Dense(2, name="shared")
    _, h, c = keras.layers.LSTM(3, return_state=True, name="enc")(keras.layers.Add()([dense(a), dense(b)]))
    model = keras.Model([a, b], keras.layers.Concatenate()([h, c]))
    rows = {r.name: r for r in layer_rows(model)}
    assert rows["shared"].output_shape == "shared (2 calls)" and rows["shared"].params == 6
    assert rows["enc"].output_shape == "[0] (None, 3)  [1] (None, 3)  [2] (None, 3)"
