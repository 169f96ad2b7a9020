"""A workstation as its own process, for the several-workstation tests: `write N`, `hold`, `recover`, `watch ID`,
`live` (records until its session is continued elsewhere, see below), `recover-wait ID SECONDS`.

Prints one line per fact the test reads (`session ID`, `recovered ID…`, `state ID STATE`), flushing each.
"""

from __future__ import annotations

import select
import sys
import time

from neurotimer.session.clock import SystemClock
from neurotimer.session.session import Session
from neurotimer.storage.db import StoreError
from neurotimer.storage.pg.open import open_pg_store
from neurotimer.storage.recorder import Recorder
from neurotimer.storage.recovery import recover_interrupted
from neurotimer.storage.store import open_readonly, open_store


def say(*words: object) -> None:
    sys.stdout.write(" ".join(str(w) for w in words) + "\n")
    sys.stdout.flush()


def run(session: Session, recorder: Recorder, clock: SystemClock, events: int) -> None:
    for step in range(events):
        recorder.record("stim.intensity", {"channel": 1 + step % 4, "mA": round(0.1 * step, 1)})
        session.tick()
        recorder.progress()


def write(url: str, sessions: int, events: int) -> None:
    """Writes `sessions` sessions of `events` events each as fast as it can, ending each."""
    clock = SystemClock()
    store = open_store(url, clock=clock)
    recorder = Recorder(store, clock)
    for _ in range(sessions):
        session = Session(clock, 1)
        recorder.attach(session)
        session.start()
        run(session, recorder, clock, events)
        session.end()
        assert recorder.flush() and recorder.pending == 0, "every event written"
        say("session", recorder.session_id)
    store.close()


def hold(url: str) -> None:
    """Starts a session, writes a few events, then keeps it open until killed."""
    clock = SystemClock()
    store = open_store(url, clock=clock)
    recorder = Recorder(store, clock)
    session = Session(clock, 30)
    recorder.attach(session)
    session.start()
    run(session, recorder, clock, 5)
    say("session", recorder.session_id)
    while True:
        time.sleep(0.2)
        session.tick()
        recorder.progress()


def recover(url: str) -> None:
    store = open_store(url)
    say("recovered", *[r.session_id for r in recover_interrupted(store)])
    store.close()


def live(url: str) -> None:
    """Records one session on a 1 s lease, an event every 0.1 s, printing `wrote N SESSION` after each is
    committed (`hold` on stdin stops it between two writes, printing `holding`, until the next line); once
    told that its session was closed elsewhere (`continued OLD NEW BY`) it writes ten more, ends the session
    and prints `done SESSION LAST-N`."""
    clock = SystemClock()
    store = open_pg_store(url, clock=clock, lease_options={"lease_s": 1.0, "heartbeat_s": 0.2})
    told: list = []
    recorder = Recorder(store, clock, on_continued=told.append)
    session = Session(clock, 30)
    recorder.attach(session)
    session.start()
    n, last = 0, None
    while last is None or n <= last:
        written = recorder.record("stim.intensity", {"channel": 1, "n": n})
        session.tick()
        recorder.progress()
        if written is not None:
            say("wrote", n, recorder.session_id)
        if told and last is None:
            say("continued", told[0].session_id, told[0].new_id, told[0].closed_by)
            last = n + 10
        n += 1
        if select.select([sys.stdin], [], [], 0.1)[0] and sys.stdin.readline().strip() == "hold":
            # Between two writes (no write transaction open), for the test to freeze it: then `go` goes on.
            say("holding")
            sys.stdin.readline()
    session.end()
    assert recorder.flush() and recorder.pending == 0, "every event written"
    say("done", recorder.session_id, last)
    store.close()


def recover_wait(url: str, session_id: int, seconds: float) -> None:
    """Starts as the app does, again and again, until the session's lease has run out and it recovers it."""
    store = open_store(url)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            found = [r.session_id for r in recover_interrupted(store)]
        except StoreError:  # the write lock held by a frozen workstation's transaction: try again
            found = []
        if found:
            say("recovered", *found)
            break
        time.sleep(0.05)
    store.close()


def watch(url: str, session_id: int, seconds: float) -> None:
    """Reads the session read-only every 50 ms and prints each state it sees (and the interrupted count)."""
    store = open_readonly(url)
    seen = None
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = store.get_session(session_id).summary.state
        if state != seen:
            closes = [e for e in store.session_events(session_id) if e["kind"] == "session.interrupted"]
            say("state", session_id, state, len(closes))
            seen = state
        if state == "interrupted":
            break
        time.sleep(0.05)
    store.close()


if __name__ == "__main__":
    command, url, *rest = sys.argv[1:]
    if command == "write":
        write(url, int(rest[0]), int(rest[1]))
    elif command == "hold":
        hold(url)
    elif command == "recover":
        recover(url)
    elif command == "live":
        live(url)
    elif command == "recover-wait":
        recover_wait(url, int(rest[0]), float(rest[1]))
    elif command == "watch":
        watch(url, int(rest[0]), float(rest[1]))
