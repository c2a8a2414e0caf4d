"""The bundled default preset keeps its promise: > 90 % validation accuracy in seconds on CPU."""

from __future__ import annotations

from tuitrain import model as M
from tuitrain import preset as spec


def test_spiral_default_trains_to_over_90_percent_validation_accuracy():
    checked = M.prepare(spec.load_preset(spec.find_preset(spec.DEFAULT_PRESET)))
    ds = checked.dataset
    history = checked.model.fit(
        ds.x_train,
        ds.y_train,
        validation_data=(ds.x_val, ds.y_val),
        verbose=0,
        **M.fit_kwargs(checked.preset.fit),
    )
    assert checked.warnings == []
    assert history.history["val_accuracy"][-1] > 0.90


def test_transformer_text_learns_its_topics_in_seconds():
    checked = M.prepare(spec.load_preset(spec.find_preset("transformer_text")))
    ds = checked.dataset
    assert [a.shape[1:] for a in ds.x_train] == [(16,), (16,)]
    attention = [layer for layer in checked.model.layers if type(layer).__name__ == "MultiHeadAttention"]
    # query, key, value and output projections of 2 heads of 16 over 32 features, with their biases
    assert len(attention) == 1 and attention[0].count_params() == 4 * (32 * 2 * 16) + 3 * (2 * 16) + 32
    history = checked.model.fit(ds.x_train, ds.y_train, validation_data=(ds.x_val, ds.y_val), verbose=0,
                                **M.fit_kwargs(checked.preset.fit))
    assert checked.warnings == []
    assert history.history["val_accuracy"][-1] > 0.90
