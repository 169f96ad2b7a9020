"""A bound on how long the GUI (main) thread waits on a log server: past it, the connection is interrupted."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

log = logging.getLogger(__name__)

# The longest the window waits on a log server: over a clinic's network a statement takes a few ms (a write
# waiting for another workstation's lock 0.2 s at most); past this the server is deemed silent.
SERVER_CALL_BOUND_S = 0.5
# A worker thread's connection (the review list, the clinic board) reads more at a time but must not wait for
# ever either: a silent server is given up after this, the worker says so, and its next read reconnects.
WORKER_CALL_BOUND_S = 10.0


class Bound:
    """`with bound():` around a call: if it has not returned after `seconds`, `interrupt()` is called from a
    watchdog thread, so a call waiting on a silent network fails at once (the recorder keeps the event and
    retries; a dialog says the log cannot be reached) instead of holding the window for as long as TCP takes
    to give up. One watchdog thread serves every call: arming and disarming cost a lock, not a thread."""

    def __init__(self, seconds: float, interrupt: Callable[[], None]) -> None:
        self.seconds = seconds
        self._interrupt = interrupt
        self._cond = threading.Condition()
        self._deadline: float | None = None
        self._depth = 0
        self._thread: threading.Thread | None = None
        self._stopped = False
        self.fired = 0

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._cond:
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="log-call-bound", daemon=True)
                self._thread.start()
            if not self._depth:
                self._deadline = time.monotonic() + self.seconds
                self._cond.notify()
            self._depth += 1
        try:
            yield
        finally:
            with self._cond:
                self._depth -= 1
                if not self._depth:
                    self._deadline = None
                    self._cond.notify()

    def stop(self) -> None:
        """The connection is closed: its watchdog thread ends (a window opened and closed all day leaves none)."""
        with self._cond:
            self._stopped = True
            self._cond.notify()

    def _watch(self) -> None:
        while True:
            with self._cond:
                while not self._stopped and (self._deadline is None or time.monotonic() < self._deadline):
                    self._cond.wait(None if self._deadline is None else self._deadline - time.monotonic())
                if self._stopped:
                    return
                self._deadline = None  # once per call
            self.fired += 1
            log.warning("a call to the log took over %.1f s: interrupted", self.seconds)
            try:
                self._interrupt()
            except Exception as exc:  # The watchdog must not die: the call then fails on its own, later.
                log.warning("the call could not be interrupted: %s", exc)


class BoundedConnection:
    """A server connection whose every statement run on the GUI (main) thread is bounded; other threads (the
    recorder's lease heartbeat) wait as TCP says, unless `every_thread` (a worker's own connection: the review
    list's, the clinic board's) bounds them too."""

    def __init__(self, inner: Any, seconds: float, *, every_thread: bool = False) -> None:
        self._inner = inner
        self._every_thread = every_thread
        self.bound = Bound(seconds, inner.interrupt)

    def _bounded_here(self) -> bool:
        return self._every_thread or threading.current_thread() is threading.main_thread()

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        if not self._bounded_here():
            return self._inner.execute(sql, params)
        with self.bound():
            return self._inner.execute(sql, params)

    def executemany(self, sql: str, seq: Any) -> Any:
        if not self._bounded_here():
            return self._inner.executemany(sql, seq)
        with self.bound():
            return self._inner.executemany(sql, seq)

    def close(self) -> None:
        self.bound.stop()
        self._inner.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def open_worker_store(location: Any, clock: Any = None) -> Any:
    """A read-only store for a worker thread (an export, a report): on a server, every call it makes is bounded by
    WORKER_CALL_BOUND_S, so a server gone silent fails the work instead of holding it as long as TCP does."""
    from neurotimer.storage.location import is_server_url
    from neurotimer.storage.store import open_readonly

    store = open_readonly(location, clock=clock)
    if is_server_url(location):
        store.bound_gui_calls(WORKER_CALL_BOUND_S, every_thread=True)
    return store
