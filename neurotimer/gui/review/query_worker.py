"""Runs the review list's SQL on a thread of its own with its own read-only connection."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot

from neurotimer.gui.shell.log_reach import plain
from neurotimer.storage import db
from neurotimer.storage.location import is_server_url
from neurotimer.storage.review_queries import ReviewFilter, chain_intact, count_sessions, fetch_rows

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageRequest:
    generation: int
    filter: ReviewFilter
    sort: str
    descending: bool
    offset: int
    limit: int
    count: bool
    quiet: bool = False  # a live refresh of the rows already shown: answered by `refreshed`, nothing counted


class QueryWorker(QObject):
    """Answers PageRequests in order; a request older than the newest generation is skipped unanswered."""

    pageReady = Signal(int, int, object, int)  # generation, offset, rows, total (-1: still to be counted)
    counted = Signal(int, int)  # generation, how many sessions the filter finds
    chainsChecked = Signal(int, int, object)  # generation, offset, {session id: chain intact}
    failed = Signal(int, str)
    refreshed = Signal(int, object)  # generation, the rows shown read again (a live refresh)

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._path = path
        self._conn: sqlite3.Connection | None = None
        self.latest = 0  # written by the GUI thread, read here: a plain int is safe to share

    @Slot(object)
    def run(self, request: PageRequest) -> None:
        if request.generation < self.latest:
            return
        try:
            if self._conn is None and is_server_url(self._path):
                from neurotimer.storage.bounded import WORKER_CALL_BOUND_S
                from neurotimer.storage.pg.open import open_pg_readonly

                store = open_pg_readonly(str(self._path))
                store.bound_gui_calls(WORKER_CALL_BOUND_S, every_thread=True)  # a silent server: given up, retried
                self._conn = store.conn  # type: ignore[assignment]
            if self._conn is None:
                # Closed from the GUI thread once this thread has stopped, hence check_same_thread off.
                uri = f"{self._path.absolute().as_uri()}?mode=ro"
                self._conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
                self._conn.execute("PRAGMA busy_timeout = 1000")
            rows = fetch_rows(
                self._conn, request.filter, request.sort, request.descending, request.offset, request.limit,
                check_chains=False,
            )
            if request.quiet:
                self.refreshed.emit(request.generation, rows)
                return
            # The first rows show before the count: counting a large log takes longer than a page.
            whole = request.count and len(rows) < request.limit
            total = request.offset + len(rows) if whole else -1
            self.pageReady.emit(request.generation, request.offset, rows, total)
            if request.count and not whole and request.generation >= self.latest:
                self.counted.emit(request.generation, count_sessions(self._conn, request.filter))
        except (sqlite3.Error, db.StoreError) as exc:
            log.warning("review query failed: %s", type(exc).__name__)
            self.failed.emit(request.generation, plain(exc, "The session list could not be read",
                                                       "The window tries again by itself; nothing is lost."))
            return
        # The rows show at once; each one's hash chain is checked after, and a bad one turns red.
        results: dict[int, bool] = {}
        try:
            for row in rows:
                if request.generation < self.latest:
                    break
                results[row.id] = chain_intact(self._conn, row.id)
        except sqlite3.Error as exc:
            log.warning("chain check failed: %s", type(exc).__name__)
        self.chainsChecked.emit(request.generation, request.offset, results)

    def interrupt(self) -> None:
        """From the GUI thread: the read under way (on a server gone silent) fails now, so the thread can stop."""
        conn = self._conn
        if conn is not None:
            try:
                conn.interrupt()
            except Exception as exc:  # a connection already closing: nothing left to cut short
                log.debug("review read not interrupted: %s", type(exc).__name__)

    @Slot()
    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class QueryThread(QObject):
    """The worker's thread: started with the window, stopped (connection closed) when it closes."""

    submit = Signal(object)

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = QueryWorker(path)
        self._thread = QThread()
        self._thread.setObjectName("review-queries")
        self.worker.moveToThread(self._thread)
        self.submit.connect(self.worker.run)
        self._thread.start()

    def stop(self) -> None:
        if self._thread.isRunning():
            self.worker.latest = 1 << 62  # anything still queued is skipped
            self.worker.interrupt()  # a read waiting on a silent server must not hold the closing window
            self._thread.quit()
            self._thread.wait(5000)
            self.worker.close()  # the thread has stopped: closing here is safe
