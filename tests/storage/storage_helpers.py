"""Shared helpers for the storage tests: sessions run through the real Recorder on a manual clock."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from neurotimer.session.clock import ManualClock
from neurotimer.session.session import Session
from neurotimer.storage.recorder import Recorder
from neurotimer.storage.store import Store

STATE_ONLY_TRIGGERS = (
    "events_append_only_update",
    "events_append_only_delete",
    "events_in_sequence",
    "sessions_closed_frozen",
    "sessions_chain_grows",
    "sessions_no_delete",
)


def wait(clock: ManualClock, session: Session, seconds: float, recorder: Recorder | None = None) -> None:
    """Time passes as in the app: a tick (and a progress call) every 200 ms."""
    steps = round(seconds / 0.2)
    for _ in range(steps):
        clock.advance(0.2)
        session.tick()
        if recorder is not None:
            recorder.progress()


def run_session(
    store: Store,
    clock: ManualClock,
    *,
    patient_id: int | None = None,
    minutes: int = 1,
    settings: int = 3,
    end: bool = True,
    recorder: Recorder | None = None,
) -> tuple[int, Session, Recorder]:
    """Runs one session with a few stimulator settings; returns its row id, the session and recorder."""
    recorder = recorder or Recorder(store, clock)
    session = Session(clock, minutes)
    recorder.attach(session, patient_id=patient_id, details={"needle_type": "0.25 x 40 mm"})
    session.start()
    for step in range(settings):
        wait(clock, session, 5, recorder)
        recorder.record("stim.intensity", {"channel": 1 + step % 2, "mA": 1.0 + step * 0.5})
    if end:
        wait(clock, session, minutes * 60, recorder)
        session.end()
    assert recorder.session_id is not None
    return recorder.session_id, session, recorder


def copy_log(src: Path, dest: Path) -> Path:
    """A standalone copy (write-ahead log folded in), as a tamperer would work on."""
    conn = sqlite3.connect(src)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    shutil.copyfile(src, dest)
    return dest


def raw(path: Path) -> sqlite3.Connection:
    """A plain connection with the append-only triggers dropped: how someone would edit behind the app."""
    conn = sqlite3.connect(path, isolation_level=None)
    for name in STATE_ONLY_TRIGGERS:
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    return conn
