"""Time sources: a monotonic clock that counts suspend, and a manual one for tests and demos."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """What the domain reads time from; injected everywhere so tests never sleep."""

    def now(self) -> float:
        """Seconds on a monotonic scale with an arbitrary origin."""

    def wall(self) -> datetime:
        """The current UTC date and time, for records only (never for durations)."""


class SystemClock:
    """The real clock.

    Uses CLOCK_BOOTTIME where the OS has it: the needles stay in the patient while a laptop sleeps,
    so retention time must include the suspend, which CLOCK_MONOTONIC leaves out on Linux.
    """

    def __init__(self) -> None:
        boot = getattr(time, "CLOCK_BOOTTIME", None)
        if boot is not None:
            self._read = lambda: time.clock_gettime(boot)
            self.source = "CLOCK_BOOTTIME"
        else:
            self._read = time.monotonic
            self.source = "monotonic"

    def now(self) -> float:
        return self._read()

    def wall(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told to; wall time follows the same offset."""

    def __init__(self, start: float = 1000.0, wall_start: datetime | None = None) -> None:
        self._t = start
        self._t0 = start
        self._wall0 = wall_start or datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    def now(self) -> float:
        return self._t

    def wall(self) -> datetime:
        return self._wall0 + timedelta(seconds=self._t - self._t0)

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a monotonic clock cannot go back")
        self._t += seconds


def rfc3339(moment: datetime) -> str:
    """UTC time as RFC 3339 with millisecond precision and a Z suffix."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
