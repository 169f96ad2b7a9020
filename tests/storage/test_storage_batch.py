"""An emergency stop's records, every chair's, go into the log in one commit, in order, chained as one by one."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from neurotimer.session.clock import ManualClock
from neurotimer.session.session import Session
from neurotimer.storage.recorder import Recorder
from neurotimer.storage.recorder_batch import BATCH_LIMIT_S
from neurotimer.storage.recovery import recover_interrupted
from neurotimer.storage.spool import Spool, read_spool, replay_spool
from neurotimer.storage.store import open_store
from neurotimer.storage.verify import verify_store

CHAIRS = 8


class Commits:
    """Wraps a store's connection: counts its commits; while `failing`, a commit fails as on a full disk."""

    def __init__(self, conn) -> None:
        self._conn = conn
        self.count = 0
        self.failing = False

    def execute(self, sql: str, *args):
        if sql == "COMMIT":
            if self.failing:
                raise sqlite3.OperationalError("database or disk is full")
            self.count += 1
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self._conn, name)


def eight_chairs(store, clock, **kwargs) -> tuple[Recorder, list, list[Session]]:
    recorder = Recorder(store, clock, **kwargs)
    lanes = [recorder.lane(f"Room {n}") for n in range(1, CHAIRS + 1)]
    sessions = [Session(clock, 30) for _ in lanes]
    for lane, session in zip(lanes, sessions, strict=True):
        lane.attach(session)
        session.start()
        lane.record("stim.output_on", {"channel": 1})
    clock.advance(5)
    return recorder, lanes, sessions


def escape(clock: ManualClock, lanes, upto: int = 88) -> list[tuple[int, str, int]]:
    """What an Escape with 8 chairs brings to record, in the order it comes (the first `upto` of it): each chair's
    stop, then each device's command, four statuses, four outputs off and its confirmation. Returns (chair,
    kind, channel) in order."""
    order: list[tuple[int, str, int]] = []

    def record(chair: int, kind: str, n: int = 0) -> None:
        if len(order) == upto:
            return
        clock.advance(0.001)
        lanes[chair].record(kind, {"channel": n} if n else {})
        order.append((chair, kind, n))

    for chair in range(CHAIRS):
        record(chair, "stim.emergency_stop")
    for chair in (3, 0, 7, 1, 5, 2, 6, 4):  # the devices answer in their own order
        record(chair, "stim.command")
        for channel in range(1, 5):
            record(chair, "stim.status", channel)
        for channel in range(1, 5):
            record(chair, "stim.output_off", channel)
        record(chair, "stim.emergency_stop_confirmed")
    return order


def logged_since(store, lanes, n0: int) -> list[tuple[int, str, int]]:
    chair_of = {lane.session_id: i for i, lane in enumerate(lanes)}
    rows = store.conn.execute("SELECT session_id, kind, payload FROM events WHERE n > ? ORDER BY n", (n0,)).fetchall()
    return [(chair_of[sid], kind, json.loads(payload).get("channel", 0)) for sid, kind, payload in rows]


def head_n(store) -> int:
    return store.conn.execute("SELECT coalesce(max(n), 0) FROM events").fetchone()[0]


def test_an_escape_with_eight_chairs_is_written_in_one_commit_in_order_and_verifies(any_store, clock) -> None:
    recorder, lanes, _sessions = eight_chairs(any_store, clock)
    n0 = head_n(any_store)
    commits = any_store.conn = Commits(any_store.conn)
    with recorder.batch():
        order = escape(clock, lanes)
        assert commits.count == 0 and recorder.pending == len(order) == 88, "nothing written one at a time"
    assert commits.count == 1 and recorder.pending == 0
    any_store.conn = commits._conn
    assert logged_since(any_store, lanes, n0) == order, "the whole log in the order the records came"
    for lane in lanes:
        events = any_store.session_events(lane.session_id)
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
        assert lane.last_seq == len(events)
    assert verify_store(any_store).ok
    lanes[0].record("stim.output_on", {"channel": 2})  # after the batch, one at a time again
    assert recorder.pending == 0


def test_a_batch_chains_exactly_as_one_commit_each(tmp_path: Path) -> None:
    hashes = []
    for name, batched in (("one-by-one", False), ("batched", True)):
        clock = ManualClock()
        store = open_store(tmp_path / f"{name}.sqlite3", clock=clock, daily_backup=False, anchor_at_open=False)
        recorder, lanes, _sessions = eight_chairs(store, clock)
        batch = recorder.batch() if batched else None
        escape(clock, lanes)
        if batch is not None:
            batch.end()
        hashes.append(store.conn.execute("SELECT n, session_id, seq, kind, hash FROM events ORDER BY n").fetchall())
        assert verify_store(store).ok
        store.close()
    assert hashes[0] == hashes[1], "the same events, places in both chains and hashes as written one at a time"


def test_a_session_ending_right_after_escape_and_a_quit_lose_nothing(any_store, clock) -> None:
    recorder, lanes, sessions = eight_chairs(any_store, clock)
    n0 = head_n(any_store)
    batch = recorder.batch()
    order = escape(clock, lanes, upto=30)  # the devices have not all answered yet
    clock.advance(0.05)
    sessions[2].end()
    assert recorder.pending == 0, "a session's end writes what the batch held, with it, at once"
    logged = logged_since(any_store, lanes, n0)
    assert logged[:len(order)] == order and logged[-1] == (2, "session.ended", 0)
    assert any_store.get_session(lanes[2].session_id).summary.state != "running"
    lanes[5].record("stim.output_off", {"channel": 3})
    assert recorder.pending == 1, "the batch goes on holding the others"
    assert recorder.flush() and recorder.pending == 0, "the quit's flush writes it before the log closes"
    recorder.close()
    batch.end()  # the stop's owner ends it after the quit: nothing happens
    assert logged_since(any_store, lanes, n0)[-1] == (5, "stim.output_off", 3)
    assert verify_store(any_store).ok


