"""Writes a running session into the log as it happens; a failing disk never stops the timer."""

from __future__ import annotations

import logging
import sqlite3
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from neurotimer.session.clock import Clock, rfc3339
from neurotimer.session.session import EventKind, Session, SessionEvent
from neurotimer.storage.bounded import Bound
from neurotimer.storage.db import StoreError
from neurotimer.storage.spool import Spool
from neurotimer.storage.store import Store

log = logging.getLogger(__name__)

RETRY_INTERVAL_S = 1.0
# The longest the GUI thread waits for a write to a log server: over a clinic's network a write takes a few ms
# (and a lock held by another workstation 0.2 s at most); past this the server is deemed silent.
SERVER_WRITE_BOUND_S = 0.5
# The UI ticks every ~200 ms: writing when 0.8 s have passed keeps the gap between writes under 1 s.
PROGRESS_INTERVAL_S = 0.8


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


class Recorder:
    """The app's one writer of live sessions, for one chair or many.

    attach(session) before session.start(); the recorder then writes every domain event (it subscribes)
    and every `record(kind, payload)` the app adds, each committed as it happens. `progress()` from the
    UI tick commits treatment time so far about once a second. When the database cannot be written
    (disk full, locked, the server away), `on_alarm(text)` is called, events wait in memory in order, and are
    written on a later call; `on_count(text)` restates the alarm as the count moves, and `on_recovered()`
    says when all is saved again. No SQLite error reaches the caller.

    With a `spool`, every event that waits is also appended to the spool file and synced before the call
    returns, so a crash, a kill or a quit loses none: the next start replays them (`spool.replay_spool`).
    A write failing for space first checkpoints the write-ahead log (it is what refills a nearly full disk).
    `on_notice(text)` tells of what the store did by itself (a removed log saved again at its path).

    Several chairs share the one writer through `lane()`: each lane follows its own session (each
    session its own chain), all lanes' events go through one queue in the order they happened, and a
    chair whose session has not started yet never holds back another chair's events.
    """

    def __init__(
        self,
        store: Store,
        clock: Clock,
        *,
        on_alarm: Callable[[str], None] | None = None,
        on_recovered: Callable[[], None] | None = None,
        on_count: Callable[[str], None] | None = None,
        on_notice: Callable[[str], None] | None = None,
        spool: Spool | None = None,
        write_bound: float | None = None,
        retry_interval: float = RETRY_INTERVAL_S,
        progress_interval: float = PROGRESS_INTERVAL_S,
    ) -> None:
        self._store = store
        self._clock = clock
        self._on_alarm = on_alarm or (lambda text: None)
        self._on_recovered = on_recovered or (lambda: None)
        self._on_count = on_count or (lambda text: None)
        self._on_notice = on_notice or (lambda text: None)
        # A write that has not returned after `write_bound` seconds is interrupted (a silent server).
        self._bound = Bound(write_bound, lambda: store.conn.interrupt()) if write_bound else None
        self._spool = spool
        self._spooling = False  # the log failed: what waits goes to the spool file too
        self._headed: list[_Target] = []  # sessions with a header line in the spool file
        self._spool_error: str | None = None
        self._reason = ""
        if spool is not None and not spool.is_open:
            try:
                spool.open()
            except OSError as exc:
                log.error("the spool file cannot be opened: %s", exc)
                self._spool_error = exc.strerror or str(exc)
        self._spool_generation = 0 if spool is None else spool.generation
        self._retry_interval = retry_interval
        self._progress_interval = progress_interval
        self._queue: deque[_Pending] = deque()
        self._last_attempt = float("-inf")
        self._alarm_text: str | None = None
        self._held = 0
        self._main = RecorderLane(self, "")

    @contextmanager
    def held(self) -> Iterator[None]:
        """What is recorded inside waits in memory, in order, and is written when the block ends: an emergency
        stop of several chairs sends every stop before the first commit."""
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
            if not self._held:
                self.flush()

    def lane(self, name: str) -> RecorderLane:
        """A chair's own lane into this writer (the name is for the app's log lines only)."""
        return RecorderLane(self, name)

    # -- state -----------------------------------------------------------------------------------
    @property
    def session_id(self) -> int | None:
        """The current session's row id, once its first event is written."""
        return self._main.session_id

    @property
    def last_seq(self) -> int | None:
        return self._main.last_seq

    @property
    def pending(self) -> int:
        """Events held in memory, not yet in the database (of every lane)."""
        return len(self._queue)

    @property
    def spooled(self) -> int:
        """Of the events waiting, those also kept in the spool file (the next start writes them)."""
        return sum(1 for p in self._queue if p.spooled)

    @property
    def unsaved(self) -> int:
        """Events of started sessions that wait and would be lost if the app stopped now (memory only)."""
        return sum(1 for p in self._queue if not p.spooled and p.target.start_mono is not None)

    @property
    def spooling(self) -> bool:
        return self._spooling

    @property
    def failing(self) -> bool:
        return self._alarm_text is not None

    @property
    def spool_path(self):
        return None if self._spool is None else self._spool.path

    @property
    def waiting(self) -> int:
        """Events of started sessions not yet in the log (spooled or not)."""
        return sum(1 for p in self._queue if p.target.start_mono is not None)

    def quit_question(self) -> tuple[str, str] | None:
        """After one more try to write: None when nothing waits, else the question (title, text) to ask
        before quitting; Yes quits, No stays (and the recorder keeps trying every second)."""
        self.flush()
        waiting, memory = self.waiting, self.unsaved
        if not waiting:
            return None
        reason = self._reason or "The session log cannot be written."
        if memory:
            return ("Quit and lose events?", f"{reason}\n\n{waiting} event(s) are not in the session log yet, and "
                    f"{memory} of them are only in memory: quitting now loses them. Quit anyway? Choose No to stay "
                    "while neurotimer keeps trying (free some disk space, or bring the log back).")
        return ("Quit with events not yet in the log?", f"{reason}\n\n{waiting} event(s) are not in the session "
                f"log yet. They are kept in the spool file {self.spool_path} and are written into the log at the "
                "next start. Quit now, keeping them there? Choose No to stay while neurotimer keeps trying.")

    def close(self) -> None:
        """At quit, after the last flush: the spool file goes if nothing waits in it."""
        if self._spool is not None:
            self._spool.close(remove_if_empty=not self._spooling)

    # -- the first lane, for a single chair ------------------------------------------------------
    def attach(self, session: Session, **kwargs: Any) -> None:
        self._main.attach(session, **kwargs)

    def record(self, kind: str, payload: dict[str, Any] | None = None) -> int | None:
        return self._main.record(kind, payload)

    def progress(self) -> bool:
        return self._main.progress()

    def flush(self) -> bool:
        """Tries now to write what waits in memory; True when nothing is left."""
        try:
            return self._write(force=True)
        except Exception:
            log.exception("the session log could not be flushed")
            return False

    # -- writing ---------------------------------------------------------------------------------
    def _drop_unstarted(self, lane: RecorderLane) -> None:
        dropped = [p for p in self._queue if p.target.lane is lane and p.target.start_mono is None]
        if dropped:
            log.warning("%d event(s) of a session that never started were not written", len(dropped))
            self._queue = deque(p for p in self._queue if p not in dropped)

    def _enqueue(self, item: _Pending) -> None:
        self._queue.append(item)
        if self._spooling:
            self._spool_waiting()

    # -- the spool -------------------------------------------------------------------------------
    def _spool_waiting(self) -> None:
        """Appends to the spool file, in order, every waiting event of a started session not yet in it."""
        if self._spool is None:
            return
        items = [p for p in self._queue if not p.spooled and p.target.start_mono is not None]
        if not items:
            return
        try:
            self._spool.ensure()
        except OSError as exc:
            self._spool_error = exc.strerror or str(exc)
            return
        if self._spool.generation != self._spool_generation:
            self._respool()
            items = [p for p in self._queue if p.target.start_mono is not None]
        records: list[dict[str, Any]] = []
        headed: list[_Target] = []
        for item in items:
            target = item.target
            if not target.spooled and target not in headed:
                headed.append(target)
                records.append(self._header(target))
            records.append({"t": "event", "sk": target.key, "kind": item.kind, "at": item.at,
                            "offset": round(item.spool_offset(), 3), "payload": item.payload})
        try:
            self._spool.append(records)
        except OSError as exc:
            if self._spool_error is None:
                log.error("the spool file cannot be written: %s", exc)
            self._spool_error = exc.strerror or str(exc)
            return
        self._spool_error = None
        for target in headed:
            target.spooled = True
            self._headed.append(target)
        for item in items:
            item.spooled = True

    def _respool(self) -> None:
        assert self._spool is not None
        self._spool_generation = self._spool.generation
        for item in self._queue:
            item.spooled = False
        for target in self._headed:
            target.spooled = False
        self._headed.clear()

    def _header(self, target: _Target) -> dict[str, Any]:
        return {
            "t": "session", "sk": target.key, "id": target.db_id, "base": target.last_seq,
            "open": {
                "started_at": target.started_at, "planned_minutes": round(target.session.planned_seconds / 60),
                "patient_id": target.patient_id, "course_id": target.course_id,
                "practitioner_id": target.practitioner_id, "details": target.details,
            },
        }

    def _spool_progress(self, target: _Target) -> None:
        """While the log cannot be written, the treatment time so far goes to the spool (about once a second)."""
        now = self._clock.now()
        if self._spool is None or not target.spooled or now - target.last_progress_mono < self._progress_interval:
            return
        target.last_progress_mono = now
        try:
            self._spool.append([{"t": "progress", "sk": target.key,
                                 "treatment": round(target.session.treatment_seconds, 3),
                                 "offset": round(now - (target.start_mono or now), 3),
                                 "at": rfc3339(self._clock.wall())}])
        except OSError as exc:
            log.error("the spool file cannot be written: %s", exc)

    def _spool_drained(self) -> None:
        """Everything spooled is in the log now: the spool file is emptied, and the next failure starts anew."""
        if not self._spooling or any(p.spooled for p in self._queue):
            return
        self._spooling = False
        for target in self._headed:
            target.spooled = False
        self._headed.clear()
        if self._spool is not None:
            try:
                self._spool.clear()
            except OSError as exc:
                # Left as it is, the next start finds every one of its events already in the log.
                log.warning("the spool file could not be emptied: %s", exc)

    def _write(self, force: bool) -> bool:
        """Writes the queue in order; events of a session not started yet stay queued, in order, without
        holding back the others. True when nothing that can be written is left waiting."""
        if self._held:
            return not self._writable_waiting()
        now = self._clock.now()
        if not force and now - self._last_attempt < self._retry_interval:
            return not self._writable_waiting()
        self._last_attempt = now
        waiting: deque[_Pending] = deque()
        try:
            while self._queue:
                item = self._queue[0]
                target = item.target
                if target.start_mono is None:
                    waiting.append(self._queue.popleft())  # nothing is written before its session starts
                    continue
                try:
                    seq, session_id = self._write_one(item)
                except (StoreError, sqlite3.Error) as exc:
                    self._queue = waiting + self._queue
                    waiting = deque()
                    self._fail(exc)
                    return False
                finally:
                    self._tell_notices()
                target.db_id = session_id
                self._queue.popleft()
                target.lane.last_seq = target.last_seq = seq
        finally:
            self._queue = waiting + self._queue
        self._spool_drained()
        self._recovered()
        return True

    def _tell_notices(self) -> None:
        notices = getattr(self._store, "notices", None)
        while notices:
            self._on_notice(notices.pop(0))

    def _writable_waiting(self) -> bool:
        """Whether events of a started session wait in memory (those of an unstarted one always wait)."""
        return any(p.target.start_mono is not None for p in self._queue)

    def _bounded(self):
        return self._bound() if self._bound is not None else nullcontext()

    def _write_one(self, item: _Pending) -> tuple[int, int]:
        target = item.target
        with self._bounded(), self._store.transaction() as conn:
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
            offset = item.offset if item.offset is not None else item.mono - (target.start_mono or item.mono)
            seq = self._store.append_session_event(conn, session_id, item.at, offset, item.kind, item.payload)
        if item.kind in ("session.ended", "session.interrupted"):
            with self._bounded():
                self._store.write_anchor(f"session {session_id} ended")
        return seq, session_id

    def _write_progress(self, target: _Target) -> bool:
        now = self._clock.now()
        if now - target.last_progress_mono < self._progress_interval:
            return False
        treatment = round(target.session.treatment_seconds, 3)
        target.last_progress_mono = now
        if treatment == target.last_progress_value:
            return False
        try:
            with self._bounded(), self._store.transaction() as conn:
                self._store.upsert_progress(
                    conn, target.db_id, treatment, now - (target.start_mono or now), rfc3339(self._clock.wall())
                )
        except StoreError as exc:
            target.last_progress_mono = float("-inf")
            self._fail(exc)
            return False
        finally:
            self._tell_notices()
        target.last_progress_value = treatment
        self._recovered()
        return True

    def _fail(self, exc: Exception) -> None:
        first = self._alarm_text is None
        if first:
            log.error("session log write failed: %s", exc)
        if "full" in str(exc):
            self._checkpoint()
        self._reason = str(exc) if isinstance(exc, StoreError) else f"The session log cannot be written ({exc})."
        if not self._spooling:
            self._spooling = self._spool is not None
            self._spool_waiting()
        self._restate(first)

    def _checkpoint(self) -> None:
        """The write-ahead log is what refills a nearly full disk: fold it into the log and cut it to nothing."""
        try:
            self._store.checkpoint()
        except (StoreError, sqlite3.Error) as exc:
            log.warning("checkpoint after a full disk failed: %s", exc)

    def alarm_text(self) -> str:
        """What the log-write alarm says now, with the true count of what waits and where."""
        waiting = sum(1 for p in self._queue if p.target.start_mono is not None)
        spooled = self.spooled
        if self._spool is None:
            where = f"{waiting} event(s) wait in memory"
        elif spooled == waiting:
            where = f"{waiting} event(s) wait, kept in the spool file {self._spool.path.name}"
        else:
            why = f" ({self._spool_error})" if self._spool_error else ""
            where = (f"{waiting} event(s) wait: {spooled} kept in the spool file, {waiting - spooled} in memory "
                     f"only{why}")
        return f"{self._reason} The timer goes on; {where}; they are saved as soon as the log can be written."

    def _restate(self, first: bool = False) -> None:
        if self._alarm_text is None and not first:
            return
        text = self.alarm_text()
        if text == self._alarm_text:
            return
        self._alarm_text = text
        if first:
            self._on_alarm(text)
        else:
            self._on_count(text)

    def _recovered(self) -> None:
        if self._alarm_text is not None and not self._writable_waiting():
            self._alarm_text = None
            log.warning("session log writable again; everything held in memory is saved")
            self._on_recovered()


class RecorderLane:
    """One chair's lane into the log's one writer: its current session, and what the app adds to it."""

    def __init__(self, writer: Recorder, name: str) -> None:
        self._writer = writer
        self.name = name
        self._current: _Target | None = None
        self.last_seq: int | None = None  # the sequence number of this lane's last committed event

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
