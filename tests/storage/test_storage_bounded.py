"""The bound on calls to a log server: a watchdog thread per connection, which ends with the connection."""

from __future__ import annotations

import threading

from neurotimer.storage.bounded import BoundedConnection


class Inner:
    """Stands in for a server connection that answers at once."""

    def __init__(self, silent: bool = False) -> None:
        self.closed = False
        self.interrupted = 0
        self.silent = silent
        self._cut = threading.Event()

    def execute(self, sql, params=()):
        if self.silent:  # a server that does not answer: the call returns once its socket is shut
            self._cut.wait(10)
            raise OSError("the connection was cut")
        return sql

    def interrupt(self) -> None:
        self.interrupted += 1
        self._cut.set()

    def close(self) -> None:
        self.closed = True


def test_closing_a_bounded_connection_ends_its_watchdog_thread() -> None:
    inner = Inner()
    conn = BoundedConnection(inner, 0.5)
    assert conn.execute("SELECT 1") == "SELECT 1"
    watchdog = conn.bound._thread
    assert watchdog is not None and watchdog.is_alive()
    conn.close()  # a review list or a clinic board closed: no idle thread stays behind for the day
    watchdog.join(5)
    assert not watchdog.is_alive() and inner.closed and inner.interrupted == 0


def test_a_worker_connection_is_bounded_on_its_own_thread_too() -> None:
    inner = Inner(silent=True)
    conn = BoundedConnection(inner, 0.2, every_thread=True)
    failed: list[BaseException] = []

    def read() -> None:
        try:
            conn.execute("SELECT 1")
        except OSError as exc:
            failed.append(exc)

    worker = threading.Thread(target=read)
    worker.start()
    worker.join(5)
    assert not worker.is_alive() and len(failed) == 1, "cut off on the worker's thread as on the GUI thread"
    assert inner.interrupted == 1
    conn.close()
