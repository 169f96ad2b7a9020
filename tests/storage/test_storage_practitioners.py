"""Practitioner profiles in the log: codes on events, retired never deleted, reports recorded, exports keep codes."""

from __future__ import annotations

import json
import sqlite3

import pytest
from storage_helpers import run_session

from neurotimer.storage.db import StoreError
from neurotimer.storage.export import build_export
from neurotimer.storage.export_csv import session_row
from neurotimer.storage.practitioners import parse_practitioner_code
from neurotimer.storage.verify import verify_store


@pytest.mark.parametrize("text, number", [("PR-001", 1), ("pr-12", 12), ("PR007", 7), ("3", 3), (" PR-040 ", 40)])
def test_a_practitioner_code_is_read_as_written(text, number) -> None:
    assert parse_practitioner_code(text) == number


@pytest.mark.parametrize("text", ["", "PR-", "PR-000", "Dr Lee", "PR-1a", "P-0001"])
def test_anything_else_is_not_a_practitioner_code(text) -> None:
    with pytest.raises(StoreError, match="not a practitioner code such as PR-001"):
        parse_practitioner_code(text)


def test_entries_name_the_practitioner_at_work_by_code(any_store, clock) -> None:
    store = any_store
    lee = store.create_practitioner("Dr Ana Lee", profession="physician", registration="GMC 7654321")
    store.current_practitioner_id = lee
    patient = store.create_patient("P-0001", "Ann Example", 1950)
    sid, _session, recorder = run_session(store, clock, patient_id=patient)
    recorder.flush()
    store.add_score(sid, "pain", 5, "after")
    store.add_adverse_event(sid, "bruising", "mild")
    store.add_note(sid, "slept well", "Dr Ana Lee")
    store.amend_session(sid, "depth", "15 mm", "Dr Ana Lee", "measured again")
    store.update_screening(patient, {"bleeding_risk": True})
    events = store.session_events(sid)
    for kind in ("score.recorded", "adverse_event.recorded", "session.note", "record.amended"):
        [data] = [e["data"] for e in events if e["kind"] == kind]
        assert data["practitioner_code"] == "PR-001", kind
    assert store.get_session(sid).practitioner == "Dr Ana Lee (physician, reg. GMC 7654321) · PR-001"
    assert verify_store(store).ok


def test_a_retired_profile_stays_in_the_record_and_is_never_deleted(tmp_path, clock) -> None:
    from neurotimer.storage.store import open_store

    store = open_store(tmp_path / "log.sqlite3", clock=clock, daily_backup=False)
    try:
        gone = store.create_practitioner("Dr Ana Lee")
        store.current_practitioner_id = gone
        sid, _session, recorder = run_session(store, clock)
        recorder.flush()
        store.retire_practitioner(gone)
        assert store.list_practitioners() == [] and store.get_practitioner(gone).retired
        assert "Dr Ana Lee" in store.get_session(sid).practitioner, "the session still names them"
        for sql in ("DELETE FROM practitioners", "UPDATE practitioners SET name = 'Someone else'"):
            with pytest.raises(sqlite3.DatabaseError, match="practitioner profile"):
                store.conn.execute(sql)
        assert verify_store(store).ok
    finally:
        store.close()


def test_a_report_made_is_recorded_outside_the_session_with_who_made_it(any_store, clock) -> None:
    store = any_store
    lee = store.create_practitioner("Dr Ana Lee")
    sid, _session, recorder = run_session(store, clock)
    recorder.flush()
    last = store.get_session(sid).last_hash
    store.record_report("session", sid, practitioner_id=lee, deidentified=True, made_as="pdf")
    [payload] = [json.loads(r[0]) for r in store.conn.execute("SELECT payload FROM events WHERE kind = 'report.made'")]
    assert payload == {"subject": "session", "id": sid, "deidentified": True, "made_as": "pdf",
                       "practitioner_code": "PR-001"}
    assert store.get_session(sid).last_hash == last, "the hash a report prints stays the session's last"
    with pytest.raises(StoreError, match="no practitioner number 9"):
        store.record_report("session", sid, practitioner_id=9, deidentified=False)
    assert verify_store(store).ok


def test_the_deidentified_export_keeps_the_practitioner_code_not_the_name(any_store, clock) -> None:
    store = any_store
    store.current_practitioner_id = store.create_practitioner("Dr Ana Lee", registration="GMC 7654321")
    sid, _session, recorder = run_session(store, clock)
    recorder.record("safety.acknowledged", {"rule": "crosses_midline", "by": "Dr Ana Lee",
                                            "practitioner_code": "PR-001"})
    recorder.record("alarm.acknowledged", {"key": "lead-off", "by": "Dr Ana Lee", "practitioner_code": "PR-001"})
    recorder.flush()
    plain = build_export(store, session_id=sid)["sessions"][0]
    assert plain["practitioner"] == {"code": "PR-001", "name": "Dr Ana Lee"}
    anon = build_export(store, session_id=sid, deidentify=True)["sessions"][0]
    assert anon["practitioner"] == {"code": "PR-001", "name": None}
    text = repr(anon)
    assert "Ana Lee" not in text and "GMC" not in text
    acks = [e["data"] for e in anon["events"] if e["kind"] in ("safety.acknowledged", "alarm.acknowledged")]
    assert len(acks) == 2 and all(a["practitioner_code"] == "PR-001" for a in acks)
    row = session_row(anon, [])
    assert row["practitioner_code"] == "PR-001" and not row["practitioner_name"]
