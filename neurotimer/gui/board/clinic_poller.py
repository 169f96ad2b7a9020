"""Reads every chair's state from the log every few seconds, on a thread of its own with its own connection."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from neurotimer.session.clock import Clock
from neurotimer.storage.bounded import WORKER_CALL_BOUND_S
from neurotimer.storage.clinic import read_board
from neurotimer.storage.db import StoreError
from neurotimer.storage.location import LogLocation, is_server_url
from neurotimer.storage.store import open_readonly

log = logging.getLogger(__name__)

POLL_S = 2.0


class ClinicPoller(QObject):
    """Emits what it read, or why it could not; the window never waits for the server."""

    read = Signal(object, object)  # list[ChairState], the wall time they were read at
    failed = Signal(str)  # one line for the practitioner

    def __init__(self, location: LogLocation, clock: Clock, *, interval_s: float = POLL_S,
                 opener: Callable = open_readonly, reader: Callable = read_board) -> None:
        super().__init__()
        self.location = location
        self._clock = clock
        self.interval_s = interval_s
        self._open = opener
        self._read = reader
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._store = None  # the thread's own, for `stop` to cut short a read waiting on a silent server

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="clinic-board-poll", daemon=True)
            self._thread.start()

    def poll_now(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        """Returns once the thread has closed its connection: nothing is emitted after this."""
        self._stop.set()
        self._wake.set()
        store = self._store
        if store is not None and is_server_url(self.location):
            try:
                store.conn.interrupt()  # a read waiting on a silent server fails now: closing never waits on it
            except Exception as exc:  # a connection already closing: nothing left to cut short
                log.debug("clinic board read not interrupted: %s", type(exc).__name__)
        if self._thread is not None:
            self._thread.join(15)
            self._thread = None

    def _run(self) -> None:
        store = None
        while not self._stop.is_set():
            try:
                if store is None:
                    store = self._store = self._open(self.location, clock=self._clock)
                    if is_server_url(self.location) and hasattr(store, "bound_gui_calls"):
                        # Its own connection, on its own thread: a silent server is given up and read again.
                        store.bound_gui_calls(WORKER_CALL_BOUND_S, every_thread=True)
                now = self._clock.wall()
                rows = self._read(store, now)
                if not self._stop.is_set():
                    self.read.emit(rows, now)
            except (sqlite3.Error, StoreError, OSError) as exc:
                log.warning("clinic board could not read the log: %s", type(exc).__name__)
                if not self._stop.is_set():
                    self.failed.emit(_reason(exc))
                if store is not None and not is_server_url(self.location):
                    store.close()  # a file is opened afresh; a server's pool reconnects by itself
                    store = self._store = None
            self._wake.wait(self.interval_s)
            self._wake.clear()
        if store is not None:
            store.close()


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if isinstance(exc, sqlite3.OperationalError) and "cannot be reached" in text:
        return "the log server cannot be reached"
    return text or type(exc).__name__
