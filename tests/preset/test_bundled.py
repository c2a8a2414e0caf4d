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
