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


def drop_triggers(conn: sqlite3.Connection) -> None:
    """Every trigger dropped: how someone with write access would edit behind the app's back."""
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        conn.execute(f"DROP TRIGGER {name}")


def raw(path: Path) -> sqlite3.Connection:
    """A plain connection with the append-only triggers dropped: how someone would edit behind the app."""
    conn = sqlite3.connect(path, isolation_level=None)
    drop_triggers(conn)
    return conn


def write_rich_log(store: Store, clock: ManualClock) -> None:
    """Something in every table the record shows: practitioners, patients (screened, archived), a course,
    sessions with plans, scores, adverse events and an amendment, one session still open."""
    who = store.create_practitioner("Dr Example", profession="physiotherapist", registration="PH-12345")
    store.current_practitioner_id = who
    ann = store.create_patient("P-0001", "Ann Example", 1952, {"reduced_sensation": True}, notes="likes tea")
    bob = store.create_patient("P-0002", None, 1960)
    store.update_screening(bob, {"bleeding_risk": True})
    course = store.create_course(ann, "Painful neuropathy", 8, 2, style="Western", reasoning="trial protocol")
    for index, patient in enumerate((ann, bob, ann)):
        sid, session, recorder = run_session(store, clock, patient_id=patient, settings=3, end=False)
        store.save_plan(sid, [("ST36", "L"), ("SP6", "R")],
                        [{"channel": 1, "a": ("ST36", "L"), "b": ("GB39", "L"), "mode": "2/100"}])
        store.add_score(sid, "pain", 6 - index, "before")
        if index < 2:
            wait(clock, session, 60, recorder)
            session.end()
            store.add_score(sid, "pain", 3, "after")
            store.add_adverse_event(sid, "bruising", "mild", "small bruise at ST36")
    store.amend_session(1, "depth", "10 mm", "Dr Example", "was missing")
    store.amend_score(1, "pain", "after", 2, "Dr Example", "misheard")
    store.amend_patient(ann, "birth_year", 1953, "Dr Example", "typo at intake")
    store.add_note(2, "slept through the session", "Dr Example")
    store.set_archived(bob)
    assert course