def test_a_batch_nobody_ends_holds_nothing_back_for_long(any_store, clock) -> None:
    recorder, lanes, _sessions = eight_chairs(any_store, clock)
    recorder.batch()  # its owner is gone
    lanes[0].record("stim.emergency_stop", {})
    assert recorder.pending == 1
    clock.advance(BATCH_LIMIT_S + 0.1)
    lanes[1].record("stim.emergency_stop", {})
    assert recorder.pending == 0
    assert [e["kind"] for e in any_store.session_events(lanes[0].session_id)][-1] == "stim.emergency_stop"


def test_a_failing_commit_spools_the_whole_batch_in_order_and_it_is_written_once(log_location, clock, tmp_path) -> None:
    alarms: list[str] = []
    spool = Spool(tmp_path / "log.spool")
    store = open_store(log_location, clock=clock, daily_backup=False)
    recorder, lanes, _sessions = eight_chairs(store, clock, on_alarm=alarms.append, spool=spool)
    n0 = head_n(store)
    commits = store.conn = Commits(store.conn)
    commits.failing = True
    with recorder.batch():
        order = escape(clock, lanes)
    assert alarms and "disk is full" in alarms[0]
    assert head_n(store) == n0, "the batch was rolled back as a whole"
    assert recorder.pending == recorder.spooled == 88 and recorder.unsaved == 0
    spooled = [r for r in read_spool(spool.path) if r["t"] == "event"]
    keys = {lane._current.key: i for i, lane in enumerate(lanes)}
    assert [(keys[r["sk"]], r["kind"], r["payload"].get("channel", 0)) for r in spooled] == order
    # The app is killed now; the next start writes the spool into the log, every event once and in order.
    spool.close(remove_if_empty=False)
    if getattr(store, "leases", None) is not None:
        store.leases.stop()
    store.conn = commits._conn
    store.close()
    later = open_store(log_location, clock=clock, daily_backup=False)
    replayed = replay_spool(later, spool.path)
    assert replayed.count == 88 and replayed.skipped == 0 and not replayed.created
    assert logged_since(later, lanes, n0) == order
    assert len(recover_interrupted(later)) == CHAIRS
    assert verify_store(later).ok
    later.close()


def test_a_failing_batch_is_written_when_the_log_is_back(any_store, clock, tmp_path) -> None:
    recovered: list[bool] = []
    recorder, lanes, _sessions = eight_chairs(any_store, clock, spool=Spool(tmp_path / "log.spool"),
                                              on_recovered=lambda: recovered.append(True))
    n0 = head_n(any_store)
    commits = any_store.conn = Commits(any_store.conn)
    commits.failing = True
    with recorder.batch():
        order = escape(clock, lanes)
    commits.failing = False
    clock.advance(1.0)
    lanes[0].progress()
    assert recorder.pending == 0 and recovered == [True]
    assert read_spool(tmp_path / "log.spool") == []
    any_store.conn = commits._conn
    assert logged_since(any_store, lanes, n0) == order
    assert verify_store(any_store).ok


@pytest.mark.parametrize("ended_by", ["end", "exit"])
def test_a_batch_ended_twice_or_left_by_with_writes_once(any_store, clock, ended_by) -> None:
    recorder, lanes, _sessions = eight_chairs(any_store, clock)
    commits = any_store.conn = Commits(any_store.conn)
    batch = recorder.batch()
    lanes[0].record("stim.emergency_stop", {})
    lanes[1].record("stim.emergency_stop", {})
    if ended_by == "end":
        assert batch.end() and batch.end()
    else:
        with batch:
            pass
        batch.end()
    assert commits.count == 1 and recorder.pending == 0
    any_store.conn = commits._conn


def test_a_batch_whose_sessions_were_closed_elsewhere_goes_on_in_new_sessions_losing_nothing(pg_url, clock) -> None:
    import psycopg

    from neurotimer.storage.pg.open import open_pg_store

    room1 = open_pg_store(pg_url, clock=clock, lease_options={"workstation": "room1", "heartbeat_s": 3600})
    room2 = open_pg_store(pg_url, clock=clock, lease_options={"workstation": "room2"})
    recorder, lanes, _sessions = eight_chairs(room1, clock)
    moved: list = []
    recorder.on_continued = moved.append
    old = [lane.session_id for lane in lanes]
    with psycopg.connect(pg_url, autocommit=True) as admin:  # room1 out of touch for longer than its leases
        admin.execute("UPDATE session_leases SET expires_at = now() - interval '1 second'")
    assert sorted(r.session_id for r in recover_interrupted(room2)) == old, "room2 closed them all"
    with recorder.batch():
        order = escape(clock, lanes)
    assert recorder.pending == 0 and sorted(m.session_id for m in moved) == old
    for chair, (lane, was) in enumerate(zip(lanes, old, strict=True)):
        assert room1.session_events(was)[-1]["kind"] == "session.interrupted", "nothing written after its end"
        events = room1.session_events(lane.session_id)
        assert lane.session_id != was and events[1]["kind"] == "session.continues"
        assert [e["kind"] for e in events if e["kind"].startswith("stim.")] == [k for c, k, _n in order if c == chair]
    assert verify_store(room1).ok
    room2.close()
    room1.close()
