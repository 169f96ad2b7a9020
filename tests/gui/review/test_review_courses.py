"""Courses, notes and amendments from the review window: who, when and why kept; the original stays visible."""

from __future__ import annotations

import datetime as dt

import pytest
from review_helpers import wait_loaded

from neurotimer.session.clock import ManualClock
from neurotimer.session.session import Session
from neurotimer.storage.db import StoreError
from neurotimer.storage.people import FOLLOWED_SYMPTOMS
from neurotimer.storage.recorder import Recorder
from neurotimer.storage.review_queries import ReviewFilter, count_sessions
from neurotimer.storage.verify import verify_store


def select_first(qtbot, window, **typed):
    for name, value in typed.items():
        getattr(window.filters, name).setText(value)
    window.filters.apply()
    wait_loaded(qtbot, window)
    window.table.selectRow(0)
    return window.current_row()


def run_session(store, patient_id: int) -> int:
    clock = ManualClock(wall_start=dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
    store.clock = clock
    session = Session(clock, 30)
    recorder = Recorder(store, clock)
    recorder.attach(session, patient_id=patient_id)
    session.start()
    clock.advance(60)
    session.tick()
    session.end()
    return recorder.session_id


def test_a_course_follows_the_neuropathy_symptoms_and_takes_the_next_session(review_window) -> None:
    store = review_window.store
    patient = store.create_patient("P-0100", "New Patient", 1960)
    assert FOLLOWED_SYMPTOMS == ("pain", "aching", "burning", "prickling", "numbness", "hypersensitivity")
    course = store.create_course(patient, "Painful diabetic peripheral neuropathy", 8, 2)
    assert store.get_course(course).symptoms == FOLLOWED_SYMPTOMS
    first = run_session(store, patient)
    assert store.get_session(first).summary.course_id == course and store.get_session(first).summary.number == 1
    with pytest.raises(StoreError, match="outcome"):
        store.close_course(course, "  ")
    store.close_course(course, "burning halved; course completed")
    closed = store.get_course(course)
    assert not closed.is_open and closed.outcome == "burning halved; course completed"
    later = run_session(store, patient)
    assert store.get_session(later).summary.course_id is None, "a closed course takes no new session"
    with pytest.raises(StoreError, match="already closed"):
        store.close_course(course, "again")


def test_new_course_and_close_course_from_the_window(qtbot, review_window) -> None:
    row = select_first(qtbot, review_window, patient="P-0002")
    review_window.actions.new_course()
    dialog = review_window.actions.dialog
    assert "still open" in dialog.error.text()  # the demo patient's course is open
    dialog.symptoms.setText("burning, numbness")
    dialog.planned.setValue(6)
    assert dialog.submit()
    course = review_window.store.get_course(dialog.course_id)
    assert course.symptoms == ("burning", "numbness") and course.planned_sessions == 6
    wait_loaded(qtbot, review_window)
    review_window.table.selectRow(0)
    row = review_window.current_row()
    review_window.actions.close_course()
    closing = review_window.actions.dialog
    assert not closing.submit() and "outcome" in closing.error.text()
    closing.outcome.setText("improved; discharged")
    assert closing.submit()
    assert review_window.store.get_course(row.course_id).outcome == "improved; discharged"


def test_a_note_is_found_by_the_notes_filter_and_shown_with_who_and_when(qtbot, review_window) -> None:
    row = select_first(qtbot, review_window, patient="P-0004")
    review_window.actions.add_note()
    dialog = review_window.actions.dialog
    dialog.text.setPlainText("Left foot warmer; walked 2 km")
    dialog.practitioner.setText("Dr Lee")
    assert dialog.submit()
    assert count_sessions(review_window.store.conn, ReviewFilter(notes="2 km")) == 1
    wait_loaded(qtbot, review_window)
    review_window.table.selectRow(0)
    qtbot.waitUntil(lambda: review_window.replay.replay is not None and bool(review_window.replay.replay.notes))
    text = review_window.replay.events_text.toPlainText()
    assert "Left foot warmer; walked 2 km Dr Lee," in text
    assert review_window.store.session_events(row.id)[-1]["kind"] == "session.note"


def test_an_amendment_asks_why_and_who_and_keeps_the_original(qtbot, review_window) -> None:
    row = select_first(qtbot, review_window, patient="P-0005")
    store = review_window.store
    before = store.get_session(row.id)
    review_window.actions.amend()
    dialog = review_window.actions.dialog
    dialog.kind.setCurrentIndex(dialog.KINDS.index("detail"))
    dialog.detail_field.setCurrentIndex(dialog.detail_field.findData("depth"))
    dialog.detail_value.setText("20 mm")
    dialog.practitioner.setText("")
    assert not dialog.submit() and "who" in dialog.error.text()
    dialog.practitioner.setText("Dr Lee")
    assert not dialog.submit() and "why" in dialog.error.text()
    dialog.reason.setText("depth was measured again")
    assert dialog.submit()
    after = store.get_session(row.id)
    assert after.details["depth"] == before.details["depth"], "the fact row is never changed"
    assert after.effective("depth") == "20 mm"
    amendment = after.amendments[-1]
    assert (amendment.who, amendment.why, amendment.old_value) == ("Dr Lee", "depth was measured again",
                                                                    before.details["depth"])
    event = store.session_events(row.id)[-1]
    assert event["kind"] == "record.amended"
    assert event["data"].pop("amendment") == amendment.id, "the event names the amendment row it derives"
    assert event["data"] == {"table": "sessions", "row": {"id": row.id}, "field": "depth",
                             "old": before.details["depth"], "new": "20 mm", "reason": "depth was measured again",
                             "practitioner": "Dr Lee"}
    wait_loaded(qtbot, review_window)
    review_window.table.selectRow(0)
    qtbot.waitUntil(lambda: review_window.replay.replay is not None)
    plan = review_window.replay.plan_text.toPlainText()
    assert before.details["depth"] in plan and "amended to 20 mm by Dr Lee" in plan
    assert verify_store(store).ok


def test_an_adverse_event_seen_later_and_an_assigned_session(qtbot, review_window) -> None:
    store = review_window.store
    patient = store.find_patient("P-0003")
    unassigned = run_session(store, None)
    review_window.refresh()
    wait_loaded(qtbot, review_window)
    row = select_first(qtbot, review_window, patient="")
    assert row.id == unassigned and row.patient_code is None
    review_window.actions.amend()
    dialog = review_window.actions.dialog
    assert dialog.kind.currentData() == "patient"
    dialog.patient_code.setText("P-0003")
    dialog.reason.setText("chosen after the session")
    dialog.practitioner.setText("Dr Lee")
    assert dialog.submit()
    wait_loaded(qtbot, review_window)
    assert review_window.model.row_at(0).patient_code == "P-0003"
    wait_loaded(qtbot, review_window)
    review_window.table.selectRow(0)
    review_window.actions.amend()
    dialog = review_window.actions.dialog
    dialog.kind.setCurrentIndex(dialog.KINDS.index("adverse"))
    dialog.adverse_kind.setText("bruising")
    dialog.reason.setText("patient phoned the next day")
    dialog.practitioner.setText("Dr Lee")
    assert dialog.submit()
    record = store.get_session(unassigned)
    assert [a.kind for a in record.adverse_events] == ["bruising"]
    assert [(a.table, a.field) for a in record.amendments] == [("sessions", "patient_id"), ("adverse_events", "added")]
    assert record.summary.patient_id is None and record.effective("patient_id") == patient.id


def test_patient_details_and_screening_are_amended_with_a_reason(qtbot, review_window) -> None:
    select_first(qtbot, review_window, patient="P-0006")
    store = review_window.store
    patient = store.find_patient("P-0006")
    review_window.actions.edit_patient()
    dialog = review_window.actions.dialog
    assert not dialog.submit() and "Nothing was changed" in dialog.error.text()
    dialog.name.setText("Frances Doyle-Ward")
    dialog.flags["pregnancy"].setChecked(False)
    dialog.flags["implanted_device"].setChecked(True)
    dialog.practitioner.setText("Dr Lee")
    assert not dialog.submit() and "why" in dialog.error.text()
    dialog.reason.setText("married; pacemaker fitted in June")
    assert dialog.submit()
    assert store.get_patient(patient.id).name == patient.name, "the patient row stays as first written"
    now = store.effective_patient(patient.id)
    assert now.name == "Frances Doyle-Ward" and now.screening["implanted_device"] is True
    changes = store.patient_amendments(patient.id)
    assert [(a.field, a.why, a.who) for a in changes] == [
        ("name", "married; pacemaker fitted in June", "Dr Lee"),
        ("screening", "married; pacemaker fitted in June", "Dr Lee")]
    assert changes[0].old_value == patient.name


def test_read_only_log_refuses_writes_with_a_message(qtbot, review_demo, catalogue_source) -> None:
    from neurotimer.gui.review.launch import build_review_window
    from neurotimer.storage.store import open_readonly

    store = open_readonly(review_demo)
    window = build_review_window(store, catalogue_source)
    qtbot.addWidget(window)
    wait_loaded(qtbot, window)
    window.table.selectRow(0)
    window.actions.add_note()
    assert "read-only" in window.message.text() and window.actions.dialog is None
    window.close()
    store.close()
