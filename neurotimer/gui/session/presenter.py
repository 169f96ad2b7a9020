"""Turns the domain session into Qt signals and drives its clock from a timer."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from neurotimer.session.clock import Clock
from neurotimer.session.session import (
    EXTEND_MINUTES,
    EventKind,
    Session,
    SessionError,
    SessionEvent,
    SessionState,
    validate_planned_minutes,
)

log = logging.getLogger(__name__)

TICK_MS = 200


@dataclass(frozen=True)
class Snapshot:
    """What the timer display needs, read from the clock at one instant."""

    state: SessionState
    planned_seconds: float
    treatment_seconds: float
    remaining_seconds: float
    paused_seconds: float
    overdue: bool


class SessionPresenter(QObject):
    """Owns the current session; the view only sends intents and renders snapshots."""

    updated = Signal(object)  # Snapshot
    stateChanged = Signal(object)  # SessionState
    milestone = Signal(str, float)  # milestone name, remaining seconds
    sessionEvent = Signal(object)  # SessionEvent, for the log and other listeners
    sessionCreated = Signal(object)  # Session
    refused = Signal(str)  # a message for the practitioner

    def __init__(self, clock: Clock, planned_minutes: int = 30, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self._planned_minutes = validate_planned_minutes(planned_minutes)
        self._start_blocked = ""  # why no session may start here (a log open read-only), or ""
        self.session = self._new_session()
        self._timer = QTimer(self)
        # PreciseTimer: coarse timers drift; the display still reads the clock, never counts ticks.
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)

    @property
    def clock(self) -> Clock:
        return self._clock

    def _new_session(self) -> Session:
        session = Session(self._clock, self._planned_minutes)
        session.subscribe(self._on_session_event)
        return session

    def _on_session_event(self, event: SessionEvent) -> None:
        log.info("session event %s at %.1f s", event.kind.value, event.offset)
        self.sessionEvent.emit(event)
        if event.kind is EventKind.MILESTONE:
            self.milestone.emit(event.data["milestone"], event.data["remaining_seconds"])

    def snapshot(self) -> Snapshot:
        s = self.session
        treatment = s.treatment_seconds
        return Snapshot(
            state=s.state,
            planned_seconds=s.planned_seconds,
            treatment_seconds=treatment,
            remaining_seconds=s.planned_seconds - treatment,
            paused_seconds=s.paused_seconds,
            overdue=s.started and s.planned_seconds - treatment < 0,
        )

    # -- intents from the view -------------------------------------------------------------------
    def set_planned_minutes(self, minutes: int) -> None:
        if self.session.state is not SessionState.PLANNED:
            self.refused.emit("The planned time of a started session changes only with +5 min.")
            return
        try:
            self.session.set_planned_minutes(minutes)
        except ValueError as exc:
            self.refused.emit(str(exc))
            self._publish()  # the controls go back to the time the session really has
            return
        self._planned_minutes = int(minutes)
        self._publish()

    def new_session(self) -> None:
        """Prepares a fresh planned session after the last one closed."""
        if self.session.state.is_active:
            self.refused.emit("End the current session first.")
            return
        self.session = self._new_session()
        self.sessionCreated.emit(self.session)
        self._publish(state_changed=True)

    def block_start(self, reason: str) -> None:
        """No session starts from now on (nothing could record it); Start answers with `reason`."""
        self._start_blocked = reason

    def unblock_start(self, reason: str) -> None:
        """Lifts the block set with `reason` (another reason, such as a read-only log, stays)."""
        if self._start_blocked == reason:
            self._start_blocked = ""

    def start(self) -> None:
        if self._start_blocked and self.session.state is SessionState.PLANNED:
            self.refused.emit(self._start_blocked)
            return
        if self.session.state.is_closed:
            # After a session closes, the first Start prepares the next one so its time can be chosen.
            self.new_session()
            return
        self._act(self.session.start)
        if self.session.state is SessionState.RUNNING:
            self._timer.start()

    def toggle_pause(self) -> None:
        self._act(self.session.toggle_pause)

    def extend(self) -> None:
        self._act(lambda: self.session.extend(EXTEND_MINUTES))

    def end(self) -> None:
        self._act(self.session.end)
        if self.session.state.is_closed:
            self._timer.stop()

    def tick(self) -> None:
        self.session.tick()
        self._publish()

    def _act(self, action) -> None:
        before = self.session.state
        try:
            action()
        except SessionError as exc:
            self.refused.emit(str(exc))
            return
        self._publish(state_changed=self.session.state is not before)

    def _publish(self, state_changed: bool = False) -> None:
        if state_changed:
            self.stateChanged.emit(self.session.state)
        self.updated.emit(self.snapshot())
