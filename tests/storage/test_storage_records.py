"""Patients, courses, plans, scores, adverse events and amendments; the database guards the record."""

from __future__ import annotations

import sqlite3

import pytest
from storage_helpers import run_session

from neurotimer.storage.db import StoreError
from neurotimer.storage.people import SCREENING_FLAGS
from neurotimer.storage.store import WriteFailed


@pytest.fixture
def store(any_store):
    return any_store


def test_patients_with_screening_search_and_archive(store) -> None:
    assert store.next_patient_code() == "P-0001"
    a = store.create_patient("P-0001", "Alma Brandt", 1950, {"implanted_device": True, "pregnancy": False})
    store.create_patient("P-0002", None, 1962)
    patient = store.get_patient(a)
    assert patient.screening["implanted_device"] is True and set(patient.screening) == set(SCREENING_FLAGS)
    assert patient.cautions == ["implanted_device"]
    assert [p.code for p in store.list_patients("alma")] == ["P-0001"]
    assert [p.code for p in store.list_patients("0002")] == ["P-0002"]
    store.set_archived(a)
    assert [p.code for p in store.list_patients()] == ["P-0002"]
    assert len(store.list_patients(include_archived=True)) == 2
    assert store.next_patient_code() == "P-0003"


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"code": "P-0001"}, "already a patient"),
        ({"code": "  "}, "1 to 32 characters"),
        ({"code": "P-0009", "birth_year": 1850}, "birth year"),
        ({"code": "P-0009", "screening": {"astrology": True}}, "Unknown screening question"),
    ],
)
def test_bad_patient_input_is_refused_and_nothing_is_lost(store, kwargs, words) -> None:
    store.create_patient("P-0001", "Alma Brandt", 1950)
    with pytest.raises(StoreError, match=words):
        store.create_patient(**kwargs)
    assert [p.code for p in store.list_patients()] == ["P-0001"]


def test_plan_scores_adverse_events_and_course_view(store, clock) -> None:
    patient = store.create_patient("P-0001")
    course = store.create_course(patient, "Diabetic neuropathy", 8, 2, style="Western medical", reasoning="Trials 2013")
    sid, _, _ = run_session(store, clock, patient_id=patient, end=False)
    channels = [{"channel": 1, "a": ("ST36", "L"), "b": ("GB39", "L"), "mode": "2/120", "pulse_us": 400}]
    store.save_plan(sid, [("ST36", "L"), ("GB39", "L"), ("ST36", "R")], channels)
    store.add_score(sid, "pain", 7, "before")
    store.add_adverse_event(sid, "bruising", "mild", "left leg")
    record = store.get_session(sid)
    assert record.points == [("ST36", "L"), ("GB39", "L"), ("ST36", "R")]
    assert record.channels == [{"channel": 1, "a": ["ST36", "L"], "b": ["GB39", "L"], "mode": "2/120", "pulse_us": 400}]
    assert record.adverse_events[0].kind == "bruising"
    view = store.patient_course(patient)
    assert view is not None and view.course_id == course and [s.id for s in view.sessions] == [sid]
    assert [(s.symptom, s.value) for s in view.scores] == [("pain", 7)]
    kinds = [e["kind"] for e in store.session_events(sid)]
    assert {"plan.saved", "score.recorded", "adverse_event.recorded"} <= set(kinds)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda s, sid: s.add_score(sid, "pain", 11), "0 to 10"),
        (lambda s, sid: s.add_score(sid, "pain", 5, "during"), "before"),
        (lambda s, sid: s.add_adverse_event(sid, "bruising", "awful"), "mild, moderate or severe"),
        (lambda s, sid: s.save_plan(sid, [("ST36", "X")]), "L, R or M"),
        (lambda s, sid: s.save_plan(sid, [], [{"channel": 9, "a": ("A", "L"), "b": ("B", "L")}]), "1 to 8"),
        (lambda s, sid: s.amend_session(sid, "depth", "1 cun", "Dr X", " "), "reason"),
        (lambda s, sid: s.amend_session(sid, "state", "completed", "Dr X", "why"), "cannot be amended"),
        (lambda s, sid: s.create_course(1, "Neuropathy", 0, 2), "1 to 60"),
    ],
)
def test_out_of_range_input_is_refused_not_clipped(store, clock, call, words) -> None:
    store.create_patient("P-0001")
    sid, _, _ = run_session(store, clock)
    events = store.get_session(sid).summary.event_count
    with pytest.raises(StoreError, match=words):
        call(store, sid)
    assert store.get_session(sid).summary.event_count == events


