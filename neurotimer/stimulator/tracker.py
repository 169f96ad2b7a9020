"""Turns successive status lines of one channel into domain events (pure: no I/O)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from neurotimer.stimulator import events as ev
from neurotimer.stimulator.errors import plain_words
from neurotimer.stimulator.events import StimEvent
from neurotimer.stimulator.protocol import ChannelStatus, ErrorCode

_CHANNEL_RE = re.compile(r"channel\s+(\d+)", re.IGNORECASE)
REACHED_TOLERANCE_MA = 0.005  # measured has 2 decimals; the ramp lands exactly


@dataclass
class ChannelTracker:
    channel: int
    last: ChannelStatus | None = None
    expect_off: bool = False  # the host asked for this output off, so an off is not a fault
    reached_for: float | None = None  # the target whose arrival was already reported
    lead_off_reported: bool = False

    def forget(self) -> None:
        """After a reconnect nothing seen before is trusted."""
        self.last = None
        self.expect_off = False
        self.reached_for = None
        self.lead_off_reported = False

    def observe(self, status: ChannelStatus, at: float) -> tuple[list[StimEvent], bool]:
        """Events for this new status, and whether the output went off without being asked to."""
        out: list[StimEvent] = []
        before = self.last
        self.last = status
        unexplained_off = False
        was_on = before.output if before is not None else False
        if status.output and not was_on:
            out.append(ev.output_on(self.channel, at))
            self.expect_off = False
        elif was_on and not status.output:
            out.append(ev.output_off(self.channel, at))
            unexplained_off = not self.expect_off
            self.expect_off = False
        if not status.lead_ok and not self.lead_off_reported and (before is None or before.lead_ok):
            self.lead_off_reported = True
            out.append(ev.lead_off(self.channel, at))
        elif status.lead_ok and self.lead_off_reported:
            self.lead_off_reported = False
            out.append(ev.lead_restored(self.channel, at))
        out.extend(self._reached(status, at))
        return out, unexplained_off

    def _reached(self, status: ChannelStatus, at: float) -> list[StimEvent]:
        if not status.output or status.target_ma <= 0:
            self.reached_for = None
            return []
        arrived = abs(status.measured_ma - status.target_ma) < REACHED_TOLERANCE_MA
        if arrived and self.reached_for != status.target_ma:
            self.reached_for = status.target_ma
            return [ev.intensity_reached(self.channel, status.target_ma, at)]
        if not arrived and self.reached_for is not None and self.reached_for != status.target_ma:
            self.reached_for = None
        return []

    def note_lead_off_from_queue(self) -> bool:
        """True if the queue's lead-off entry is news (the status may have shown it already)."""
        if self.lead_off_reported:
            return False
        self.lead_off_reported = True
        return True


def fault_event(code: int, text: str, trackers: dict[int, ChannelTracker], at: float) -> StimEvent | None:
    """The event for a device fault read from the error queue; None if it is not news."""
    match = _CHANNEL_RE.search(text)
    channel = int(match.group(1)) if match else None
    tracker = trackers.get(channel) if channel is not None else None
    if code == ErrorCode.LEAD_OFF and channel is not None:
        return ev.lead_off(channel, at, code) if tracker is None or tracker.note_lead_off_from_queue() else None
    if code == ErrorCode.OVER_CURRENT and channel is not None:
        return ev.over_current(channel, at, code)
    if code == ErrorCode.WATCHDOG_EXPIRED:
        return ev.watchdog_expired(at, code)
    if code == ErrorCode.HOST_DISCONNECTED:
        return None  # the loss was reported when it happened
    return ev.device_error(f"Stimulator: {plain_words(code, text)}.", at, code, channel)
