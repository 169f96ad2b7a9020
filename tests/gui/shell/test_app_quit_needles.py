"""Quit counts the needles as End does, and a quit with needles not counted out is remembered."""

from __future__ import annotations

from neurotimer.session.session import SessionState


def test_quit_with_needles_in_asks_for_the_count_then_records_and_reminds_next_time(asking_app, clock) -> None:
    asked: list[str] = []
    answers = [False, True]
    app = asking_app(answers, asked)
    app.picker.load_selected_template()  # 32 needles in
    app.sessions.start()
    clock.advance(120)
    app.window.close()  # Ctrl+Q: the practitioner chooses to count the needles first
    assert app.window.isVisible() and app.sessions.session.state is SessionState.RUNNING
    assert asked[0].startswith("Quit with needles not counted out?") and "32 needles are still in" in asked[0]
    assert app.window.tabs.currentWidget().widget() is app.record_panel
    session_id = app.records.recorder.session_id
    app.window.close()  # and now quits anyway
    assert not answers and app.sessions.session.state is SessionState.ENDED_EARLY
    app.records.recorder.flush()
    kinds = [e["kind"] for e in app.store.session_events(session_id)]
    assert "session.quit_with_needles_in" in kinds
    assert kinds.index("session.quit_with_needles_in") < kinds.index("session.ended")
    app.shutdown()

    again = asking_app([], [])
    try:
        [alarm] = [a for a in again.window.alarms.active() if a.key == "forgotten-needles"]
        assert alarm.priority.name == "HIGH" and "32 needles are still in" in alarm.text
        assert "Needles may have been left in" in alarm.text
    finally:
        again.shutdown()
    third = asking_app([], [])
    try:
        assert not any(a.key == "forgotten-needles" for a in third.window.alarms.active())  # said once
    finally:
        third.shutdown()


def test_quit_with_every_needle_counted_out_asks_only_whether_to_quit(asking_app) -> None:
    asked: list[str] = []
    app = asking_app([True], asked)
    app.picker.load_selected_template()
    app.sessions.start()
    app.record_panel.needles_out.setValue(32)
    app.window.close()
    assert [a.split("\n")[0] for a in asked] == ["Quit neurotimer?"]
    app.shutdown()
