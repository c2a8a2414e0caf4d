"""The chart's downsampler keeps spikes and bounds the points plotted; EMA matches its definition."""

import numpy as np
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from tuitrain.ui.downsample import ema, ema_step, minmax_downsample


def _columns(x, width, lo, hi):
    """Chart column of each x when [lo, hi] is split into ``width`` equal columns."""
    if hi <= lo:
        return np.zeros(len(x), dtype=int)
    edges = lo + (hi - lo) * (np.arange(1, width) / width)
    return np.searchsorted(edges, x, side="right")


def test_short_series_is_returned_whole():
    x = np.arange(10.0)
    y = x ** 2
    xs, ys = minmax_downsample(x, y, width=5)
    assert np.array_equal(xs, x) and np.array_equal(ys, y)


def test_single_spike_in_a_million_points_survives():
    x = np.arange(1_000_000, dtype=float)
    y = np.full_like(x, 0.5)
    y[777_777] = 40.0  # a loss spike
    y[123_456] = -3.0  # and a dip
    xs, ys = minmax_downsample(x, y, width=100)
    assert len(xs) <= 200
    assert 40.0 in ys and -3.0 in ys
    assert xs[np.argmax(ys)] == 777_777


def test_nan_and_inf_are_dropped():
    x = np.arange(1000.0)
    y = np.sin(x)
    y[10] = np.nan
    y[20] = np.inf
    xs, ys = minmax_downsample(x, y, width=20)
    assert np.isfinite(ys).all()


def test_all_points_at_one_x():
    x = np.zeros(500)
    y = np.arange(500.0)
    xs, ys = minmax_downsample(x, y, width=10)
    assert sorted(ys.tolist()) == [0.0, 499.0]


finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@st.composite
def series(draw):
    n = draw(st.integers(1, 600))
    y = draw(hnp.arrays(np.float64, n, elements=finite))
    steps = draw(hnp.arrays(np.float64, n, elements=st.sampled_from([0.0, 0.5, 1.0, 3.0, 100.0])))
    return np.cumsum(steps), y  # non-decreasing x, repeats and gaps allowed


@settings(max_examples=80, deadline=None, derandomize=True)
@given(xy=series(), width=st.integers(1, 50))
def test_minmax_keeps_each_columns_extremes(xy, width):
    x, y = xy
    xs, ys = minmax_downsample(x, y, width)
    assert len(xs) <= max(2 * width, len(y)) and len(xs) <= len(y)
    if len(y) > 2 * width:
        assert len(xs) <= 2 * width
        cols_in = _columns(x, width, x[0], x[-1])
        cols_out = _columns(xs, width, x[0], x[-1])
        for c in np.unique(cols_in):
            assert y[cols_in == c].min() in ys[cols_out == c]
            assert y[cols_in == c].max() in ys[cols_out == c]
    assert ys.min() == y.min() and ys.max() == y.max()
    assert np.all(np.diff(xs) >= 0)  # x stays monotone
    # every output point is an input point
    pairs = set(zip(x.tolist(), y.tolist()))
    assert all(p in pairs for p in zip(xs.tolist(), ys.tolist()))


def _ema_loop(y, alpha, init=None):
    s = y[0] if init is None else init
    out = []
    for v in y:
        s = ema_step(s, v, alpha)
        out.append(s)
    return np.array(out)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    y=hnp.arrays(np.float64, st.integers(1, 3000), elements=st.floats(-100, 100)),
    alpha=st.sampled_from([0.0, 0.05, 0.3, 0.6, 0.9, 0.99]),
)
def test_ema_matches_the_recurrence(y, alpha):
    np.testing.assert_allclose(ema(y, alpha), _ema_loop(y, alpha), rtol=1e-9, atol=1e-9)


def test_ema_extends_from_a_previous_value():
    y = np.linspace(0, 1, 1000)
    whole = ema(y, 0.9)
    parts = np.concatenate([ema(y[:400], 0.9), ema(y[400:], 0.9, init=ema(y[:400], 0.9)[-1])])
    np.testing.assert_allclose(parts, whole)


def test_ema_leaves_nan_as_gap():
    y = np.array([1.0, np.nan, 1.0, 3.0])
    out = ema(y, 0.5)
    assert np.isnan(out[1])
    assert out[2] == 1.0 and out[3] == 2.0
