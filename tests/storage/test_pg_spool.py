"""The network fails, the record doesn't, across a restart: events wait in the local spool file, the GUI thread
never waits long on a silent server, and the next start writes them gap-free and in order."""

from __future__ import annotations

import sqlite3
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
from blackhole import Blackhole
from storage_helpers import wait

from neurotimer.session.session import Session, SessionState
from neurotimer.storage.bounded import SERVER_CALL_BOUND_S
from neurotimer.storage.recorder import Recorder
from neurotimer.storage.recovery import recover_interrupted
from neurotimer.storage.spool import Spool, read_spool, replay_spool, spool_path
from neurotimer.storage.store import WriteFailed, open_store
from neurotimer.storage.verify import verify_store


def through(url: str, port: int) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{port}"))


def killed(store, recorder) -> None:
    """The app stops dead: its spool file closes with it; the server connections are simply dropped."""
    recorder._spool.close()
    if store.leases is not None:
        store.leases.stop()


def intensities(store, session_id: int) -> list[int]:
    return [e["data"]["n"] for e in store.session_events(session_id) if e["kind"] == "stim.intensity"]


def test_a_silent_server_never_holds_the_gui_thread_and_the_spool_outlives_the_app(pg_url, clock) -> None:
    relay = Blackhole(urlsplit(pg_url).port)
    try:
        store = open_store(through(pg_url, relay.port), clock=clock)
        store.bound_gui_calls(SERVER_CALL_BOUND_S)
        alarms: list[str] = []
        spool = Spool.beside(store)
        recorder = Recorder(store, clock, on_alarm=alarms.append, spool=spool)
        session = Session(clock, 30)
        recorder.attach(session)
        session.start()
        for n in range(3):
            clock.advance(0.2)
            assert recorder.record("stim.intensity", {"channel": 1, "n": n}) is not None
        session_id = recorder.session_id
        relay.silence()  # packets go nowhere; the kernel still acknowledges, so TCP alone would wait for ever
        blocked = []
        for n in range(3, 15):
            clock.advance(0.3)
            began = time.monotonic()
            recorder.record("stim.intensity", {"channel": 1, "n": n})
            session.tick()
            recorder.progress()
            blocked.append(time.monotonic() - began)
        session.pause()
        assert session.state is SessionState.PAUSED, "the timer goes on"
        # Bounded, not a speed target: without the bound the first write waited until the test gave up (40 s).
        assert max(blocked) < SERVER_CALL_BOUND_S + 1.5, blocked
        assert len(alarms) == 1 and "cannot be reached" in alarms[0] and "spool file" in alarms[0]
        assert recorder.waiting == recorder.spooled >= 13 and recorder.unsaved == 0
        killed(store, recorder)
    finally:
        relay.close()
    store.conn._pool.close(timeout=1)

    later = open_store(pg_url, clock=clock)
    replayed = replay_spool(later, spool.path)
    assert replayed.events == {session_id: len([r for r in read_spool(spool.path) if r["t"] == "event"]) or 13}
    assert [r.session_id for r in recover_interrupted(later)] == [session_id]
    events = later.session_events(session_id)
    assert intensities(later, session_id) == list(range(15))
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1)), "gap-free"
    assert [e["kind"] for e in events][-2:] == ["session.paused", "session.interrupted"]
    assert verify_store(later).ok
    later.close()


def test_any_write_on_the_gui_thread_to_a_silent_server_is_cut_off_with_a_clear_error(pg_url, clock) -> None:
    relay = Blackhole(urlsplit(pg_url).port)
    store = open_store(through(pg_url, relay.port), clock=clock)
    try:
        store.bound_gui_calls(SERVER_CALL_BOUND_S)
        store.create_patient("P-0001")  # the server answers: written
        relay.silence()
        began = time.monotonic()
        with pytest.raises((WriteFailed, sqlite3.OperationalError), match="cannot be reached"):
            store.create_patient("P-0002")  # from the patient dialog: its first read is cut off too
        assert time.monotonic() - began < SERVER_CALL_BOUND_S + 1.5
    finally:
        relay.close()
        if store.leases is not None:
            store.leases.stop()
        store.conn._pool.close(timeout=1)


def test_server_stopped_then_app_restarted_every_spooled_event_arrives_in_order(pg_server, pg_url, clock) -> None:
    if pg_server.cluster is None:
        pytest.skip("NEUROTIMER_TEST_PG names a server these tests cannot stop")
    store = open_store(pg_url, clock=clock)
    recorder = Recorder(store, clock, spool=Spool.beside(store))
    session = Session(clock, 30)
    recorder.attach(session)
    session.start()
    wait(clock, session, 3, recorder)
    session_id = recorder.session_id
    pg_server.cluster.stop("immediate")
    for n in range(20):
        clock.advance(0.3)
        session.tick()
        recorder.record("stim.intensity", {"channel": 1, "n": n})
        recorder.progress()
    session.pause()
    clock.advance(2)
    session.resume()
    assert recorder.waiting == recorder.spooled >= 22
    killed(store, recorder)  # the app is killed while the server is away
    store.close()
    pg_server.cluster.start()

    later = open_store(pg_url, clock=clock)
    replayed = replay_spool(later)
    assert not spool_path(later).exists() and replayed.events == {session_id: replayed.count}
    recover_interrupted(later)
    events = later.session_events(session_id)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1)), "gap-free"
    assert intensities(later, session_id) == list(range(20)), "in order"
    kinds = [e["kind"] for e in events]
    assert kinds[-1] == "session.interrupted" and kinds.index("session.paused") < kinds.index("session.resumed")
    assert verify_store(later).ok
    assert replay_spool(later).count == 0
    later.close()
