"""Run series: events become per-metric arrays the chart can plot, cheaply, as a run grows."""

import numpy as np
import pytest

from tuitrain.ui.series.columns import GrowableArray
from tuitrain.ui.series.run_series import RunSeries


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
                               whole.curve("batch", "loss", "step", 0.9)[1], rtol=1e-6)  # float32 columns


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
    assert np.isnan(auc[0]) and auc[1] == pytest.approx(0.7)  # batch metrics are float32


def test_version_bumps_only_on_new_events():
    series = RunSeries()
    v = series.version
    series.extend([])
    assert series.version == v
    series.extend(_events(epochs=1))
    assert series.version == v + 1


def test_chart_points_of_a_long_run_keep_every_spike_and_stay_small():
    series = RunSeries()
    n = 40 * 256 + 17
    rng = np.random.default_rng(3)
    loss = (1.0 + 0.01 * rng.standard_normal(n)).astype(np.float32)
    loss[[5, 1234, n - 3]] = [9.0, 7.0, 8.0]  # spikes early, middle and in the unfinished tail
    loss[2222] = np.nan
    events = [{"kind": "batch", "step": i + 1, "epoch": 1, "time": i * 0.01, "loss": float(v)}
              for i, v in enumerate(loss)]
    for start in range(0, n, 997):  # arrives in chunks, the pyramid grows with it
        series.extend(events[start:start + 997])
        x, y = series.chart_points("batch", "loss", columns=100)
    assert len(x) <= 2 * 100
    assert {9.0, 7.0, 8.0} <= set(y.tolist())
    assert np.nanmin(y) == np.nanmin(loss)
    assert np.all(np.diff(x) > 0)


def _brute_columns(x, y, columns, lo, hi):
    """Each column's (min, max) of the finite values, by a plain scan."""
    out = []
    for c in range(columns):
        a, b = lo + (hi - lo) * c / columns, lo + (hi - lo) * (c + 1) / columns
        inside = (x >= a) & ((x < b) if c < columns - 1 else (x <= b)) & np.isfinite(y)
        out.append((y[inside].min(), y[inside].max()) if inside.any() else None)
    return out


@pytest.mark.parametrize("axis", ["step", "epoch", "time"])
def test_chart_points_hold_each_columns_exact_min_and_max(axis):
    rng = np.random.default_rng(7)
    n, columns = 50_000, 37
    series = RunSeries()
    series.extend([{"kind": "status", "status": "running", "steps_per_epoch": 1000}])
    steps = np.arange(1, n + 1, dtype=np.float64)
    loss = rng.standard_normal(n).astype(np.float32)
    loss[rng.integers(0, n, 300)] = np.nan
    time_ = np.cumsum(rng.exponential(0.01, n)).round(2)
    block = np.column_stack([steps, (steps - 1) // 1000 + 1, time_, loss])
    for part in np.array_split(block, 7):
        series._add_block(("step", "epoch", "time", "loss"), part)
        series.version += 1
    x, y = series.chart_points("batch", "loss", axis, columns=columns)
    full_x, full_y = series.curve("batch", "loss", axis)
    lo, hi = full_x[0], full_x[-1]
    got = _brute_columns(x, y, columns, lo, hi)
    want = _brute_columns(full_x, full_y.astype(np.float64), columns, lo, hi)
    assert got == want
    assert len(x) <= 2 * columns


def test_a_resumed_run_replaces_the_steps_it_logs_again():
    series = RunSeries()
    series.extend([{"kind": "batch", "step": s, "epoch": 1 + (s - 1) // 10, "time": s, "loss": 1.0} for s in range(1, 31)])
    series.extend([{"kind": "epoch", "step": 10 * e, "epoch": e, "time": 10 * e, "loss": 1.0} for e in (1, 2, 3)])
    # the trainer was killed after epoch 3 but its checkpoint held epoch 1: it resumes at step 11
    series.extend([{"kind": "batch", "step": s, "epoch": 2, "time": 40 + s, "loss": 0.5} for s in range(11, 21)])
    series.extend([{"kind": "epoch", "step": 20, "epoch": 2, "time": 60, "loss": 0.5}])
    x, y = series.curve("batch", "loss")
    assert x.tolist() == list(range(1, 21))
    assert y.tolist() == [1.0] * 10 + [0.5] * 10
    assert series.epoch.get("epoch").tolist() == [1.0, 2.0]
    assert [r["loss"] for r in series.epoch_rows] == [1.0, 0.5]
    assert series.best("loss") == (0.5, 2)


def test_a_value_beyond_float32_keeps_its_column_exact():
    series = RunSeries()
    series.extend([{"kind": "batch", "step": 1, "epoch": 1, "time": 0.0, "loss": 0.5},
                   {"kind": "batch", "step": 2, "epoch": 1, "time": 0.1, "loss": 1e300}])
    assert series.curve("batch", "loss")[1].tolist() == [0.5, 1e300]


@pytest.mark.parametrize("key", ["val_fmeasure", "Val_Accuracy", "accuracy", "val_auc"])
def test_best_direction_follows_the_engine(key):
    """The chart's ↑/best used its own list, which had drifted (no fmeasure, case-sensitive)."""
    from tuitrain.common.metric_names import better_direction
    from tuitrain.ui.series.run_series import is_better_max

    assert better_direction(key) == "max" and is_better_max(key)
    assert not is_better_max(key.replace("fmeasure", "loss").replace("ccuracy", "oss").replace("auc", "mae"))
