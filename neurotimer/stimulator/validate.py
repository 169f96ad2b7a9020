"""Refuses a setting outside the device's limits before it is sent (never clips), in plain words."""

from __future__ import annotations

import math

from neurotimer.stimulator.errors import OutOfRange
from neurotimer.stimulator.protocol import WATCHDOG_RANGE, Mode, round_current

MODE_LABELS = {Mode.CONT: "Continuous", Mode.DENS: "Dense-disperse", Mode.INT: "Intermittent"}

Span = tuple[float, float]

WATCHDOG_SPAN: Span = WATCHDOG_RANGE


def _fmt(value: float) -> str:
    return f"{value:g}"


def _prefix(channel: int | None) -> str:
    return f"Channel {channel}: " if channel is not None else ""


def check_number(value: object, quantity: str, channel: int | None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise OutOfRange(
            f"{_prefix(channel)}the {quantity} must be a number, not {value!r}.",
            channel=channel,
            quantity=quantity,
            value=math.nan,
        )
    return float(value)


def check_span(value: object, span: Span, quantity: str, unit: str, channel: int | None) -> float:
    """Returns the value as a float if the device accepts it; raises OutOfRange with the reason."""
    number = check_number(value, quantity, channel)
    if number > span[1]:
        raise OutOfRange(
            f"{_prefix(channel)}{_fmt(number)} {unit} is above this stimulator's maximum "
            f"{quantity} of {_fmt(span[1])} {unit}.",
            channel=channel,
            quantity=quantity,
            value=number,
        )
    if number < span[0]:
        raise OutOfRange(
            f"{_prefix(channel)}{_fmt(number)} {unit} is below this stimulator's minimum "
            f"{quantity} of {_fmt(span[0])} {unit}.",
            channel=channel,
            quantity=quantity,
            value=number,
        )
    return number


def check_current(value: object, span: Span, channel: int) -> float:
    """The device works in 0.1 mA steps; a value between steps is rounded as the device would."""
    number = check_span(value, span, "intensity", "mA", channel)
    return round_current(number)


def check_low_high(low: float, high: float, channel: int) -> None:
    if not low < high:
        raise OutOfRange(
            f"Channel {channel}: in dense-disperse mode the low frequency ({_fmt(low)} Hz) "
            f"must be below the high frequency ({_fmt(high)} Hz).",
            channel=channel,
            quantity="low frequency",
            value=low,
        )


def check_watchdog(seconds: object) -> float:
    number = check_number(seconds, "watchdog time", None)
    if number == 0:
        return 0.0
    return check_span(number, WATCHDOG_SPAN, "watchdog time", "s", None)


def check_channel(channel: object, count: int) -> int:
    if isinstance(channel, bool) or not isinstance(channel, int) or not 1 <= channel <= count:
        raise OutOfRange(
            f"This stimulator has channels 1 to {count}; there is no channel {channel}.",
            channel=None,
            quantity="channel",
            value=math.nan,
        )
    return channel
