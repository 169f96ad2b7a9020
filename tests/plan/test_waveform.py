"""A template's waveform: what the stimulator can deliver is accepted, the rest refused with the field named."""

from __future__ import annotations

import pytest

from neurotimer.plan.waveform import Waveform, parse_waveform


def test_continuous_and_dense_disperse_are_read_and_described() -> None:
    assert parse_waveform({"mode": "cont", "freq": 100}, "t").describe() == "100 Hz continuous"
    dense = parse_waveform({"mode": "DENS", "low": 2, "high": 120, "width_us": 300}, "t")
    assert dense == Waveform("DENS", None, 2.0, 120.0, 300.0)
    assert dense.describe() == "2/120 Hz dense-disperse, 300 µs"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"mode": "PULSE", "freq": 2}, "field 'mode' must be CONT, DENS or INT"),
        ({"mode": "CONT"}, "needs 'freq'"),
        ({"mode": "CONT", "freq": 250}, "field 'freq' must be 1 to 200, not 250"),
        ({"mode": "DENS", "low": 2}, "needs 'low' and 'high'"),
        ({"mode": "INT", "freq": 2, "width_us": 20}, "field 'width_us' must be 50 to 1000, not 20"),
        ({"mode": "CONT", "freq": "fast"}, "field 'freq' must be a number"),
        ("100 Hz", "must be an object"),
    ],
)
def test_a_waveform_the_stimulator_cannot_deliver_is_refused(data, message) -> None:
    with pytest.raises(ValueError, match=message):
        parse_waveform(data, "templates.json, template 1")
