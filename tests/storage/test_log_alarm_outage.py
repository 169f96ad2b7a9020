"""A log that cannot be written for a while raises its alarm once, says truly what waits, and clears once."""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

import pytest
from storage_helpers import wait

from neurotimer.session.session import Session
from neurotimer.storage.recorder import Recorder
from neurotimer.storage.store import Store, open_store
from neurotimer.storage.verify import verify_store


class AlarmWatch:
    """What the practitioner sees of the log-write alarm: raised, restated, cleared, in order."""

    def __init__(self, store: Store, clock) -> None:
        self.raised: list[str] = []
        self.cleared = 0
        self.shown: str | None = None
        self.recorder = Recorder(store, clock, on_alarm=self._raise, on_count=self._restate,
                                 on_recovered=self._clear)

    def _raise(self, text: str) -> None:
        self.raised.append(text)
        self.shown = text

    def _restate(self, text: str) -> None:
        self.shown = text

    def _clear(self) -> None:
        self.cleared += 1
        self.shown = None

    def check_true(self) -> None:
        """The alarm is up and its words match what truly waits."""
        assert self.shown is not None, "the log cannot be written: the alarm stays up"
        count = re.search(r"(\d+) event\(s\) wait", self.shown)
        if count is None:
            assert self.recorder.waiting == 0
            assert "treatment time so far" in self.shown and "not saved yet" in self.shown, self.shown
        else:
            assert int(count.group(1)) == self.recorder.waiting > 0, self.shown


def tick(clock, chairs, seconds: float, every: float = 0.2, each_second=None) -> None:
    """The window's tick for every chair (a progress call each), `each_second(step)` once a second."""
    steps = round(seconds / every)
    for step in range(steps):
        clock.advance(every)
        for session, lane in chairs:
            session.tick()
            lane.progress()
        if each_second is not None and step % round(1 / every) == 0:
            each_second(step // round(1 / every))


def test_server_away_with_a_planned_chair_one_alarm_true_count_one_clear(pg_server, pg_url: str, clock) -> None:
    if pg_server.cluster is None:
        pytest.skip("NEUROTIMER_TEST_PG names a server these tests cannot stop")
    store = open_store(pg_url, clock=clock)
    watch = AlarmWatch(store, clock)
    room1, room2 = watch.recorder.lane("Room 1"), watch.recorder.lane("Room 2")
    s1, s2 = Session(clock, 30), Session(clock, 30)
    room1.attach(s1)
    room2.attach(s2)  # Room 2 is only planned: its device reports wait for its start
    s1.start()
    wait(clock, s1, 3, watch.recorder)
    readings: list[int] = []

    def room2_reports(second: int) -> None:
        readings.append(1500 + len(readings))
        room2.record("stim.reading", {"channel": 1, "ohm": readings[-1]})

    pg_server.cluster.stop("immediate")
    try:
        # Only Room 1's treatment time cannot be written: the alarm says so in words, not "0 event(s) wait".
        for _ in range(5):
            tick(clock, [(s1, room1)], 1.0, each_second=room2_reports)
            watch.check_true()
        assert "treatment time so far of Room 1 is not saved yet" in watch.shown
        # Room 1's events now wait too: the count follows them.
        for mA in range(15):
            room1.record("stim.intensity", {"channel": 1, "mA": mA})
            tick(clock, [(s1, room1)], 1.0, each_second=room2_reports)
            watch.check_true()
        assert "15 event(s) wait" in watch.shown
        assert len(watch.raised) == 1 and watch.cleared == 0, "raised once, kept up for the whole outage"
    finally:
        pg_server.cluster.start()
    deadline = time.monotonic() + 60
    while watch.shown is not None and time.monotonic() < deadline:  # the pool reconnects in the background
        tick(clock, [(s1, room1)], 1.0)
        time.sleep(0.1)
    assert watch.recorder.waiting == 0 and len(watch.raised) == 1 and watch.cleared == 1
    s2.start()
    tick(clock, [(s1, room1), (s2, room2)], 3.0)
    s1.end()
    s2.end()
    assert len(watch.raised) == 1 and watch.cleared == 1 and watch.recorder.pending == 0
    events1 = store.session_events(room1.session_id)
    assert [e["seq"] for e in events1] == list(range(1, len(events1) + 1)), "gap-free"
    assert [e["data"]["mA"] for e in events1 if e["kind"] == "stim.intensity"] == list(range(15))
    events2 = store.session_events(room2.session_id)
    assert [e["data"]["ohm"] for e in events2 if e["kind"] == "stim.reading"] == readings, "in order"
    assert verify_store(store).ok
    store.close()


def test_server_away_with_one_chair_the_treatment_time_keeps_the_alarm_up(pg_server, pg_url: str, clock) -> None:
    if pg_server.cluster is None:
        pytest.skip("NEUROTIMER_TEST_PG names a server these tests cannot stop")
    store = open_store(pg_url, clock=clock)
    watch = AlarmWatch(store, clock)
    session = Session(clock, 30)
    watch.recorder.attach(session)
    session.start()
    wait(clock, session, 3, watch.recorder)
    pg_server.cluster.stop("immediate")
    try:
        for _ in range(8):
            tick(clock, [(session, watch.recorder)], 1.0)
            watch.check_true()
        assert "The timer goes on; the treatment time so far is not saved yet" in watch.shown
        watch.recorder.record("stim.intensity", {"channel": 1, "mA": 2.0})
        watch.check_true()
        assert "1 event(s) wait" in watch.shown and "and the treatment time so far" in watch.shown
        assert len(watch.raised) == 1 and watch.cleared == 0
    finally:
        pg_server.cluster.start()
    deadline = time.monotonic() + 60
    while watch.shown is not None and time.monotonic() < deadline:
        tick(clock, [(session, watch.recorder)], 1.0)
        time.sleep(0.1)
    assert len(watch.raised) == 1 and watch.cleared == 1 and watch.recorder.pending == 0
    session.end()
    assert verify_store(store).ok
    store.close()


def test_sqlite_locked_with_a_planned_chair_one_alarm_true_count_one_clear(tmp_path: Path, clock) -> None:
    store = open_store(tmp_path / "log.sqlite3", clock=clock, daily_backup=False, busy_timeout_ms=50)
    watch = AlarmWatch(store, clock)
    room1, room2 = watch.recorder.lane("Room 1"), watch.recorder.lane("Room 2")
    s1, s2 = Session(clock, 30), Session(clock, 30)
    room1.attach(s1)
    room2.attach(s2)
    s1.start()
    wait(clock, s1, 3, watch.recorder)
    other = sqlite3.connect(store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        for second in range(10):
            tick(clock, [(s1, room1)], 1.0)
            room2.record("stim.reading", {"channel": 1, "ohm": 1500 + second})
            watch.check_true()
        assert "locked" in watch.shown and "treatment time so far of Room 1 is not saved yet" in watch.shown
        room1.record("stim.intensity", {"channel": 1, "mA": 1.0})
        tick(clock, [(s1, room1)], 1.0)
        watch.check_true()
        assert len(watch.raised) == 1 and watch.cleared == 0
    finally:
        other.execute("ROLLBACK")
        other.close()
    tick(clock, [(s1, room1)], 1.0)
    assert watch.shown is None and len(watch.raised) == 1 and watch.cleared == 1
    s1.end()
    kinds = [e["kind"] for e in store.session_events(room1.session_id)]
    assert kinds.count("stim.intensity") == 1 and kinds[-1] == "session.ended"
    assert verify_store(store).ok
    store.close()
