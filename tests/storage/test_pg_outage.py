"""The network fails, the record doesn't: the server stopped mid-session and started again loses nothing."""

from __future__ import annotations

import time

import pytest
from storage_helpers import wait

from neurotimer.cli import main as cli_main
from neurotimer.session.session import Session, SessionState
from neurotimer.storage.recorder import Recorder
from neurotimer.storage.store import open_store
from neurotimer.storage.verify import verify_store


def test_server_stopped_mid_session_every_event_arrives_in_order(pg_server, pg_url: str, clock, capsys) -> None:
    if pg_server.cluster is None:
        pytest.skip("NEUROTIMER_TEST_PG names a server these tests cannot stop")
    store = open_store(pg_url, clock=clock)
    alarms: list[str] = []
    back: list[bool] = []
    recorder = Recorder(store, clock, on_alarm=alarms.append, on_recovered=lambda: back.append(True))
    session = Session(clock, 30)
    recorder.attach(session)
    session.start()
    wait(clock, session, 5, recorder)
    pg_server.cluster.stop("immediate")
    for step in range(20):
        clock.advance(0.3)
        session.tick()
        assert recorder.record("stim.intensity", {"channel": 1, "mA": step}) is None
        recorder.progress()
    session.pause()
    clock.advance(2)
    session.resume()
    assert session.state is SessionState.RUNNING, "the timer never waits for the server"
    assert len(alarms) == 1 and "cannot be reached" in alarms[0] and "timer goes on" in alarms[0]
    assert recorder.pending >= 22 and not back
    pg_server.cluster.start()
    deadline = time.monotonic() + 60
    while recorder.pending and time.monotonic() < deadline:  # the pool reconnects in the background
        clock.advance(1.0)
        session.tick()
        recorder.progress()
        time.sleep(0.1)
    assert recorder.pending == 0 and back == [True]
    wait(clock, session, 3, recorder)
    session.end()
    events = store.session_events(recorder.session_id)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1)), "gap-free"
    assert [e["data"]["mA"] for e in events if e["kind"] == "stim.intensity"] == list(range(20)), "in order"
    assert [e["kind"] for e in events].count("session.paused") == 1
    assert verify_store(store).ok
    store.close()
    assert cli_main(["verify", "--db", pg_url]) == 0
    assert capsys.readouterr().out.startswith("OK: 1 sessions")
