"""What the driver saw happen at the stimulator, as domain events a practitioner can read."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class StimEventKind(Enum):
    OUTPUT_ON = "output_on"
    OUTPUT_OFF = "output_off"
    INTENSITY_REACHED = "intensity_reached"
    LEAD_OFF = "lead_off"
    LEAD_RESTORED = "lead_restored"
    OVER_CURRENT = "over_current"
    WATCHDOG_EXPIRED = "watchdog_expired"
    CONNECTION_LOST = "connection_lost"
    RECONNECTED = "reconnected"
    EMERGENCY_STOP_CONFIRMED = "emergency_stop_confirmed"
    DEVICE_ERROR = "device_error"

    @property
    def is_alarm(self) -> bool:
        """Events the practitioner must see at once (the window raises a high-priority alarm)."""
        return self in _ALARMS


_ALARMS = frozenset(
    {
        StimEventKind.LEAD_OFF,
        StimEventKind.OVER_CURRENT,
        StimEventKind.WATCHDOG_EXPIRED,
        StimEventKind.CONNECTION_LOST,
        StimEventKind.DEVICE_ERROR,
    }
)


@dataclass(frozen=True)
class StimEvent:
    """One event: its kind, the channel (None for the whole device), a plain message and when."""

    kind: StimEventKind
    message: str
    channel: int | None = None
    at: float = 0.0  # monotonic seconds from the injected clock
    code: int | None = None  # the device's error number, when the event came from its queue

    @property
    def alarm_key(self) -> str:
        """A stable key for the alarm banner, so a repeat replaces rather than stacks."""
        suffix = "" if self.channel is None else f".{self.channel}"
        return f"stimulator.{self.kind.value}{suffix}"


def output_on(channel: int, at: float) -> StimEvent:
    return StimEvent(StimEventKind.OUTPUT_ON, f"Channel {channel}: output on", channel, at)


def output_off(channel: int, at: float) -> StimEvent:
    return StimEvent(StimEventKind.OUTPUT_OFF, f"Channel {channel}: output off", channel, at)


def intensity_reached(channel: int, milliamps: float, at: float) -> StimEvent:
    return StimEvent(
        StimEventKind.INTENSITY_REACHED, f"Channel {channel}: {milliamps:.1f} mA reached", channel, at
    )


def lead_off(channel: int, at: float, code: int | None = None) -> StimEvent:
    return StimEvent(
        StimEventKind.LEAD_OFF,
        f"Channel {channel}: lead off. The output was switched off; check the clip and the needle.",
        channel,
        at,
        code,
    )


def lead_restored(channel: int, at: float) -> StimEvent:
    return StimEvent(StimEventKind.LEAD_RESTORED, f"Channel {channel}: lead connected again", channel, at)


def over_current(channel: int, at: float, code: int | None = None) -> StimEvent:
    return StimEvent(
        StimEventKind.OVER_CURRENT,
        f"Channel {channel}: current too high for the load. The output was switched off; "
        "check the needles and the lead before switching on again from zero.",
        channel,
        at,
        code,
    )


def watchdog_expired(at: float, code: int | None = None) -> StimEvent:
    return StimEvent(
        StimEventKind.WATCHDOG_EXPIRED,
        "The stimulator stopped hearing from this computer and switched every output off.",
        None,
        at,
        code,
    )


def connection_lost(reason: str, at: float) -> StimEvent:
    return StimEvent(
        StimEventKind.CONNECTION_LOST,
        f"Stimulator connection lost ({reason}). Its outputs may still be on: "
        "check the patient and the stimulator now.",
        None,
        at,
    )


def reconnected(at: float) -> StimEvent:
    return StimEvent(
        StimEventKind.RECONNECTED,
        "Stimulator connected again. Every output is off; switch on again from zero.",
        None,
        at,
    )


def emergency_stop_confirmed(at: float) -> StimEvent:
    return StimEvent(
        StimEventKind.EMERGENCY_STOP_CONFIRMED, "Emergency stop: every output is off.", None, at
    )


def device_error(message: str, at: float, code: int | None = None, channel: int | None = None) -> StimEvent:
    return StimEvent(StimEventKind.DEVICE_ERROR, message, channel, at, code)
