"""A workstation out of touch for longer than its lease comes back still recording a session another one has
closed as interrupted: the interrupted record ends where it was closed, and the rest is a new, linked session."""

from __future__ import annotations

import json
import time

import pytest
from storage_helpers import run_session, wait

from neurotimer.storage.continuation import CONTINUES
from neurotimer.storage.export import build_export
from neurotimer.storage.pg.leases import SessionTaken
from neurotimer.storage.pg.open import open_pg_store
from neurotimer.storage.recovery import recover_interrupted
from neurotimer.storage.verify import verify_store


def _station(url: str, name: str, clock, **lease):
    return open_pg_store(url, clock=clock, lease_options={"workstation": name, **lease})


def recovered_when_lease_runs_out(store, timeout: float = 15.0) -> list[int]:
    """Polls the start-up recovery until the other workstation's lease has run out (server time) and it closes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [r.session_id for r in recover_interrupted(store)]
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("the lease never ran out")


def kinds(store, session_id: int) -> list[str]:
    return [e["kind"] for e in store.session_events(session_id)]


def intensities(store, session_id: int) -> list[int]:
    return [e["data"]["n"] for e in store.session_events(session_id) if e["kind"] == "stim.intensity"]


def test_a_workstation_back_after_its_session_was_recovered_goes_on_in_a_linked_new_session(pg_url, clock) -> None:
    room1 = _station(pg_url, "room1", clock, lease_s=0.3, heartbeat_s=3600)  # its heartbeat has stopped
    told = []
    sid, session, recorder = run_session(room1, clock, end=False)
    recorder.on_continued = told.append
    room2 = _station(pg_url, "room2", clock)
    assert recovered_when_lease_runs_out(room2) == [sid]
    assert kinds(room2, sid)[-1] == "session.interrupted"
    before = len(kinds(room2, sid))

    # room1 is back: the session goes on at its chair and every live event reaches the log, none into `sid`.
    clock.advance(0.2)
    assert recorder.record("stim.intensity", {"channel": 1, "mA": 2.5}) is not None
    new = recorder.session_id
    assert new is not None and new != sid
    wait(clock, session, 3, recorder)
    session.pause()
    session.resume()
    wait(clock, session, 60, recorder)
    session.end()
    assert recorder.flush() and recorder.pending == 0 and not recorder.failing

    assert len(kinds(room2, sid)) == before and kinds(room2, sid).count("session.interrupted") == 1
    assert room2.get_session(sid).summary.state == "interrupted"
    continued = kinds(room2, new)
    assert continued[:3] == ["session.opened", CONTINUES, "stim.intensity"]
    assert continued[-1] == "session.ended" and "session.paused" in continued
    link = room2.session_events(new)[1]["data"]
    assert link["session_id"] == sid and link["closed_by"] == "room2"
    summary = room2.get_session(new).summary
    assert summary.state in ("completed", "ended_early") and summary.treatment_seconds > 60
    assert room2.get_session(new).details["needle_type"] == "0.25 x 40 mm", "the new row has the session's facts"

    assert len(told) == 1, "the practitioner is told once"
    assert (told[0].session_id, told[0].new_id, told[0].closed_by) == (sid, new, "room2")
    assert told[0].message().startswith(f"Recording goes on as new session #{new}: workstation room2 closed "
                                        f"session #{sid} as interrupted while this workstation was out of touch")

    room3 = _station(pg_url, "desk", clock)
    assert recover_interrupted(room3) == [], "exactly once: nothing left to recover"
    assert verify_store(room3).ok
    docs = {d["id"]: d for d in json.loads(json.dumps(build_export(room3)))["sessions"]}
    assert docs[sid]["state"] == "interrupted" and docs[sid]["events"][-1]["data"]["recovered_by"] == "room2"
    assert docs[new]["events"][1] == {**docs[new]["events"][1], "kind": CONTINUES,
                                      "data": {"session_id": sid, "closed_by": "room2", "reason": link["reason"]}}
    for store in (room1, room2, room3):
        store.close()


def test_only_live_events_are_refused_notes_on_a_closed_session_are_not(pg_url, clock) -> None:
    room1 = _station(pg_url, "room1", clock, lease_s=0.3, heartbeat_s=3600)
    sid, session, recorder = run_session(room1, clock, end=False)
    room2 = _station(pg_url, "room2", clock)
    recovered_when_lease_runs_out(room2)
    room2.add_note(sid, "patient left early; called later")  # the front desk corrects a closed record
    room1.add_note(sid, "checked the leads")  # and so may the workstation that recorded it
    room1.amend_session(sid, "notes", "slept", "Dr Example", "forgot to note")
    assert [n[2] for n in room2.session_notes(sid)] == ["patient left early; called later", "checked the leads"]
    # The session goes on at room1, as a new one: a note to it from another workstation is refused.
    wait(clock, session, 1, recorder)
    new = recorder.session_id
    assert new != sid
    with pytest.raises(SessionTaken, match="room1"):
        room2.add_note(new, "from the front desk")
    assert verify_store(room2).ok
    for store in (room1, room2):
        store.close()


def test_the_workstation_still_holding_its_session_writes_on_into_it(pg_url, clock) -> None:
    """A lease that ran out but that nobody claimed is still this workstation's: no new session is made."""
    room1 = _station(pg_url, "room1", clock, lease_s=0.3, heartbeat_s=3600)
    sid, session, recorder = run_session(room1, clock, end=False)
    deadline = time.monotonic() + 15
    while room1.recorded_on(sid) is not None and time.monotonic() < deadline:  # the lease runs out
        time.sleep(0.05)
    assert room1.recorded_on(sid) is None
    session.end()
    assert recorder.flush() and recorder.session_id == sid and kinds(room1, sid)[-1] == "session.ended"
    recorder.record("alarm.acknowledged", {"key": "x"})  # after its own end, still into its own session
    assert recorder.session_id == sid and kinds(room1, sid)[-1] == "alarm.acknowledged"
    room1.close()



