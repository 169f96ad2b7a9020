"""A server log reached through a relay that can go silent, for the GUI's tests of a server that stops answering."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

from neurotimer.storage.bounded import SERVER_CALL_BOUND_S
from tests.storage.blackhole import Blackhole

WITHIN_S = SERVER_CALL_BOUND_S + 1.5  # the bound, and the rest of a loaded machine's slowness
BACK_MS = 60_000  # the pool finds a server that is back within about 16 s; a loaded machine takes longer


def through(url: str, port: int) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{port}"))


@contextmanager
def relayed(pg_url: str, clock) -> Iterator[tuple[object, Blackhole]]:
    """(store, relay): the log on `pg_url` opened as the chair window opens it (every GUI-thread call bounded),
    through a relay that `silence()`s and `speak()`s again."""
    from neurotimer.storage.store import open_store

    relay = Blackhole(urlsplit(pg_url).port)
    store = open_store(through(pg_url, relay.port), clock=clock, daily_backup=False)
    store.bound_gui_calls(SERVER_CALL_BOUND_S)
    try:
        yield store, relay
    finally:
        relay.speak()
        store.close()
        relay.close()


def timed(call) -> float:
    began = time.monotonic()
    call()
    return time.monotonic() - began
