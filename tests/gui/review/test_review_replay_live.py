"""A session replayed while it runs (here or at another workstation): the heading says the treatment so far,
not "0 of 30 min" until it ends."""

from __future__ import annotations

from neurotimer.gui.review.replay_text import heading
from neurotimer.session.session import Session
from neurotimer.storage.recorder import Recorder
from neurotimer.storage.replay import session_replay
from neurotimer.storage.store import open_store


def _run(clock, session, recorder, seconds: int) -> None:
    for _ in range(seconds * 5):
        clock.advance(0.2)
        session.tick()
        recorder.progress()


def test_the_heading_of_a_running_or_paused_session_counts_its_treatment_so_far(tmp_path, clock) -> None:
    store = open_store(tmp_path / "log.sqlite3", clock=clock, daily_backup=False)
    recorder = Recorder(store, clock)
    session = Session(clock, 30)
    recorder.attach(session)
    session.start()
    _run(clock, session, recorder, 150)
    sid = recorder.session_id
    assert "running · 2 of 30 min" in heading(session_replay(store, sid), None)
    session.pause()
    _run(clock, session, recorder, 120)
    assert "paused · 2 of 30 min" in heading(session_replay(store, sid), None)
    session.resume()
    _run(clock, session, recorder, 90)
    session.end()
    recorder.flush()
    assert "of 30 min" in heading(session_replay(store, sid), None)
    assert " 4 of 30 min" in heading(session_replay(store, sid), None)
    store.close()
