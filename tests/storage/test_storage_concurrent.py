"""One log, many chairs: one writer, each chair's session in its own chain, every open session recovered."""

from __future__ import annotations

from pathlib import Path

import pytest
from storage_helpers import wait

from neurotimer.session.session import Session
from neurotimer.storage.recorder import Recorder
from neurotimer.storage.recovery import recover_interrupted
from neurotimer.storage.store import open_store
from neurotimer.storage.verify import verify_store


@pytest.fixture
def log(tmp_path: Path, clock):
    store = open_store(tmp_path / "log.sqlite3", clock=clock, daily_backup=False, busy_timeout_ms=50)
    yield store
    store.close()


def _tick_all(clock, sessions, lanes, seconds: float) -> None:
    for _ in range(round(seconds / 0.2)):
        clock.advance(0.2)
        for session, lane in zip(sessions, lanes, strict=True):
            session.tick()
            lane.progress()


def test_three_chairs_write_three_whole_sessions_through_one_writer(log, clock) -> None:
    recorder = Recorder(log, clock)
    lanes = [recorder.lane(f"Room {n}") for n in (1, 2, 3)]
    sessions = [Session(clock, 1) for _ in lanes]
    patients = [log.create_patient(f"P-000{n}", f"Person {n}", 1950 + n) for n in (1, 2, 3)]
    for lane, session, patient in zip(lanes, sessions, patients, strict=True):
        lane.attach(session, patient_id=patient)
    sessions[0].start()
    _tick_all(clock, sessions, lanes, 10)
    sessions[1].start()
    lanes[0].record("stim.intensity", {"channel": 1, "mA": 4.0})
    lanes[1].record("stim.intensity", {"channel": 2, "mA": 7.5})
    _tick_all(clock, sessions, lanes, 5)
    sessions[2].start()
    sessions[1].pause()
    _tick_all(clock, sessions, lanes, 20)
    sessions[1].resume()
    _tick_all(clock, sessions, lanes, 70)
    for session in sessions:
        session.end()
    ids = [lane.session_id for lane in lanes]
    assert len(set(ids)) == 3
    for session_id, patient, mA in zip(ids, ("P-0001", "P-0002", "P-0003"), (4.0, 7.5, None), strict=True):
        record = log.get_session(session_id)
        assert record.summary.patient_code == patient
        assert record.summary.state == "completed"
        kinds = [e["kind"] for e in log.session_events(session_id)]
        assert kinds[:2] == ["session.opened", "session.started"] and kinds[-1] == "session.ended"
        levels = [e["data"]["mA"] for e in log.session_events(session_id) if e["kind"] == "stim.intensity"]
        assert levels == ([mA] if mA is not None else [])
    assert "session.paused" in [e["kind"] for e in log.session_events(ids[1])]
    assert "session.paused" not in [e["kind"] for e in log.session_events(ids[0])]
    report = verify_store(log)
    assert report.ok and report.sessions == 3


def test_a_chair_not_started_yet_never_holds_back_another_chairs_events(log, clock) -> None:
    recorder = Recorder(log, clock)
    waiting, working = recorder.lane("Room 1"), recorder.lane("Room 2")
    early, running = Session(clock, 30), Session(clock, 30)
    waiting.attach(early)
    working.attach(running)
    assert waiting.record("device.connected", {"port": "sim:"}) is None  # kept until Room 1 starts
    running.start()
    clock.advance(1)
    seq = working.record("stim.intensity", {"channel": 1, "mA": 2.0})
    assert seq == 3 and working.last_seq == 3
    assert [e["kind"] for e in log.session_events(working.session_id)] == [
        "session.opened", "session.started", "stim.intensity"]
    assert recorder.pending == 1 and recorder.flush()
    clock.advance(3)
    early.start()
    assert [e["kind"] for e in log.session_events(waiting.session_id)] == [
        "session.opened", "device.connected", "session.started"]
    assert recorder.pending == 0


def test_a_full_disk_raises_one_alarm_and_every_chairs_events_are_written_later(log, clock) -> None:
    alarms: list[str] = []
    recorder = Recorder(log, clock, on_alarm=alarms.append)
    lanes = [recorder.lane("Room 1"), recorder.lane("Room 2")]
    sessions = [Session(clock, 30), Session(clock, 30)]
    for lane, session in zip(lanes, sessions, strict=True):
        lane.attach(session)
        session.start()
    pages = log.conn.execute("PRAGMA page_count").fetchone()[0]
    log.conn.execute(f"PRAGMA max_page_count = {pages}")
    for step in range(4):
        clock.advance(0.3)
        lanes[step % 2].record("stim.intensity", {"channel": 1, "mA": step, "note": "x" * 3000})
    assert len(alarms) == 1 and recorder.pending >= 1
    log.conn.execute("PRAGMA max_page_count = 1073741823")
    clock.advance(1.0)
    _tick_all(clock, sessions, lanes, 0.2)
    assert recorder.pending == 0 and not recorder.failing
    for n, lane in enumerate(lanes):
        levels = [e["data"]["mA"] for e in log.session_events(lane.session_id) if e["kind"] == "stim.intensity"]
        assert levels == [n, n + 2]
    assert verify_store(log).ok


def test_after_a_crash_every_open_chair_is_closed_as_interrupted(tmp_path: Path, clock) -> None:
    path = tmp_path / "log.sqlite3"
    store = open_store(path, clock=clock, daily_backup=False)
    recorder = Recorder(store, clock)
    lanes = [recorder.lane(f"Room {n}") for n in (1, 2, 3)]
    sessions = [Session(clock, 30) for _ in lanes]
    for lane, session in zip(lanes, sessions, strict=True):
        lane.attach(session)
        session.start()
        wait(clock, session, 2, lane)
    sessions[1].pause()
    _tick_all(clock, sessions, lanes, 3)
    sessions[2].end()  # one chair had finished before the crash
    ids = [lane.session_id for lane in lanes]
    store.close()  # the app dies here: nothing else is written

    again = open_store(path, clock=clock, daily_backup=False)
    recovered = recover_interrupted(again)
    assert sorted(r.session_id for r in recovered) == ids[:2]
    states = [again.get_session(i).summary.state for i in ids]
    assert states == ["interrupted", "interrupted", "ended_early"]
    assert verify_store(again).ok
    assert recover_interrupted(again) == []
    again.close()


def test_held_records_wait_in_order_and_are_written_when_the_block_ends(log, clock) -> None:
    recorder = Recorder(log, clock)
    lanes = [recorder.lane("Room 1"), recorder.lane("Room 2")]
    sessions = [Session(clock, 30), Session(clock, 30)]
    for lane, session in zip(lanes, sessions, strict=True):
        lane.attach(session)
        session.start()
    with recorder.held():
        assert lanes[1].record("stim.emergency_stop", {}) is None
        assert lanes[0].record("stim.emergency_stop", {}) is None
        assert recorder.pending == 2
        assert log.conn.execute("SELECT count(*) FROM events WHERE kind = 'stim.emergency_stop'").fetchone()[0] == 0
    assert recorder.pending == 0
    for lane in lanes:
        assert [e["kind"] for e in log.session_events(lane.session_id)][-1] == "stim.emergency_stop"
    assert verify_store(log).ok
