"""A workstation as its own process, for the several-workstation tests: `write N`, `hold`, `recover`, `watch ID`.

Prints one line per fact the test reads (`session ID`, `recovered ID…`, `state ID STATE`), flushing each.
"""

from __future__ import annotations

import sys
import time

from neurotimer.session.clock import SystemClock
from neurotimer.session.session import Session
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
    elif command == "watch":
        watch(url, int(rest[0]), float(rest[1]))
