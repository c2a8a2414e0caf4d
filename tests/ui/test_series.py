"""Run series: events become per-metric arrays the chart can plot, cheaply, as a run grows."""

import numpy as np
import pytest

from tuitrain.ui.series import GrowableArray, RunSeries


def _events(epochs=3, steps=4):
    out = [{"kind": "status", "status": "running", "epochs": epochs, "steps_per_epoch": steps, "time": 0.0}]
    step = 0
    for e in range(1, epochs + 1):  # the engine numbers epochs from 1
        for _ in range(steps):
            step += 1
            out.append({"kind": "batch", "step": step, "epoch": e, "time": step * 0.5,
                        "loss": 1.0 / step, "accuracy": 0.1 * (e - 1), "samples_per_s": 100.0})
        out.append({"kind": "epoch", "step": step, "epoch": e, "time": step * 0.5, "loss": 1.0 / step,
                    "accuracy": 0.1 * (e - 1), "val_loss": 2.0 / step, "val_accuracy": 0.2 * (e - 1),
                    "lr": 0.01, "samples_per_s": 100.0, "epochs": epochs, "steps": steps})
    return out


def test_growable_array_keeps_values_across_growth():
    arr = GrowableArray(capacity=16)
    for i in range(1000):
        arr.append(float(i))
    arr.extend(np.arange(1000.0, 5000.0))
    assert len(arr) == 5000
    assert np.array_equal(arr.view(), np.arange(5000.0))


def test_batch_and_epoch_metrics_are_split_and_grouped():
    series = RunSeries()
    assert series.extend(_events()) == 16
    assert series.metric_groups("batch") == ["loss", "accuracy"]
    assert series.metric_groups("epoch") == ["loss", "accuracy"]
    assert series.metric_keys("epoch") == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert series.epochs_total == 3 and series.steps_per_epoch == 4
    assert series.status == "running"
    assert len(series.epoch_rows) == 3


@pytest.mark.parametrize("axis, expected", [
    ("step", [4.0, 8.0, 12.0]),
    ("epoch", [1.0, 2.0, 3.0]),
    ("time", [2.0, 4.0, 6.0]),
])
def test_x_axes_for_epoch_points(axis, expected):
    series = RunSeries()
    series.extend(_events())
    x, y = series.curve("epoch", "val_loss", axis)
    assert x.tolist() == expected
    assert y.tolist() == pytest.approx([0.5, 0.25, 1 / 6])


def test_batch_points_have_fractional_epochs():
    series = RunSeries()
    series.extend(_events())
    x, _ = series.curve("batch", "loss", "epoch")
    assert x[:4].tolist() == [0.25, 0.5, 0.75, 1.0]
    assert x[-1] == 3.0


def test_smoothing_extends_incrementally_like_a_full_recompute():
    events = _events(epochs=5, steps=50)
    whole, parts = RunSeries(), RunSeries()
    whole.extend(events)
    for i in range(0, len(events), 7):
        parts.extend(events[i:i + 7])
        parts.curve("batch", "loss", "step", smoothing=0.9)  # chart redraws in between
    np.testing.assert_allclose(parts.curve("batch", "loss", "step", 0.9)[1],
                               whole.curve("batch", "loss", "step", 0.9)[1])


def test_best_value_respects_metric_direction():
    series = RunSeries()
    series.extend(_events())
    assert series.best("val_loss") == (pytest.approx(1 / 6), 3)
    assert series.best("val_accuracy") == (pytest.approx(0.4), 3)
    assert series.monitor_key() == "val_loss"


def test_metric_appearing_late_reads_nan_before():
    series = RunSeries()
    series.extend([{"kind": "batch", "step": 1, "epoch": 1, "time": 0.1, "loss": 1.0},
                   {"kind": "batch", "step": 2, "epoch": 1, "time": 0.2, "loss": 0.9, "auc": 0.7}])
    _, auc = series.curve("batch", "auc")
    assert np.isnan(auc[0]) and auc[1] == 0.7


def test_version_bumps_only_on_new_events():
    series = RunSeries()
    v = series.version
    series.extend([])
    assert series.version == v
    series.extend(_events(epochs=1))
    assert series.version == v + 1


def test_chart_points_of_a_long_run_keep_every_spike_and_stay_small():
    from tuitrain.ui.series import BLOCK

    series = RunSeries()
    n = 40 * BLOCK + 17
    rng = np.random.default_rng(3)
    loss = 1.0 + 0.01 * rng.standard_normal(n)
    loss[[5, 1234, n - 3]] = [9.0, 7.0, 8.0]  # spikes early, middle and in the unfinished tail
    loss[2222] = np.nan
    events = [{"kind": "batch", "step": i + 1, "epoch": 1, "time": i * 0.01, "loss": float(v)}
              for i, v in enumerate(loss)]
    for start in range(0, n, 997):  # arrives in chunks, the block summary grows with it
        series.extend(events[start:start + 997])
        x, y = series.chart_points("batch", "loss")
    assert len(x) <= 2 * (n // BLOCK) + BLOCK
    assert {9.0, 7.0, 8.0} <= set(y.tolist())
    assert np.nanmin(y) == np.nanmin(loss)
    assert np.all(np.diff(x) > 0)


@pytest.mark.parametrize("key", ["val_fmeasure", "Val_Accuracy", "accuracy", "val_auc"])
def test_best_direction_follows_the_engine(key):
    """The chart's ↑/best used its own list, which had drifted (no fmeasure, case-sensitive)."""
    from tuitrain.metric_names import better_direction
    from tuitrain.ui.series import is_better_max

    assert better_direction(key) == "max" and is_better_max(key)
    assert not is_better_max(key.replace("fmeasure", "loss").replace("ccuracy", "oss").replace("auc", "mae"))