def test_closed_session_is_corrected_only_by_amendment_and_both_are_shown(store, clock) -> None:
    patient = store.create_patient("P-0001")
    sid, _, _ = run_session(store, clock, patient_id=patient)
    with pytest.raises(sqlite3.IntegrityError, match="amendment"):
        store.conn.execute("UPDATE sessions SET depth = '2 cun' WHERE id = ?", (sid,))
    with pytest.raises(WriteFailed, match="amendment"):
        store.save_plan(sid, [("ST36", "L")])
    clock.advance(600)
    store.amend_session(sid, "depth", "15 mm", "Dr Example", "depth was left out")
    store.amend_session(sid, "points", [("LI4", "R")], "Dr Example", "LI4 was needled too")
    record = store.get_session(sid)
    assert record.details["depth"] == "" and record.effective("depth") == "15 mm"
    first = record.amendments[0]
    assert (first.field, first.old_value, first.new_value, first.who, first.why) == (
        "depth", "", "15 mm", "Dr Example", "depth was left out")
    assert first.at == "2026-01-05T09:11:15.000Z"
    assert store.last_session_points(patient) == [("LI4", "R")]
    assert store.session_events(sid)[-1]["kind"] == "record.amended"
    with pytest.raises(sqlite3.IntegrityError):
        store.conn.execute("UPDATE amendments SET why = 'nothing'")


def test_events_cannot_be_changed_or_deleted_by_the_database_itself(store, clock) -> None:
    sid, _, _ = run_session(store, clock)
    for sql in ("UPDATE events SET payload = '{}' WHERE seq = 1", "DELETE FROM events WHERE seq = 2",
                "DELETE FROM sessions"):
        with pytest.raises(sqlite3.IntegrityError):
            store.conn.execute(sql)
    with pytest.raises(sqlite3.IntegrityError, match=r"in sequence|follow the last one"):
        store.conn.execute(
            "INSERT INTO events (n, session_id, seq, at, offset_s, kind, payload, prev_hash, hash)"
            " VALUES (999, ?, 99, 'x', 0, 'k', '{}', ?, ?)", (sid, bytes(32), bytes(32)))


def test_newest_sessions_and_same_points_as_last_time(store, clock) -> None:
    a = store.create_patient("P-0001")
    b = store.create_patient("P-0002")
    first, _, _ = run_session(store, clock, patient_id=a, end=False)
    store.save_plan(first, [("SP6", "L"), ("SP6", "R")])
    ids = [first]
    for patient in (b, a, b):
        ids.append(run_session(store, clock, patient_id=patient)[0])
    assert [s.id for s in store.newest_sessions(3)] == ids[::-1][:3]
    assert [s.id for s in store.newest_sessions(10, patient_id=a)] == [ids[2], ids[0]]
    assert store.last_session_points(a) == [("SP6", "L"), ("SP6", "R")], "skips the newest, which has none"
    assert store.last_session_points(b) == []


def test_practitioner_and_events_added_after_the_session(store, clock) -> None:
    doctor = store.create_practitioner("Dr Example", "GP, accredited in medical acupuncture")
    assert [(p.id, p.background) for p in store.list_practitioners()] == [
        (doctor, "GP, accredited in medical acupuncture")]
    sid, _, _ = run_session(store, clock)
    clock.advance(120)
    seq = store.record_event(sid, "needles.count", {"inserted": 12, "removed": 12})
    last = store.session_events(sid)[-1]
    assert (last["seq"], last["kind"], last["data"]["removed"]) == (seq, "needles.count", 12)
    with pytest.raises(StoreError, match="no session number 99"):
        store.record_event(99, "needles.count", {})