def test_cut_off_from_the_server_its_spooled_events_go_into_the_new_session_once_back(pg_url, clock) -> None:
    """The network between room1 and the server fails (its events wait in its spool file) for longer than the
    lease; room2 closes the session; the network comes back: every spooled event goes into the new session."""
    from urllib.parse import urlsplit, urlunsplit

    from blackhole import Blackhole

    from neurotimer.session.session import Session
    from neurotimer.storage.bounded import SERVER_CALL_BOUND_S
    from neurotimer.storage.recorder import Recorder
    from neurotimer.storage.spool import Spool, read_spool

    relay = Blackhole(urlsplit(pg_url).port)
    parts = urlsplit(pg_url)
    through = urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{relay.port}"))
    try:
        room1 = _station(through, "room1", clock, lease_s=0.5, heartbeat_s=0.1)
        room1.bound_gui_calls(SERVER_CALL_BOUND_S)
        told, alarms = [], []
        recorder = Recorder(room1, clock, on_continued=told.append, on_alarm=alarms.append,
                            spool=Spool.beside(room1))
        session = Session(clock, 30)
        recorder.attach(session)
        session.start()
        for n in range(3):
            clock.advance(0.2)
            assert recorder.record("stim.intensity", {"channel": 1, "n": n}) is not None
        sid = recorder.session_id
        relay.silence()
        for n in range(3, 8):
            clock.advance(0.3)
            recorder.record("stim.intensity", {"channel": 1, "n": n})
        assert recorder.spooled == recorder.waiting >= 5 and len(alarms) == 1
        room2 = _station(pg_url, "room2", clock)
        assert recovered_when_lease_runs_out(room2) == [sid]
        relay.speak()
        deadline = time.monotonic() + 60
        while recorder.failing and time.monotonic() < deadline:  # the recorder retries about once a second
            clock.advance(1.0)
            recorder.flush()
        assert not recorder.failing and recorder.waiting == 0
        for n in range(8, 10):
            clock.advance(0.2)
            recorder.record("stim.intensity", {"channel": 1, "n": n})
        session.end()
        assert recorder.flush()
        new = recorder.session_id
        assert [(m.session_id, m.new_id, m.closed_by) for m in told] == [(sid, new, "room2")]
        assert intensities(room2, sid) == [0, 1, 2] and kinds(room2, sid)[-1] == "session.interrupted"
        assert intensities(room2, new) == list(range(3, 10)), "every spooled event, once, in order"
        assert kinds(room2, new)[1] == CONTINUES and kinds(room2, new)[-1] == "session.ended"
        assert read_spool(recorder.spool_path) == [], "all in the log: the spool file is emptied"
        assert verify_store(room2).ok
        recorder.close()
        room2.close()
    finally:
        relay.close()
    room1.leases.stop()
    room1.conn._pool.close(timeout=1)
