"""The per-channel store: bounded, in time order, and never losing the lowest or highest reading."""

from __future__ import annotations

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from neurotimer.gui.stimulator.intensity_plot import _steps, _Trace

readings = st.lists(st.floats(min_value=0.0, max_value=20.0, allow_nan=False), min_size=1, max_size=600)


@settings(max_examples=60, deadline=None)
@given(readings)
@example([0.0] * 28 + [1.0] + [0.0] * 4)  # a spike among the newest points when a compaction comes
def test_a_full_store_keeps_order_bounds_and_the_extremes(values):
    trace = _Trace(capacity=16)
    for i, v in enumerate(values):
        trace.append(float(i), v, 3.0, rolling=False)
    t, m, _ = trace.values()
    assert len(t) <= 16 + trace.bucket + 1
    assert np.all(np.diff(t) >= 0)
    assert m.min() == min(values) and m.max() == max(values)  # a lead-off drop or a spike survives
    assert t[-1] == len(values) - 1 and m[-1] == values[-1]  # the newest reading always shows


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([0.0, 1.5, 3.0]), min_size=1, max_size=200))
def test_the_target_keeps_its_corners(values):
    x = np.arange(len(values), dtype=float)
    y = np.array(values)
    sx, sy = _steps(x, y)
    assert np.array_equal(np.interp(x, sx, sy), y)  # the same line, drawn from fewer points
