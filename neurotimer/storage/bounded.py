"""A bound on how long the calling thread (the GUI's) waits on the log: past it, the connection is interrupted."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)


class Bound:
    """`with bound():` around a write: if it has not returned after `seconds`, `interrupt()` is called from a
    timer thread, so a write waiting on a silent network fails at once (the recorder keeps the event and
    retries) instead of holding the timer for as long as TCP takes to give up."""

    def __init__(self, seconds: float, interrupt: Callable[[], None]) -> None:
        self.seconds = seconds
        self._interrupt = interrupt
        self.fired = 0

    def _fire(self) -> None:
        self.fired += 1
        log.warning("a write to the log took over %.1f s: interrupted", self.seconds)
        try:
            self._interrupt()
        except Exception as exc:  # A timer thread must not die silently; the write fails on its own later.
            log.warning("the write could not be interrupted: %s", exc)

    @contextmanager
    def __call__(self) -> Iterator[None]:
        timer = threading.Timer(self.seconds, self._fire)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()
