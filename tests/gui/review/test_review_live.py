"""The review window over a server log follows what other workstations write: a session started elsewhere
appears, and changes as it runs and ends, without reopening and without losing the practitioner's place."""

from __future__ import annotations

from datetime import UTC, datetime

from review_helpers import wait_loaded
from test_review_pg import server_demo  # noqa: F401 (the fixture: the demo log copied to the server)

from neurotimer.session.clock import ManualClock
from neurotimer.session.session import Session
from neurotimer.storage.pg.open import open_pg_store
from neurotimer.storage.recorder import Recorder


def test_a_session_written_on_another_workstation_appears_and_ends_live(qtbot, server_demo, catalogue_source):  # noqa: F811
    from neurotimer.gui.review.launch import build_review_window
    from neurotimer.storage.review_open import open_for_review

    store, message = open_for_review(server_demo)
    assert store is not None, message
    window = build_review_window(store, catalogue_source)
    qtbot.addWidget(window)
    window._live.setInterval(100)
    window.show()
    wait_loaded(qtbot, window)
    assert window._live.isActive()
    window.table.selectRow(2)
    chosen = window.current_row().id

    clock = ManualClock(wall_start=datetime(2026, 12, 1, 9, 0, tzinfo=UTC))  # after every demo session
    room2 = open_pg_store(server_demo, clock=clock, lease_options={"workstation": "room2"})
    recorder = Recorder(room2, clock)
    session = Session(clock, 20)
    recorder.attach(session)
    session.start()
    try:
        qtbot.waitUntil(lambda: window.model.row_at(0).id == recorder.session_id, timeout=10_000)
        assert window.model.row_at(0).state == "running"
        assert window.count.text() == "81 sessions in the log"
        assert window.current_row().id == chosen, "the session being read stays chosen"
        clock.advance(60)
        session.end()
        qtbot.waitUntil(lambda: window.model.row_at(0).state == "ended_early", timeout=10_000)
        assert window.current_row().id == chosen
    finally:
        room2.close()
        window.close()


def test_a_file_log_is_not_polled(qtbot, review_demo, catalogue_source) -> None:
    from neurotimer.gui.review.launch import build_review_window
    from neurotimer.storage.review_open import open_for_review

    store, _ = open_for_review(review_demo)
    window = build_review_window(store, catalogue_source)
    qtbot.addWidget(window)
    wait_loaded(qtbot, window)
    assert not window._live.isActive(), "this app is a file log's one writer and refreshes the list itself"
    window.close()
