"""Writes a running session into the log as it happens; a failing disk never stops the timer."""

from __future__ import annotations

import logging
import sqlite3
from collections import deque
from collections.abc import Callable
from typing import Any

from neurotimer.session.clock import Clock
from neurotimer.session.session import Session
from neurotimer.storage.continuation import ContinuedSession, SessionClosedElsewhere
from neurotimer.storage.db import StoreError
from neurotimer.storage.recorder_batch import BatchMixin, RecordBatch
from neurotimer.storage.recorder_continue import ContinuingMixin
from neurotimer.storage.recorder_lane import RecorderLane, _Pending, _Target
from neurotimer.storage.recorder_progress import ProgressMixin
from neurotimer.storage.recorder_spool import SpoolingMixin
from neurotimer.storage.spool import Spool
from neurotimer.storage.store import Store

log = logging.getLogger(__name__)

RETRY_INTERVAL_S = 1.0
# The UI ticks every ~200 ms: writing when 0.8 s have passed keeps the gap between writes under 1 s.
PROGRESS_INTERVAL_S = 0.8


class Recorder(BatchMixin, SpoolingMixin, ProgressMixin, ContinuingMixin):
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
    `on_continued(ContinuedSession)` (or a lane's own `on_continued`) tells that another workstation closed the
    session as interrupted while it still ran here, and that its rest is recorded as a new session.

    Several chairs share the one writer through `lane()`: each lane follows its own session (each
    session its own chain), all lanes' events go through one queue in the order they happened, and a
    chair whose session has not started yet never holds back another chair's events.

    `batch()` (an emergency stop of several chairs) writes what comes meanwhile in one transaction (recorder_batch).
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
        on_continued: Callable[[ContinuedSession], None] | None = None,
        spool: Spool | None = None,
        retry_interval: float = RETRY_INTERVAL_S,
        progress_interval: float = PROGRESS_INTERVAL_S,
    ) -> None:
        self._store = store
        self._clock = clock
        self._on_alarm = on_alarm or (lambda text: None)
        self._on_recovered = on_recovered or (lambda: None)
        self._on_count = on_count or (lambda text: None)
        self._on_notice = on_notice or (lambda text: None)
        self.on_continued = on_continued
        self._continued: list = []  # sessions continued in a new row, told once the writes are done
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
        self._batches: list[RecordBatch] = []
        self._owing: list[_Target] = []  # chairs whose last progress write failed (recorder_progress)
        self._closed = False
        self._main = RecorderLane(self, "")

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
    def failing(self) -> bool:
        return self._alarm_text is not None

    def close(self) -> None:
        """At quit, after the last flush: the spool file goes if nothing waits in it."""
        self._closed = True
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
        """Tries now to write what waits (an open batch too, in one transaction); True when nothing is left."""
        try:
            return self._write(force=True, together=bool(self._batches))
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

    def _write(self, force: bool, together: bool = False) -> bool:
        """Writes the queue in order; events of a session not started yet stay queued, in order, without
        holding back the others. True when nothing that can be written is left waiting. `together`: all in
        one transaction (a batch's end); while a batch is open, nothing is written one at a time."""
        try:
            return self._write_queue(force, together)
        finally:
            self._tell_continued()

    def _write_queue(self, force: bool, together: bool) -> bool:
        if not together and self.batching:
            return not self._writable_waiting()
        together = together or bool(self._batches)
        now = self._clock.now()
        if not force and now - self._last_attempt < self._retry_interval:
            return not self._writable_waiting()
        self._last_attempt = now
        if together:
            return self._write_together()
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

    def _write_one(self, item: _Pending) -> tuple[int, int]:
        try:
            return self._append(item)
        except SessionClosedElsewhere as refused:
            self._continue(item.target, refused)
            return self._append(item)

    def _append(self, item: _Pending) -> tuple[int, int]:
        with self._store.transaction() as conn:
            seq, session_id = self._insert(conn, item, item.target.db_id)
        if item.kind in ("session.ended", "session.interrupted"):
            self._store.write_anchor(f"session {session_id} ended")
        return seq, session_id

    def _insert(self, conn, item: _Pending, session_id: int | None) -> tuple[int, int]:
        """One event inside the caller's transaction (its session's row first, if it has none yet)."""
        target = item.target
        if session_id is None:
            opening = {**target.opening(), "started_at": target.started_at or item.at}
            session_id = self._store.insert_session(conn, chair=target.lane.name, **opening)
        offset = item.offset if item.offset is not None else item.mono - (target.start_mono or item.mono)
        seq = self._store.append_session_event(conn, session_id, item.at, offset, item.kind, item.payload)
        return seq, session_id

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
        """Clears the alarm once nothing of a started session waits: no event and no treatment time."""
        if self._alarm_text is not None and not self._writable_waiting() and not self._owed_progress():
            self._alarm_text = None
            log.warning("session log writable again; everything held in memory is saved")
            self._on_recovered()
