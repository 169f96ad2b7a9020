"""One chair's lane into the recorder, and what waits in its queue: a session followed, an event not yet written."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from neurotimer.session.clock import rfc3339
from neurotimer.session.session import EventKind, Session, SessionEvent

if TYPE_CHECKING:
    from neurotimer.storage.continuation import ContinuedSession
    from neurotimer.storage.recorder import Recorder

log = logging.getLogger(__name__)


@dataclass(eq=False)
class _Target:
    lane: RecorderLane
    session: Session
    patient_id: int | None
    course_id: int | None
    practitioner_id: int | None
    details: dict[str, str]
    db_id: int | None = None
    start_mono: float | None = None
    started_at: str | None = None
    closed: bool = False
    last_progress_mono: float = float("-inf")
    last_progress_value: float | None = None
    key: str = field(default_factory=lambda: uuid.uuid4().hex)  # names it in the spool file
    last_seq: int = 0  # its last committed event
    spooled: bool = False  # its header line is in the current spool file
    progress_owed: bool = False  # its last progress write failed (the alarm stays until one is written)

    def opening(self) -> dict[str, Any]:
        """Its session row's facts, as `Store.insert_session` takes them (and the spool file keeps them)."""
        return {
            "started_at": self.started_at, "planned_minutes": round(self.session.planned_seconds / 60),
            "patient_id": self.patient_id, "course_id": self.course_id, "practitioner_id": self.practitioner_id,
            "details": self.details,
        }


@dataclass(eq=False)
class _Pending:
    target: _Target
    kind: str
    at: str
    mono: float
    offset: float | None
    payload: dict[str, Any] = field(default_factory=dict)
    spooled: bool = False  # also in the spool file, synced to disk

    def spool_offset(self) -> float:
        return self.offset if self.offset is not None else self.mono - (self.target.start_mono or self.mono)



class RecorderLane:
    """One chair's lane into the log's one writer: its current session, and what the app adds to it."""

    def __init__(self, writer: Recorder, name: str) -> None:
        self._writer = writer
        self.name = name
        self._current: _Target | None = None
        self.last_seq: int | None = None  # the sequence number of this lane's last committed event
        # Told when the rest of this lane's session went into a new one (continuation.py); else the writer's.
        self.on_continued: Callable[[ContinuedSession], None] | None = None

    @property
    def session_id(self) -> int | None:
        """The current session's row id, once its first event is written."""
        return None if self._current is None else self._current.db_id

    @property
    def pending(self) -> int:
        return self._writer.pending

    @property
    def failing(self) -> bool:
        return self._writer.failing

    def flush(self) -> bool:
        return self._writer.flush()

    def attach(
        self,
        session: Session,
        *,
        patient_id: int | None = None,
        course_id: int | None = None,
        practitioner_id: int | None = None,
        details: dict[str, str] | None = None,
    ) -> None:
        """Follows a new session (before it starts). details: needle_type, depth, response_sought,
        setting, notes (STRICTA 2c, 2d, 2g, 4b)."""
        if session.started:
            raise ValueError("Attach the recorder before the session starts.")
        self._writer._drop_unstarted(self)
        target = _Target(
            self,
            session,
            patient_id if patient_id is not None else session.patient_id,
            course_id,
            practitioner_id,
            dict(details or {}),
        )
        self._current = target
        session.subscribe(lambda event: self._on_session_event(target, event))

    def _on_session_event(self, target: _Target, event: SessionEvent) -> None:
        writer = self._writer
        try:
            now = writer._clock.now()
            if event.kind is EventKind.STARTED:
                target.start_mono = now - event.offset
                target.started_at = rfc3339(writer._clock.wall())
            elif event.kind is EventKind.ENDED:
                target.closed = True
            writer._enqueue(
                _Pending(target, str(event.kind), rfc3339(writer._clock.wall()), now, event.offset, dict(event.data))
            )
            # A domain event is never held back by the retry interval unless writing is failing.
            writer._write(force=not writer.failing)
            writer._restate()
        except Exception:
            # Whatever goes wrong here must not stop the timer that called us.
            log.exception("the session log could not take an event")

    def record(self, kind: str, payload: dict[str, Any] | None = None) -> int | None:
        """Logs an app event (settings, device report, alarm, acknowledgement) for the current session.

        Returns its sequence number once committed, or None while it waits in memory.
        """
        target = self._current
        writer = self._writer
        if target is None:
            log.warning("event %s with no session attached was not logged", kind)
            return None
        try:
            item = _Pending(target, kind, rfc3339(writer._clock.wall()), writer._clock.now(), None, dict(payload or {}))
            writer._enqueue(item)
            writer._write(force=not writer.failing)
            writer._restate()
            return None if any(p is item for p in writer._queue) else self.last_seq
        except Exception:
            log.exception("the session log could not take an event")
            return None

    def progress(self) -> bool:
        """Called from the UI tick: commits treatment time so far (at most about once a second).

        Returns True when a progress row was committed by this call.
        """
        writer = self._writer
        try:
            if writer._queue and not writer._write(force=False):
                if self._current is not None and writer._spooling:
                    writer._spool_progress(self._current)
                writer._restate()
                return False
            target = self._current
            if target is None or target.db_id is None or target.closed:
                return False
            return writer._write_progress(target)
        except Exception:
            log.exception("the session log could not take the progress")
            return False
