"""The clinic board's rows: every chair's session with its state and remaining time, on both engines, and
on a server where each one runs (workstation, chair, how long since its workstation spoke)."""

from __future__ import annotations

import time

from storage_helpers import run_session, wait

from neurotimer.session.session import Session
from neurotimer.storage.clinic import read_board
from neurotimer.storage.pg.open import open_pg_store
from neurotimer.storage.recorder import Recorder
from neurotimer.storage.recovery import recover_interrupted
from neurotimer.storage.store import open_store


def _by_id(store, clock, **kw):
    return {s.session_id: s for s in read_board(store, clock.wall(), **kw)}


def test_running_paused_overdue_and_ended_sessions_with_their_remaining_time(any_store, clock) -> None:
    pid = any_store.create_patient("CHR-001")
    ended, _, _ = run_session(any_store, clock, patient_id=pid, minutes=1)
    recorder = Recorder(any_store, clock)
    running = Session(clock, 20)
    recorder.attach(running, patient_id=pid)
    running.start()
    wait(clock, running, 60, recorder)
    board = _by_id(any_store, clock)
    assert board[ended].state == "ended" and board[ended].remaining_s is None
    row = board[recorder.session_id]
    assert row.state == "running" and row.patient_code == "CHR-001"
    assert abs(row.remaining_s - 19 * 60) < 2, "planned 20 min, one minute gone"
    running.pause()
    clock.advance(300)  # a pause does not use up the planned time
    row = _by_id(any_store, clock)[recorder.session_id]
    assert row.state == "paused" and abs(row.remaining_s - 19 * 60) < 2
    running.resume()
    running.extend(5)
    wait(clock, running, 60, recorder)
    assert abs(_by_id(any_store, clock)[recorder.session_id].remaining_s - 23 * 60) < 2, "the extension counts"
    clock.advance(24 * 60)  # nobody ticks: the board counts from the last progress the workstation wrote
    row = _by_id(any_store, clock)[recorder.session_id]
    assert row.state == "overdue" and row.remaining_s < 0


def test_a_closed_session_leaves_the_board_after_a_while(any_store, clock) -> None:
    sid, _, _ = run_session(any_store, clock, minutes=1)
    assert sid in _by_id(any_store, clock, recent_s=600)
    clock.advance(601)
    assert sid not in _by_id(any_store, clock, recent_s=600)


def test_an_interrupted_session_shows_as_interrupted(log_location, clock) -> None:
    first = open_store(log_location, clock=clock, daily_backup=False)
    sid, _, _ = run_session(first, clock, minutes=5, end=False)
    first.close()  # as a crash leaves it; on a server the next run of this workstation takes it over at once
    store = open_store(log_location, clock=clock, daily_backup=False)
    try:
        assert [r.session_id for r in recover_interrupted(store)] == [sid]
        assert _by_id(store, clock)[sid].state == "interrupted"
    finally:
        store.close()


def test_on_a_server_each_row_says_which_workstation_and_chair_and_how_fresh(pg_url, clock) -> None:
    room1 = open_pg_store(pg_url, clock=clock, lease_options={"workstation": "room1", "heartbeat_s": 0.1})
    room2 = open_pg_store(pg_url, clock=clock, lease_options={"workstation": "room2", "heartbeat_s": 3600})
    first = Recorder(room1, clock).lane("Chair 2")
    session = Session(clock, 30)
    first.attach(session)
    session.start()
    wait(clock, session, 1, first)
    other, _, _ = run_session(room2, clock, minutes=1, end=False)
    time.sleep(0.4)  # room1's heartbeat renews its lease; room2's never does
    board = {s.session_id: s for s in read_board(room2, clock.wall())}
    mine = board[first.session_id]
    assert (mine.workstation, mine.chair, mine.state) == ("room1", "Chair 2", "running")
    assert mine.lease_age_s < 0.35 and not mine.lease_expired
    assert board[other].workstation == "room2" and board[other].lease_age_s >= 0.3
    session.end()
    ended = {s.session_id: s for s in read_board(room2, clock.wall())}[first.session_id]
    assert (ended.workstation, ended.chair, ended.state) == ("room1", "Chair 2", "ended")
    assert ended.lease_age_s is None, "a closed session holds no lease"
    # The chair's next session takes its place on the board.
    second = Session(clock, 30)
    first.attach(second)
    second.start()
    wait(clock, second, 1, first)
    rows = [s for s in read_board(room2, clock.wall()) if s.workstation == "room1"]
    assert [(s.session_id, s.state) for s in rows] == [(first.session_id, "running")]
    room1.close()
    room2.close()


def test_a_session_whose_workstation_is_not_heard_from_keeps_its_last_known_time(pg_url, clock) -> None:
    # Room 1 died mid-session: its lease expires, and the board must not go on counting its time down as if
    # it were seen running; what is left is what room 1 last wrote.
    room1 = open_pg_store(pg_url, clock=clock, lease_options={"workstation": "room1", "lease_s": 0.3,
                                                               "heartbeat_s": 3600})
    room2 = open_pg_store(pg_url, clock=clock, lease_options={"workstation": "room2"})
    try:
        recorder = Recorder(room1, clock).lane("Chair 1")
        session = Session(clock, 20)
        recorder.attach(session)
        session.start()
        wait(clock, session, 60, recorder)
        deadline = time.monotonic() + 10
        while not (row := _by_id(room2, clock)[recorder.session_id]).lease_expired:
            assert time.monotonic() < deadline, "room 1's lease never expired"
            time.sleep(0.05)
        assert row.state == "running" and abs(row.remaining_s - 19 * 60) < 2
        clock.advance(5 * 60)  # nothing from room 1 meanwhile
        row = _by_id(room2, clock)[recorder.session_id]
        assert row.lease_expired and abs(row.remaining_s - 19 * 60) < 2, "not counted down after its last word"
    finally:
        room1.close()
        room2.close()
