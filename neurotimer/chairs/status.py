"""What a board card shows of one chair at one instant (no Qt): the board renders it, chairs produce it."""

from __future__ import annotations

from dataclasses import dataclass

ALARM_RANK = {"high": 0, "medium": 1, "info": 2}


@dataclass(frozen=True)
class ChairStatus:
    name: str
    patient: str = ""  # the patient code, "" while unassigned
    state: str = "planned"  # the clock's state key: planned, running, paused, overdue, completed, …
    shown_seconds: float = 0.0  # what the big clock shows: remaining (negative when overdue), or treatment once closed
    outputs_on: int = 0
    peak_ma: float = 0.0  # the highest measured current of the outputs that are on
    alarm: str = ""  # the worst active alarm of this chair, "" when none
    alarm_priority: str = ""  # high, medium or info

    @property
    def alarming(self) -> bool:
        """An alarm that needs the practitioner (high or medium), not a reminder."""
        return bool(self.alarm) and self.alarm_priority in ("high", "medium")


def worst_alarm(alarms: list[tuple[str, str]]) -> tuple[str, str]:
    """(text, priority) of the most urgent of a chair's alarms, the first raised among equals; ("", "") if none."""
    if not alarms:
        return "", ""
    return min(alarms, key=lambda a: ALARM_RANK.get(a[1], 3))
