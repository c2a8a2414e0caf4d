"""The chart's downsampler keeps spikes and bounds the points plotted; EMA matches its definition."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from tests.fuzzing import examples

from tuitrain.ui.series.downsample import MinMaxPyramid, column_ranges, ema, ema_step, minmax_downsample


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


@settings(max_examples=examples(80))
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


@settings(max_examples=examples(40))
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


# --- the min/max pyramid -----------------------------------------------------------------------

_values = st.one_of(st.floats(-1e6, 1e6, width=32), st.just(float("nan")), st.just(float("inf")),
                    st.just(float("-inf")))


@settings(max_examples=examples(60))
@given(y=st.lists(_values, min_size=0, max_size=1500),
       cuts=st.lists(st.integers(0, 1500), max_size=4),
       ranges=st.lists(st.tuples(st.integers(0, 1500), st.integers(0, 1500)), min_size=1, max_size=40))
def test_pyramid_min_max_are_exact_against_a_scan(y, cuts, ranges):
    """Any ranges of a series that grew in steps: the same min and max as a brute-force scan."""
    y = np.array(y, dtype=np.float32)
    pyramid = MinMaxPyramid()
    for cut in sorted(cuts):
        pyramid.update(y[: min(cut, len(y))])  # the series grows in pieces
    pyramid.update(y)
    starts = np.array([min(a, b, len(y)) for a, b in ranges])
    ends = np.array([min(max(a, b), len(y)) for a, b in ranges])
    imin, imax = pyramid.query(y, starts, ends)
    for a, b, i, j in zip(starts, ends, imin, imax):
        seg = y[a:b]
        finite = seg[np.isfinite(seg)]
        if not len(finite):
            assert i == j == -1
            continue
        assert a <= i < b and a <= j < b
        assert y[i] == finite.min() and y[j] == finite.max()


def test_pyramid_query_looks_at_about_the_same_number_of_blocks_at_any_length(monkeypatch):
    """The work of a redraw (blocks compared) grows with log(n), not n: counted, not timed."""
    from tuitrain.ui.series import downsample

    looked = {}
    for n in (10_000, 2_000_000):
        y = np.sin(np.arange(n, dtype=np.float32) / 1000.0)
        pyramid = MinMaxPyramid()
        pyramid.update(y)
        starts, ends = column_ranges(np.arange(n, dtype=np.float64), 200)
        count = [0]
        real, real_scan = downsample._Best.consider, downsample._Best.scan

        def counting(self, rows, imin, imax, count=count, real=real):
            count[0] += len(rows)  # blocks compared
            real(self, rows, imin, imax)

        def scanning(self, a, b, count=count, real=real_scan):
            count[0] += int((b - a).sum())  # points read directly
            real(self, a, b)

        monkeypatch.setattr(downsample._Best, "consider", counting)
        monkeypatch.setattr(downsample._Best, "scan", scanning)
        imin, _ = pyramid.query(y, starts, ends)
        monkeypatch.undo()
        assert y[imin[17]] == y[starts[17]:ends[17]].min()
        looked[n] = count[0]
    assert looked[2_000_000] < 3 * looked[10_000]  # 200x the points, under 3x the work
    assert looked[2_000_000] < 200 * (2 * MinMaxPyramid.BASE + 2 * 15)


def test_column_ranges_split_x_evenly_and_cover_every_point():
    x = np.array([0.0, 0.5, 1.0, 1.0, 2.0, 3.9, 4.0])
    starts, ends = column_ranges(x, 4)
    assert starts.tolist() == [0, 2, 4, 5] and ends.tolist() == [2, 4, 5, 7]
    starts, ends = column_ranges(np.arange(10.0), 2, scale=0.5)  # plotted at half: columns of 2.25
    assert starts.tolist() == [0, 5] and ends.tolist() == [5, 10]


def _ema_gaps_loop(y, alpha):
    """The definition: non-finite points leave the average alone and come out NaN."""
    finite = np.flatnonzero(np.isfinite(y))
    s = float(y[finite[0]])
    out = np.full(len(y), np.nan)
    for i, v in enumerate(y):
        if np.isfinite(v):
            s = alpha * s + (1 - alpha) * v
            out[i] = s
    return out


@pytest.mark.parametrize("alpha", [0.3, 0.6, 0.99, 0.999])
def test_ema_with_gaps_across_chunks_matches_the_definition(monkeypatch, alpha):
    """NaN and inf anywhere, blocks and chunks cut at odd places: the same values as the loop."""
    import tuitrain.ui.series.downsample as ds

    monkeypatch.setattr(ds, "_EMA_CHUNK", 1000)  # many chunks, each a few blocks
    rng = np.random.default_rng(3)
    y = rng.normal(1.0, 0.5, 25_013)
    y[rng.integers(0, len(y), 900)] = np.nan
    y[rng.integers(0, len(y), 50)] = np.inf
    y[:7] = np.nan  # the average starts at the first finite value
    np.testing.assert_allclose(ema(y, alpha), _ema_gaps_loop(y, alpha), rtol=1e-9, atol=1e-12)


def test_ema_writes_float32_when_asked():
    y = np.linspace(0, 1, 5000, dtype=np.float32)
    out = ema(y, 0.9, dtype=np.float32)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, ema(y, 0.9), rtol=1e-6)
