"""The treatment session: its states, its treatment time and its milestones."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any

from neurotimer.session.clock import Clock

PRESET_MINUTES = (30, 45, 60)
MIN_MINUTES = 1
MAX_MINUTES = 120
DEFAULT_WARN_MINUTES = 5
EXTEND_MINUTES = 5
GAP_THRESHOLD_S = 2.0


class SessionState(Enum):
    PLANNED = "planned"
    RUNNING = "running"
    PAUSED = "paused"
    COMPLETED = "completed"
    ENDED_EARLY = "ended_early"
    INTERRUPTED = "interrupted"

    @property
    def is_active(self) -> bool:
        return self in (SessionState.RUNNING, SessionState.PAUSED)

    @property
    def is_closed(self) -> bool:
        return self in (SessionState.COMPLETED, SessionState.ENDED_EARLY, SessionState.INTERRUPTED)


class Milestone(Enum):
    HALFWAY = "halfway"
    MINUTES_LEFT = "minutes_left"
    PLANNED_END = "planned_end"


MILESTONE_ORDER = (Milestone.HALFWAY, Milestone.MINUTES_LEFT, Milestone.PLANNED_END)


class EventKind(StrEnum):
    STARTED = "session.started"
    PAUSED = "session.paused"
    RESUMED = "session.resumed"
    EXTENDED = "session.extended"
    ENDED = "session.ended"
    MILESTONE = "session.milestone"
    GAP = "clock.gap"
    ASSIGNED = "session.assigned"


@dataclass(frozen=True)
class SessionEvent:
    """Something that happened to a session, at a monotonic offset from its start."""

    kind: EventKind
    offset: float
    data: dict[str, Any] = field(default_factory=dict)


class SessionError(Exception):
    """An action that the session's state does not allow; the message is for the practitioner."""


# A planned time shorter than this is a trial (a 1-minute test of the timer or the device), not a treatment
# length: it is never remembered as the next session's default.
REMEMBERED_MIN_MINUTES = 10


def worth_remembering(minutes: int) -> bool:
    """Whether a started session's planned time should become the next start's default."""
    return minutes >= REMEMBERED_MIN_MINUTES


def validate_planned_minutes(minutes: float) -> int:
    """Refuse a planned duration outside 1–120 whole minutes (never clip)."""
    if isinstance(minutes, bool) or not float(minutes).is_integer():
        raise ValueError(f"Planned time must be a whole number of minutes, not {minutes}.")
    value = int(minutes)
    if not MIN_MINUTES <= value <= MAX_MINUTES:
        raise ValueError(f"Planned time must be {MIN_MINUTES} to {MAX_MINUTES} minutes, not {value}.")
    return value


Listener = Callable[[SessionEvent], None]


