"""The session's alarms as IEC 60601-1-8 describes them: priority, raise, acknowledge and clear, and when to sound."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from neurotimer.session.clock import Clock


class Priority(Enum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "low"  # the older name of LOW: callers written before the IEC priorities keep working


RANK = {Priority.HIGH: 0, Priority.MEDIUM: 1, Priority.LOW: 2}

# How each priority sounds (clinical-reference.md, "Alarms"): pulses per burst, and the pause from the start
# of one burst to the next; None means the burst plays once when the alarm is raised.
PULSES = {Priority.HIGH: 10, Priority.MEDIUM: 3, Priority.LOW: 1}
REPEAT_SECONDS: dict[Priority, float | None] = {Priority.HIGH: 3.0, Priority.MEDIUM: 4.0, Priority.LOW: None}
# Visual flashing in Hz (0: steady).
FLASH_HZ = {Priority.HIGH: 2.0, Priority.MEDIUM: 0.6, Priority.LOW: 0.0}


class Change(Enum):
    RAISED = "raised"
    ACKNOWLEDGED = "acknowledged"
    CLEARED = "cleared"
    RESTATED = "restated"  # the same condition in new words (a count that moved): shown, not sounded again


@dataclass
class Alarm:
    """One raise of one alarm condition, from raise to clear (or, for a notice, to its acknowledgement)."""

    key: str
    text: str
    priority: Priority
    lasting: bool  # True: it has a cause that stays until clear(key); False: a one-off notice
    raised_at: datetime
    raised_mono: float
    serial: int = 0  # raise order within the session
    audible: bool = True  # False: shown only (a milestone has its own chime)
    acknowledged_at: datetime | None = None
    cleared_at: datetime | None = None

    @property
    def active(self) -> bool:
        """Still shown: not cleared (a notice clears when it is acknowledged)."""
        return self.cleared_at is None

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    @property
    def sounding(self) -> bool:
        """Still asks for the practitioner: shown and not yet acknowledged (it sounds if audible)."""
        return self.active and not self.acknowledged


Listener = Callable[[Change, Alarm], None]


class AlarmModel:
    """Every alarm of the session. One active alarm per key; a raise with the same text changes nothing, a raise
    with new text or a higher priority is a new alarm that sounds again; acknowledging silences, and only a
    clear (or the acknowledgement of a notice) takes an alarm off the screen."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._active: dict[str, Alarm] = {}
        self._history: list[Alarm] = []
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _tell(self, change: Change, alarm: Alarm) -> None:
        for listener in list(self._listeners):
            listener(change, alarm)

    # -- changes ---------------------------------------------------------------------------------
    def raise_alarm(self, key: str, text: str, priority: Priority = Priority.HIGH, *, lasting: bool = True,
                    audible: bool = True) -> Alarm:
        known = self._active.get(key)
        if known is not None and known.text == text and RANK[priority] >= RANK[known.priority]:
            known.lasting = known.lasting or lasting
            return known
        if known is not None:
            # The condition changed (new words, or worse): the old raise ends here and the new one sounds.
            known.cleared_at = self._clock.wall()
        alarm = Alarm(key, text, priority, lasting, self._clock.wall(), self._clock.now(), len(self._history) + 1,
                      audible)
        self._active[key] = alarm
        self._history.append(alarm)
        self._tell(Change.RAISED, alarm)
        return alarm

    def restate(self, key: str, text: str) -> Alarm | None:
        """New words for an active alarm whose condition is unchanged (e.g. how many events wait): the strip
        shows them; it does not sound again nor count as a new raise."""
        alarm = self._active.get(key)
        if alarm is None or alarm.text == text:
            return alarm
        alarm.text = text
        self._tell(Change.RESTATED, alarm)
        return alarm

    def acknowledge(self, key: str) -> Alarm | None:
        """Silences the alarm; a notice goes, an alarm with a lasting cause stays (greyed) until it clears."""
        alarm = self._active.get(key)
        if alarm is None or alarm.acknowledged:
            return None
        alarm.acknowledged_at = self._clock.wall()
        self._tell(Change.ACKNOWLEDGED, alarm)
        if not alarm.lasting:
            self._end(alarm)
        return alarm

    def acknowledge_all(self) -> list[Alarm]:
        return [alarm for alarm in self.shown() if self.acknowledge(alarm.key) is not None]

    def clear(self, key: str) -> Alarm | None:
        """The cause is gone: the alarm leaves the screen (and stops sounding, acknowledged or not)."""
        alarm = self._active.get(key)
        if alarm is None:
            return None
        self._end(alarm)
        return alarm

    def _end(self, alarm: Alarm) -> None:
        alarm.cleared_at = self._clock.wall()
        del self._active[alarm.key]
        self._tell(Change.CLEARED, alarm)

    # -- reading ---------------------------------------------------------------------------------
    def get(self, key: str) -> Alarm | None:
        return self._active.get(key)

    def shown(self) -> list[Alarm]:
        """Active alarms, the one to show first: unacknowledged before acknowledged, then worst, then newest."""
        return sorted(self._active.values(),
                      key=lambda a: (a.acknowledged, RANK[a.priority], -a.serial))

    def current(self) -> Alarm | None:
        shown = self.shown()
        return shown[0] if shown else None

    def history(self) -> list[Alarm]:
        """Every alarm of the session in the order raised, cleared ones too."""
        return list(self._history)

    def sounding_priority(self) -> Priority | None:
        """The worst priority still unacknowledged and audible: what the speaker says."""
        sounding = [a.priority for a in self._active.values() if a.sounding and a.audible]
        return min(sounding, key=RANK.__getitem__) if sounding else None


class SoundSchedule:
    """When a burst is due: a newly raised alarm sounds at once; the worst unacknowledged priority then repeats
    at its interval (a low one never repeats). Asked often (a timer), it answers from the clock alone."""

    def __init__(self, model: AlarmModel, clock: Clock) -> None:
        self._model = model
        self._clock = clock
        self._played_at: float | None = None
        self._seen = 0  # the newest alarm serial already sounded

    def due(self) -> Priority | None:
        """The burst to play now, if any (and notes it as played)."""
        sounding = [a for a in self._model.shown() if a.sounding and a.audible]
        if not sounding:
            return None
        now = self._clock.now()
        worst = min((a.priority for a in sounding), key=RANK.__getitem__)
        newest = max(a.serial for a in sounding)
        repeat = REPEAT_SECONDS[worst]
        fresh = newest > self._seen
        again = repeat is not None and self._played_at is not None and now - self._played_at >= repeat
        if not (fresh or again):
            return None
        self._seen = max(self._seen, newest)
        self._played_at = now
        return worst
