"""Validators refuse out-of-range values before anything is sent, and never clip an accepted one."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neurotimer.session.clock import ManualClock
from neurotimer.stimulator.driver import Driver
from neurotimer.stimulator.errors import OutOfRange
from neurotimer.stimulator.protocol import round_current
from neurotimer.stimulator.simlink import SimDevicePort
from neurotimer.stimulator.validate import check_span, check_watchdog

numbers = st.floats(allow_nan=True, allow_infinity=True, width=64)


@settings(max_examples=200, deadline=None)
@given(value=numbers)
def test_a_span_accepts_exactly_its_values_unchanged(value: float) -> None:
    span = (1.0, 200.0)
    if math.isfinite(value) and span[0] <= value <= span[1]:
        assert check_span(value, span, "frequency", "Hz", 1) == value
    else:
        with pytest.raises(OutOfRange) as info:
            check_span(value, span, "frequency", "Hz", 1)
        assert info.value.message.startswith("Channel 1: ")


@settings(max_examples=100, deadline=None)
@given(value=st.floats(min_value=-5, max_value=30, allow_nan=False))
def test_current_reaches_the_device_as_sent_or_not_at_all(value: float) -> None:
    clock = ManualClock()
    port = SimDevicePort(clock)
    driver = Driver(port.open, clock)
    driver.connect()
    driver.set_current(1, 1.0)
    before = port.model.status(1).target_ma
    if 0 <= value <= 20:
        driver.set_current(1, value)
        assert port.model.status(1).target_ma == round_current(value)
    else:
        with pytest.raises(OutOfRange, match=r"this stimulator's (maximum|minimum) intensity"):
            driver.set_current(1, value)
        assert port.model.status(1).target_ma == before  # nothing was sent, nothing changed
    driver.close()


@pytest.mark.parametrize("seconds", [0.2, 11, -1, float("inf")])
def test_watchdog_outside_its_range_is_refused(seconds: float) -> None:
    with pytest.raises(OutOfRange):
        check_watchdog(seconds)


def test_watchdog_zero_disables_and_bounds_are_accepted() -> None:
    assert [check_watchdog(s) for s in (0, 0.5, 10)] == [0.0, 0.5, 10.0]