class Session:
    """A session's clock: elapsed treatment = now − start − paused, always read from the clock."""

    def __init__(
        self,
        clock: Clock,
        planned_minutes: int,
        warn_minutes: int = DEFAULT_WARN_MINUTES,
        gap_threshold: float = GAP_THRESHOLD_S,
    ) -> None:
        self._clock = clock
        self.planned_seconds = validate_planned_minutes(planned_minutes) * 60.0
        if not 1 <= warn_minutes < MAX_MINUTES:
            raise ValueError(f"The reminder must be 1 to {MAX_MINUTES - 1} minutes before the end.")
        self.warn_seconds = warn_minutes * 60.0
        self._gap_threshold = gap_threshold
        self.state = SessionState.PLANNED
        self.patient_id: int | None = None
        self._start: float | None = None
        self._paused_total = 0.0
        self._pause_began: float | None = None
        self._ended_at: float | None = None
        self._last_read: float | None = None
        self._settled: set[Milestone] = set()
        self.pauses: list[tuple[float, float | None]] = []
        self.events: list[SessionEvent] = []
        self._listeners: list[Listener] = []

    # -- observers -------------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _emit(self, kind: EventKind, now: float, **data: Any) -> None:
        offset = 0.0 if self._start is None else now - self._start
        event = SessionEvent(kind, offset, data)
        self.events.append(event)
        for listener in list(self._listeners):
            listener(event)

    # -- time ------------------------------------------------------------------------------------
    def _read(self) -> float:
        """Reads the clock, reporting a jump (suspend, stall) as a gap event while a session is on."""
        now = self._clock.now()
        last = self._last_read
        self._last_read = now
        if last is not None and self.state.is_active and now - last > self._gap_threshold:
            self._emit(EventKind.GAP, now, seconds=round(now - last, 3))
        return now

    def _treatment_at(self, now: float) -> float:
        if self._start is None:
            return 0.0
        if self._ended_at is not None:
            now = self._ended_at
        paused = self._paused_total
        if self._pause_began is not None:
            paused += now - self._pause_began
        return max(0.0, now - self._start - paused)

    @property
    def started(self) -> bool:
        return self._start is not None

    @property
    def treatment_seconds(self) -> float:
        return self._treatment_at(self._clock.now())

    @property
    def since_start_seconds(self) -> float:
        if self._start is None:
            return 0.0
        end = self._ended_at if self._ended_at is not None else self._clock.now()
        return end - self._start

    @property
    def paused_seconds(self) -> float:
        return self.since_start_seconds - self.treatment_seconds

    @property
    def remaining_seconds(self) -> float:
        """Negative once the planned time has passed: the session is overdue."""
        return self.planned_seconds - self.treatment_seconds

    @property
    def overdue(self) -> bool:
        return self.started and self.remaining_seconds < 0

    @property
    def fired_milestones(self) -> list[Milestone]:
        return [Milestone(e.data["milestone"]) for e in self.events if e.kind is EventKind.MILESTONE]

    # -- commands --------------------------------------------------------------------------------
    def _require(self, action: str, *allowed: SessionState) -> None:
        if self.state not in allowed:
            raise SessionError(f"Cannot {action} a session that is {self.state.value.replace('_', ' ')}.")

    def set_planned_minutes(self, minutes: int) -> None:
        """Changes the plan before the start; afterwards only +5 min changes it (and is recorded)."""
        self._require("change the planned time of", SessionState.PLANNED)
        self.planned_seconds = validate_planned_minutes(minutes) * 60.0

    def start(self) -> None:
        self._require("start", SessionState.PLANNED)
        now = self._read()
        self._start = now
        self.state = SessionState.RUNNING
        self._emit(EventKind.STARTED, now, planned_seconds=self.planned_seconds)

    def pause(self) -> None:
        self._require("pause", SessionState.RUNNING)
        now = self._read()
        self._check_milestones(now)
        self._pause_began = now
        self.state = SessionState.PAUSED
        self.pauses.append((now - self._start, None))
        self._emit(EventKind.PAUSED, now, treatment_seconds=round(self._treatment_at(now), 3))

    def resume(self) -> None:
        self._require("resume", SessionState.PAUSED)
        now = self._read()
        paused_for = now - self._pause_began
        self._paused_total += paused_for
        self._pause_began = None
        began, _ = self.pauses[-1]
        self.pauses[-1] = (began, now - self._start)
        self.state = SessionState.RUNNING
        self._emit(EventKind.RESUMED, now, paused_seconds=round(paused_for, 3))

    def toggle_pause(self) -> None:
        if self.state is SessionState.RUNNING:
            self.pause()
        else:
            self.resume()

    def extend(self, minutes: int = EXTEND_MINUTES) -> None:
        self._require("extend", SessionState.RUNNING)
        if minutes < 1:
            raise SessionError("An extension must be at least one minute.")
        new_planned = self.planned_seconds + minutes * 60.0
        if new_planned > MAX_MINUTES * 60:
            raise SessionError(f"A session cannot be planned for more than {MAX_MINUTES} minutes.")
        now = self._read()
        self.planned_seconds = new_planned
        # The reminder and the end are re-armed for the new end if it still lies ahead: needles left in
        # past an extended end must chime again. Halfway is not repeated.
        treatment = self._treatment_at(now)
        for milestone in (Milestone.MINUTES_LEFT, Milestone.PLANNED_END):
            threshold = self._threshold(milestone)
            if threshold is not None and threshold > treatment:
                self._settled.discard(milestone)
        self._emit(EventKind.EXTENDED, now, minutes=minutes, planned_seconds=new_planned)
        self._check_milestones(now)

    def end(self) -> SessionState:
        self._require("end", SessionState.RUNNING, SessionState.PAUSED)
        now = self._read()
        if self.state is SessionState.RUNNING:
            self._check_milestones(now)
        if self._pause_began is not None:
            self._paused_total += now - self._pause_began
            began, _ = self.pauses[-1]
            self.pauses[-1] = (began, now - self._start)
            self._pause_began = None
        self._ended_at = now
        treatment = self._treatment_at(now)
        self.state = SessionState.COMPLETED if treatment >= self.planned_seconds else SessionState.ENDED_EARLY
        self._emit(EventKind.ENDED, now, outcome=self.state.value, treatment_seconds=round(treatment, 3))
        return self.state

    def assign(self, patient_id: int) -> None:
        """Attach a patient to a session started unassigned (or correct the choice before it ends)."""
        if self.state.is_closed:
            raise SessionError("A closed session is changed only by an amendment.")
        self.patient_id = patient_id
        self._emit(EventKind.ASSIGNED, self._clock.now(), patient_id=patient_id)

    def tick(self) -> None:
        """Called often by the UI; safe to call late, since milestones are judged from the clock."""
        now = self._read()
        if self.state is SessionState.RUNNING:
            self._check_milestones(now)

    # -- milestones ------------------------------------------------------------------------------
    def _threshold(self, milestone: Milestone) -> float | None:
        half = self.planned_seconds / 2
        if milestone is Milestone.HALFWAY:
            return half
        if milestone is Milestone.MINUTES_LEFT:
            # A reminder that would come before halfway (short sessions) says nothing useful.
            warn_at = self.planned_seconds - self.warn_seconds
            return warn_at if warn_at > half else None
        return self.planned_seconds

    def _check_milestones(self, now: float) -> None:
        treatment = self._treatment_at(now)
        for milestone in MILESTONE_ORDER:
            if milestone in self._settled:
                continue
            threshold = self._threshold(milestone)
            if threshold is None:
                if treatment >= self.planned_seconds:
                    self._settled.add(milestone)
                    continue
                break
            if treatment < threshold:
                break
            self._settled.add(milestone)
            self._emit(
                EventKind.MILESTONE,
                now,
                milestone=milestone.value,
                remaining_seconds=round(self.planned_seconds - treatment, 3),
            )


def format_clock(seconds: float) -> str:
    """mm:ss, with a leading minus once the planned time has passed (overdue keeps counting)."""
    sign = "-" if seconds < 0 else ""
    # Rounds away from zero so that 00:00 shows only at the planned end itself.
    whole = math.ceil(abs(seconds))
    minutes, secs = divmod(whole, 60)
    return f"{sign}{minutes:02d}:{secs:02d}"
