"""The recorder writes each event as it happens and keeps the timer going when the disk fails."""

from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from storage_helpers import run_session, wait

from neurotimer.session.clock import ManualClock
from neurotimer.session.session import Session, SessionState
from neurotimer.storage.recorder import Recorder
from neurotimer.storage.store import open_memory, open_store
from neurotimer.storage.verify import verify_store


@pytest.fixture
def log(log_location, clock):
    store = open_store(log_location, clock=clock, daily_backup=False, busy_timeout_ms=50)
    yield store
    store.close()


@pytest.fixture
def sqlite_log(tmp_path: Path, clock):
    """Faults only a SQLite file can be put in (a page limit, another program's file lock)."""
    store = open_store(tmp_path / "log.sqlite3", clock=clock, daily_backup=False, busy_timeout_ms=50)
    yield store
    store.close()


def test_each_event_is_committed_when_record_returns(log, clock, reader) -> None:
    recorder = Recorder(log, clock)
    session = Session(clock, 30)
    recorder.attach(session)
    session.start()
    other = reader(log)
    for step in range(5):
        clock.advance(1)
        seq = recorder.record("stim.intensity", {"channel": 1, "mA": step})
        seen = other.execute("SELECT max(seq), count(*) FROM events").fetchone()
        assert seen == (seq, seq) == (step + 3, step + 3), "seq 1 is the row's facts, 2 the start"


def test_progress_is_committed_at_least_once_a_second(log, clock, reader) -> None:
    recorder = Recorder(log, clock)
    session = Session(clock, 30)
    recorder.attach(session)
    session.start()
    other = reader(log)
    written_at = []
    for _ in range(50):  # 10 s of 200 ms UI ticks
        clock.advance(0.2)
        session.tick()
        if recorder.progress():
            written_at.append(clock.now())
            stored = other.execute("SELECT treatment_seconds FROM session_progress").fetchone()[0]
            assert stored == pytest.approx(session.treatment_seconds)
    gaps = [b - a for a, b in itertools.pairwise(written_at)]
    assert len(written_at) >= 10 and max(gaps) <= 1.0 + 1e-9
    assert log.conn.execute("SELECT count(*) FROM events").fetchone()[0] == 2, "progress is not an event"


def test_nothing_is_written_until_the_start_and_earlier_events_come_first(log, clock) -> None:
    recorder = Recorder(log, clock)
    session = Session(clock, 30)
    recorder.attach(session)
    assert recorder.record("device.connected", {"port": "sim:"}) is None
    assert log.conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0
    clock.advance(4)
    session.start()
    events = log.session_events(recorder.session_id)
    assert [e["kind"] for e in events] == ["session.opened", "device.connected", "session.started"]
    assert events[1]["offset"] == -4.0


def test_session_started_unassigned_is_assigned_later(log, clock) -> None:
    patient = log.create_patient("P-0007", "Test Person", 1950)
    course = log.create_course(patient, "Diabetic neuropathy", 8, 2)
    recorder = Recorder(log, clock)
    session = Session(clock, 1)
    recorder.attach(session)
    session.start()
    assert log.newest_sessions(1)[0].patient_id is None
    wait(clock, session, 10, recorder)
    session.assign(patient)
    wait(clock, session, 60, recorder)
    session.end()
    summary = log.newest_sessions(1)[0]
    assert (summary.patient_code, summary.course_id, summary.number, summary.state) == (
        "P-0007", course, 1, "completed")
    assert "session.assigned" in [e["kind"] for e in log.session_events(summary.id)]


