"""Writes a running session into the log as it happens; a failing disk never stops the timer."""

from __future__ import annotations

import logging
import sqlite3
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from neurotimer.session.clock import Clock, rfc3339
from neurotimer.session.session import EventKind, Session, SessionEvent
from neurotimer.storage.chain import append_event
from neurotimer.storage.db import StoreError
from neurotimer.storage.store import Store, WriteFailed

log = logging.getLogger(__name__)

RETRY_INTERVAL_S = 1.0
# The UI ticks every ~200 ms: writing when 0.8 s have passed keeps the gap between writes under 1 s.
PROGRESS_INTERVAL_S = 0.8


@dataclass
class _Target:
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


@dataclass
class _Pending:
    target: _Target
    kind: str
    at: str
    mono: float
    offset: float | None
    payload: dict[str, Any] = field(default_factory=dict)


class Recorder:
    """The app's one writer of live sessions.

    attach(session) before session.start(); the recorder then writes every domain event (it subscribes)
    and every `record(kind, payload)` the app adds, each committed as it happens. `progress()` from the
    UI tick commits treatment time so far about once a second. When the database cannot be written
    (disk full, locked), `on_alarm(text)` is called, events wait in memory in order, and are written
    on a later call; `on_recovered()` says when all is saved again. No SQLite error reaches the caller.
    """

    def __init__(
        self,
        store: Store,
        clock: Clock,
        *,
        on_alarm: Callable[[str], None] | None = None,
        on_recovered: Callable[[], None] | None = None,
        retry_interval: float = RETRY_INTERVAL_S,
        progress_interval: float = PROGRESS_INTERVAL_S,
    ) -> None:
        self._store = store
        self._clock = clock
        self._on_alarm = on_alarm or (lambda text: None)
        self._on_recovered = on_recovered or (lambda: None)
        self._retry_interval = retry_interval
        self._progress_interval = progress_interval
        self._queue: deque[_Pending] = deque()
        self._current: _Target | None = None
        self._last_attempt = float("-inf")
        self._alarm_text: str | None = None
        self.last_seq: int | None = None

    # -- state -----------------------------------------------------------------------------------
    @property
    def session_id(self) -> int | None:
        """The current session's row id, once its first event is written."""
        return None if self._current is None else self._current.db_id

    @property
    def pending(self) -> int:
        """Events held in memory, not yet in the database."""
        return len(self._queue)

    @property
    def failing(self) -> bool:
        return self._alarm_text is not None

    # -- lifecycle -------------------------------------------------------------------------------
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
        dropped = [p for p in self._queue if p.target.start_mono is None]
        if dropped:
            log.warning("%d event(s) of a session that never started were not written", len(dropped))
            self._queue = deque(p for p in self._queue if p.target.start_mono is not None)
        target = _Target(
            session,
            patient_id if patient_id is not None else session.patient_id,
            course_id,
            practitioner_id,
            dict(details or {}),
        )
        self._current = target
        session.subscribe(lambda event: self._on_session_event(target, event))

    def _on_session_event(self, target: _Target, event: SessionEvent) -> None:
        try:
            now = self._clock.now()
            if event.kind is EventKind.STARTED:
                target.start_mono = now - event.offset
                target.started_at = rfc3339(self._clock.wall())
            elif event.kind is EventKind.ENDED:
                target.closed = True
            self._enqueue(
                _Pending(target, str(event.kind), rfc3339(self._clock.wall()), now, event.offset, dict(event.data))
            )
            # A domain event is never held back by the retry interval unless writing is failing.
            self._write(force=not self.failing)
        except Exception:
            # Whatever goes wrong here must not stop the timer that called us.
            log.exception("the session log could not take an event")

    def record(self, kind: str, payload: dict[str, Any] | None = None) -> int | None:
        """Logs an app event (settings, device report, alarm, acknowledgement) for the current session.

        Returns its sequence number once committed, or None while it waits in memory.
        """
        target = self._current
        if target is None:
            log.warning("event %s with no session attached was not logged", kind)
            return None
        try:
            self._enqueue(
                _Pending(target, kind, rfc3339(self._clock.wall()), self._clock.now(), None, dict(payload or {}))
            )
            self._write(force=not self.failing)
            return None if self._queue else self.last_seq
        except Exception:
            log.exception("the session log could not take an event")
            return None

    def progress(self) -> bool:
        """Called from the UI tick: commits treatment time so far (at most about once a second).

        Returns True when a progress row was committed by this call.
        """
        try:
            if self._queue and not self._write(force=False):
                return False
            target = self._current
            if target is None or target.db_id is None or target.closed:
                return False
            now = self._clock.now()
            if now - target.last_progress_mono < self._progress_interval:
                return False
            treatment = round(target.session.treatment_seconds, 3)
            target.last_progress_mono = now
            if treatment == target.last_progress_value:
                return False
            try:
                with self._store.transaction() as conn:
                    self._store.upsert_progress(
                        conn,
                        target.db_id,
                        treatment,
                        now - (target.start_mono or now),
                        rfc3339(self._clock.wall()),
                    )
            except StoreError as exc:
                target.last_progress_mono = float("-inf")
                self._fail(exc)
                return False
            target.last_progress_value = treatment
            self._recovered()
            return True
        except Exception:
            log.exception("the session log could not take the progress")
            return False

    def flush(self) -> bool:
        """Tries now to write what waits in memory; True when nothing is left."""
        try:
            return self._write(force=True)
        except Exception:
            log.exception("the session log could not be flushed")
            return False

    # -- writing ---------------------------------------------------------------------------------
    def _enqueue(self, item: _Pending) -> None:
        self._queue.append(item)

    def _write(self, force: bool) -> bool:
        now = self._clock.now()
        if not force and now - self._last_attempt < self._retry_interval:
            return not self._queue
        self._last_attempt = now
        while self._queue:
            item = self._queue[0]
            target = item.target
            if target.start_mono is None:
                return False  # Nothing is written before the session starts.
            try:
                with self._store.transaction() as conn:
                    session_id = target.db_id
                    if session_id is None:
                        session_id = self._store.insert_session(
                            conn,
                            started_at=target.started_at or item.at,
                            planned_minutes=round(target.session.planned_seconds / 60),
                            patient_id=target.patient_id,
                            course_id=target.course_id,
                            practitioner_id=target.practitioner_id,
                            details=target.details,
                        )
                    offset = item.offset if item.offset is not None else item.mono - target.start_mono
                    seq, _ = append_event(conn, session_id, item.at, offset, item.kind, item.payload)
                    self._store.apply_effects(conn, session_id, item.kind, item.payload, item.at, offset)
            except (StoreError, sqlite3.Error) as exc:
                self._fail(exc)
                return False
            target.db_id = session_id
            self._queue.popleft()
            self.last_seq = seq
        self._recovered()
        return True

    def _fail(self, exc: Exception) -> None:
        reason = str(exc) if isinstance(exc, WriteFailed) else f"The session log cannot be written ({exc})."
        text = (
            f"{reason} The timer goes on; {self.pending} event(s) wait in memory and will be saved "
            "as soon as the log can be written."
        )
        log.error("session log write failed: %s", exc)
        first = self._alarm_text is None
        self._alarm_text = text
        if first:
            self._on_alarm(text)

    def _recovered(self) -> None:
        if self._alarm_text is not None and not self._queue:
            self._alarm_text = None
            log.warning("session log writable again; everything held in memory is saved")
            self._on_recovered()
