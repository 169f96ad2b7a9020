"""The review list read while a session runs (at this workstation or another): its minutes are the treatment so
far, not 0 until it ends, on either engine."""

from __future__ import annotations

from storage_helpers import wait

from neurotimer.session.session import Session
from neurotimer.storage.recorder import Recorder
from neurotimer.storage.review_queries import ReviewFilter, fetch_rows


def _minutes_shown(store) -> dict[int, float]:
    return {r.id: r.treatment_seconds for r in fetch_rows(store.conn, ReviewFilter(), check_chains=False)}


def test_a_running_or_paused_session_lists_its_treatment_so_far(any_store, clock) -> None:
    recorder = Recorder(any_store, clock)
    session = Session(clock, 30)
    recorder.attach(session)
    session.start()
    wait(clock, session, 150, recorder)
    sid = recorder.session_id
    assert 140 <= _minutes_shown(any_store)[sid] <= 151, "running: 0 / 30 for as long as it ran"
    session.pause()
    wait(clock, session, 60, recorder)
    assert 140 <= _minutes_shown(any_store)[sid] <= 151, "paused: the pause is not treatment"
    session.resume()
    wait(clock, session, 30, recorder)
    session.end()
    recorder.flush()
    ended = _minutes_shown(any_store)[sid]
    assert ended == any_store.get_session(sid).summary.treatment_seconds and 170 <= ended <= 181