def test_disk_full_raises_an_alarm_keeps_events_in_order_and_writes_them_later(sqlite_log, clock) -> None:
    log = sqlite_log
    alarms: list[str] = []
    recovered: list[bool] = []
    recorder = Recorder(log, clock, on_alarm=alarms.append, on_recovered=lambda: recovered.append(True))
    session = Session(clock, 30)
    recorder.attach(session)
    session.start()
    pages = log.conn.execute("PRAGMA page_count").fetchone()[0]
    log.conn.execute(f"PRAGMA max_page_count = {pages}")  # the disk is now full
    big = "x" * 3000
    results = []
    for step in range(6):
        clock.advance(0.2)
        session.tick()
        results.append(recorder.record("stim.intensity", {"channel": 1, "mA": step, "note": big}))
        recorder.progress()
    assert results[-1] is None and recorder.pending >= 1
    assert len(alarms) == 1 and "disk is full" in alarms[0] and "timer goes on" in alarms[0]
    session.pause()  # the timer keeps working regardless
    clock.advance(3)
    session.resume()
    assert session.state is SessionState.RUNNING
    log.conn.execute("PRAGMA max_page_count = 1073741823")  # room again
    clock.advance(1.0)
    recorder.progress()
    assert recorder.pending == 0 and recovered == [True] and not recorder.failing
    kinds = [e["kind"] for e in log.session_events(recorder.session_id)]
    assert kinds[:2] == ["session.opened", "session.started"]
    assert kinds.count("stim.intensity") == 6
    assert kinds[-3:] == ["session.paused", "clock.gap", "session.resumed"]
    mas = [e["data"]["mA"] for e in log.session_events(recorder.session_id) if e["kind"] == "stim.intensity"]
    assert mas == list(range(6))
    assert verify_store(log).ok


def test_locked_database_is_retried_without_stopping_the_timer(sqlite_log, clock) -> None:
    log = sqlite_log
    alarms: list[str] = []
    recorder = Recorder(log, clock, on_alarm=alarms.append)
    session = Session(clock, 30)
    recorder.attach(session)
    session.start()
    other = sqlite3.connect(log.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    clock.advance(0.5)
    assert recorder.record("alarm.acknowledged", {"alarm": "intensity"}) is None
    assert alarms and "locked" in alarms[0]
    clock.advance(0.2)
    recorder.record("stim.intensity", {"channel": 2, "mA": 3.0})  # waits behind the first, no new attempt
    assert recorder.pending == 2
    other.execute("ROLLBACK")
    other.close()
    clock.advance(1.0)
    session.tick()
    recorder.progress()
    assert recorder.pending == 0
    assert [e["kind"] for e in log.session_events(recorder.session_id)] == [
        "session.opened", "session.started", "alarm.acknowledged", "stim.intensity"]


class FailingCommits:
    """Wraps a connection so that the next `failures` COMMITs fail as a dying disk would."""

    def __init__(self, conn: sqlite3.Connection, failures: int) -> None:
        self._conn = conn
        self.failures = failures

    def execute(self, sql: str, *args):
        if sql == "COMMIT" and self.failures:
            self.failures -= 1
            raise sqlite3.OperationalError("disk I/O error")
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self._conn, name)


def test_a_failed_commit_is_rolled_back_and_the_chain_stays_whole(log, clock) -> None:
    alarms: list[str] = []
    recorder = Recorder(log, clock, on_alarm=alarms.append)
    session = Session(clock, 1)
    recorder.attach(session)
    session.start()
    real = log.conn
    log.conn = FailingCommits(real, failures=3)
    for step in range(3):
        clock.advance(0.4)
        recorder.record("device.report", {"channel": 1, "measured_mA": step})
    assert alarms and "disk I/O error" in alarms[0]
    log.conn = real
    wait(clock, session, 61, recorder)
    session.end()
    assert recorder.pending == 0
    assert verify_store(log).ok
    assert log.get_session(recorder.session_id).summary.state == "completed"


def test_a_closed_database_never_raises_into_the_timer(log, clock) -> None:
    alarms: list[str] = []
    recorder = Recorder(log, clock, on_alarm=alarms.append)
    session = Session(clock, 1)
    recorder.attach(session)
    session.start()
    log.conn.close()
    clock.advance(1)
    session.tick()
    assert recorder.record("stim.intensity", {"mA": 1}) is None
    assert recorder.progress() is False
    session.end()
    assert session.state is SessionState.ENDED_EARLY and alarms


