"""Keeps the device's readings in the session record, sparingly: enough to replay the delivered current later."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject

from neurotimer.session.clock import Clock

STEP_MA = 0.2  # a change of delivered current this large is always kept
EVERY_S = 60.0  # otherwise one reading a minute per channel while its output is on


class StatusRecord(QObject):
    """Writes `stim.status` {channel, output, measured_mA, target_mA, impedance_ohm, lead_ok} when a channel
    switches, its lead changes, its current moves by STEP_MA, or a minute has passed with its output on."""

    def __init__(self, status_changed, record: Callable[[str, dict[str, Any]], object], clock: Clock,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._record = record
        self._clock = clock
        self._last: dict[int, tuple[float, bool, bool, float]] = {}  # channel: (at, output, lead_ok, measured)
        status_changed.connect(self.on_status)

    def on_status(self, channel: int, status: Any) -> None:
        now = self._clock.now()
        last = self._last.get(channel)
        output, lead_ok, measured = bool(status.output), bool(status.lead_ok), float(status.measured_ma)
        if last is None:
            keep = output
        else:
            at, was_on, was_lead, was_ma = last
            keep = (output != was_on or lead_ok != was_lead or abs(measured - was_ma) >= STEP_MA
                    or (output and now - at >= EVERY_S))
        if not keep:
            if last is None:
                self._last[channel] = (now, output, lead_ok, measured)
            return
        self._last[channel] = (now, output, lead_ok, measured)
        self._record("stim.status", {
            "channel": channel, "output": output, "measured_mA": round(measured, 2),
            "target_mA": round(float(status.target_ma), 2), "impedance_ohm": round(float(status.impedance_ohm)),
            "lead_ok": lead_ok,
        })