def test_one_recorder_follows_session_after_session(log, clock) -> None:
    patient = log.create_patient("P-0001")
    log.create_course(patient, "Neuropathy", 6, 1)
    recorder = Recorder(log, clock)
    ids = [run_session(log, clock, patient_id=patient, recorder=recorder)[0] for _ in range(3)]
    assert [log.get_session(i).summary.number for i in ids] == [1, 2, 3]
    assert verify_store(log).ok


OPERATIONS = st.lists(
    st.sampled_from(["tick", "record", "pause_resume", "extend", "disk_full", "disk_ok", "lock", "unlock"]),
    min_size=5,
    max_size=40,
)


@settings(max_examples=30, deadline=None)
@given(ops=OPERATIONS)
def test_whatever_fails_the_log_ends_up_exactly_as_it_happened(ops) -> None:
    clock = ManualClock()
    store = open_memory(clock=clock)
    recorder = Recorder(store, clock)
    session = Session(clock, 30)
    recorder.attach(session)
    session.start()
    issued: list[tuple[str, object]] = [("session.started", None)]
    session.subscribe(lambda e: issued.append((str(e.kind), None)))
    locked = False
    for n, op in enumerate(ops):
        clock.advance(0.3)
        session.tick()
        recorder.progress()
        if op == "record":
            recorder.record("stim.intensity", {"n": n, "pad": "x" * 2000})
            issued.append(("stim.intensity", n))
        elif op == "pause_resume" and session.state is SessionState.RUNNING:
            session.pause()
            clock.advance(1.0)
            session.resume()
        elif op == "extend" and session.state is SessionState.RUNNING:
            session.extend(5)
        elif op == "disk_full":
            pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
            store.conn.execute(f"PRAGMA max_page_count = {pages}")
        elif op == "disk_ok":
            store.conn.execute("PRAGMA max_page_count = 1073741823")
        elif op == "lock" and not locked:
            locked = True
            store.read_only = True  # the store refuses every write, as a locked file would
        elif op == "unlock":
            locked = False
            store.read_only = False
    session.end()
    store.conn.execute("PRAGMA max_page_count = 1073741823")
    store.read_only = False
    clock.advance(1.0)
    assert recorder.flush() and recorder.pending == 0
    written = [(e["kind"], e["data"].get("n")) for e in store.session_events(recorder.session_id)]
    assert written == [("session.opened", None), *issued]
    assert verify_store(store).ok
    assert store.get_session(recorder.session_id).summary.state == session.state.value
    store.close()


def test_choosing_a_patient_before_or_again_during_the_session_numbers_it_once(log, clock) -> None:
    alma = log.create_patient("P-0001")
    bern = log.create_patient("P-0002")
    log.create_course(alma, "Neuropathy", 8, 2)
    bern_course = log.create_course(bern, "Neuropathy", 8, 2)
    first, _, _ = run_session(log, clock, patient_id=alma)
    recorder = Recorder(log, clock)
    session = Session(clock, 1)
    recorder.attach(session)
    session.assign(alma)  # chosen before the start
    session.start()
    assert log.get_session(recorder.session_id).summary.number == 2
    session.assign(alma)  # chosen again: still session 2
    assert log.get_session(recorder.session_id).summary.number == 2
    session.assign(bern)  # the wrong patient was chosen: now Bernard's first
    summary = log.get_session(recorder.session_id).summary
    assert (summary.patient_code, summary.course_id, summary.number) == ("P-0002", bern_course, 1)
    kinds = [e["kind"] for e in log.session_events(recorder.session_id)]
    assert kinds[:3] == ["session.opened", "session.assigned", "session.started"]
    assert log.get_session(first).summary.number == 1
