"""Export of session records as JSON or CSV, optionally de-identified (no names, notes or dates)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, BinaryIO

from neurotimer.session.clock import rfc3339
from neurotimer.storage.db import StoreError
from neurotimer.storage.deidentify import Pseudonyms, listed, practitioner_code, scrub
from neurotimer.storage.location import LogLocation
from neurotimer.storage.migrations import WHOLE_LOG_VERSION
from neurotimer.storage.outfile import check_output, write_private
from neurotimer.storage.store import Store

FORMAT = "neurotimer-export"
VERSION = 1


def _year(value: str | None) -> str | None:
    return None if value is None else value[:4]


def select_sessions(
    store: Store, *, patient_code: str | None = None, session_id: int | None = None, since: dt.date | None = None
) -> list[int]:
    sql = "SELECT s.id FROM sessions s LEFT JOIN patients p ON p.id = s.patient_id"
    clauses: list[str] = []
    params: list[Any] = []
    if patient_code is not None:
        if store.find_patient(patient_code) is None:
            raise StoreError(f"There is no patient with the code {patient_code}.")
        clauses.append("p.code = ?")
        params.append(patient_code.strip())
    if session_id is not None:
        if store.conn.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone() is None:
            raise StoreError(f"There is no session {session_id}.")
        clauses.append("s.id = ?")
        params.append(session_id)
    if since is not None:
        clauses.append("s.started_at >= ?")
        params.append(since.isoformat())
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    return [row[0] for row in store.conn.execute(sql + " ORDER BY s.started_at, s.id", params)]


def session_document(
    store: Store, session_id: int, deidentify: bool = False, pseudonyms: Pseudonyms | None = None
) -> dict[str, Any]:
    """One session as exported (field names fixed by the export format, version 1).

    De-identified (see neurotimer.storage.deidentify): pseudonyms instead of patient codes (one set per
    export: pass the same `pseudonyms` for every session of it), no name, birth year or free text.
    """
    record = store.get_session(session_id)
    doc = _document(store, record)
    if deidentify:
        return _deidentified(doc, record.summary.patient_id, pseudonyms or Pseudonyms())
    return doc


def _document(store: Store, record: Any) -> dict[str, Any]:
    s = record.summary
    patient: dict[str, Any] = {"code": s.patient_code, "name": None, "birth_year": None}
    if s.patient_id is not None:
        person = store.get_patient(s.patient_id)
        patient = {"code": person.code, "name": person.name, "birth_year": person.birth_year}
    course = None
    if s.course_id is not None:
        c = store.get_course(s.course_id)
        course = {
            "id": c.id,
            "condition": c.condition,
            "planned_sessions": c.planned_sessions,
            "sessions_per_week": c.sessions_per_week,
            "style": c.style,
            "reasoning": c.reasoning,
            "started_on": c.started_on.isoformat(),
        }
    return {
        "id": s.id,
        "patient": patient,
        "practitioner": _practitioner(store, record.practitioner_id),
        "course": course,
        "number": s.number,
        "state": s.state,
        "planned_minutes": s.planned_minutes,
        "started_at": s.started_at,
        "ended_at": s.ended_at,
        "treatment_seconds": s.treatment_seconds,
        **record.details,
        "points": [{"code": code, "side": side} for code, side in record.points],
        "channels": [
            {**c, "a": {"code": c["a"][0], "side": c["a"][1]}, "b": {"code": c["b"][0], "side": c["b"][1]}}
            for c in record.channels
        ],
        "scores": [
            {"symptom": x.symptom, "timing": x.timing, "value": x.value, "recorded_at": x.recorded_at}
            for x in record.scores
        ],
        "adverse_events": [
            {"kind": a.kind, "severity": a.severity, "recorded_at": a.recorded_at, "notes": a.notes}
            for a in record.adverse_events
        ],
        "amendments": [
            {"field": a.field, "old": a.old_value, "new": a.new_value, "who": a.who, "at": a.at, "why": a.why}
            for a in record.amendments
        ],
        "events": [
            {"seq": e["seq"], "at": e["at"], "offset": e["offset"], "kind": e["kind"], "data": e["data"]}
            for e in store.session_events(s.id)
        ],
        "event_count": s.event_count,
        "last_hash": record.last_hash,
    }


def _practitioner(store: Store, practitioner_id: int | None) -> dict[str, Any] | None:
    if practitioner_id is None:
        return None
    try:
        person = store.get_practitioner(practitioner_id)
    except StoreError:
        return {"code": practitioner_code(practitioner_id), "name": None}
    return {"code": person.code, "name": person.name}


def _deidentified(doc: dict[str, Any], patient_id: int | None, pseudonyms: Pseudonyms) -> dict[str, Any]:
    """The full document with names, birth year and free text taken out (what `--deidentify` says)."""
    course = doc["course"]
    return {
        "id": doc["id"],
        # The format's keys stay; what could name someone is null.
        "patient": {"code": pseudonyms(patient_id), "name": None, "birth_year": None},
        "practitioner": None if doc["practitioner"] is None else {"code": doc["practitioner"]["code"], "name": None},
        "course": None if course is None else {
            "id": course["id"],
            "planned_sessions": course["planned_sessions"],
            "sessions_per_week": course["sessions_per_week"],
            "started_on": _year(course["started_on"]),
        },
        "number": doc["number"],
        "state": doc["state"],
        "planned_minutes": doc["planned_minutes"],
        "started_at": _year(doc["started_at"]),
        "ended_at": _year(doc["ended_at"]),
        "treatment_seconds": doc["treatment_seconds"],
        **{k: listed(k, doc.get(k)) for k in ("needle_type", "response_sought", "setting")},
        "points": doc["points"],
        "channels": [scrub(c, pseudonyms) for c in doc["channels"]],
        "scores": [
            {**x, "symptom": listed("symptom", x["symptom"]), "recorded_at": _year(x["recorded_at"])}
            for x in doc["scores"]
        ],
        "adverse_events": [
            {"kind": listed("kind", a["kind"]), "severity": a["severity"], "recorded_at": _year(a["recorded_at"])}
            for a in doc["adverse_events"]
        ],
        "amendments": [
            {"field": a["field"], **_amended(a, pseudonyms), "at": _year(a["at"])} for a in doc["amendments"]
        ],
        "events": [
            {"seq": e["seq"], "at": e["offset"], "kind": e["kind"], "data": scrub(e["data"], pseudonyms)}
            for e in doc["events"]
        ],
        "event_count": doc["event_count"],
        "last_hash": doc["last_hash"],
    }


def _amended(a: dict[str, Any], pseudonyms: Pseudonyms) -> dict[str, Any]:
    kept = scrub({"field": a["field"], "old": a["old"], "new": a["new"]}, pseudonyms)
    return {"old": kept.get("old"), "new": kept.get("new")}


def build_export(
    store: Store,
    *,
    patient_code: str | None = None,
    session_id: int | None = None,
    since: dt.date | None = None,
    deidentify: bool = False,
    session_ids: list[int] | None = None,
    pseudonyms: Pseudonyms | None = None,
) -> dict[str, Any]:
    """The export document; `session_ids` (the review window's current filter) replaces the other selectors.
    De-identified, patients get `pseudonyms` (by default new secret ones for this export)."""
    if session_ids is not None:
        ids = list(session_ids)
    else:
        ids = select_sessions(store, patient_code=patient_code, session_id=session_id, since=since)
    now = store.clock.wall()
    pseudonyms = pseudonyms or Pseudonyms()  # one set per export: the same patient is one pseudonym throughout
    return {
        "format": FORMAT,
        "version": VERSION,
        # The log's head when exported: `verify` of the log later proves the exported records unchanged.
        "log_head": store.head_text() if store.schema_version >= WHOLE_LOG_VERSION else None,
        "exported_at": str(now.year) if deidentify else rfc3339(now),
        "deidentified": deidentify,
        "sessions": [session_document(store, i, deidentify, pseudonyms) for i in ids],
    }


def write_export(data: dict[str, Any], out: Path, fmt: str, protect: LogLocation | None = None) -> None:
    """Writes through an exclusive temporary file renamed into place, so a failed export leaves nothing
    half-written; refuses (OutputRefused) an `out` that is the log `protect` or a file beside it.

    CSV is two files: one readable row per session at `out`, one row per event beside it (`name-events.csv`).
    """
    check_output(out, protect)
    if fmt == "csv":
        from neurotimer.storage.export_csv import write_csv_pair

        write_csv_pair(data, out, protect)
        return

    def write_json(handle: BinaryIO) -> None:
        handle.write(json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8") + b"\n")

    write_private([(out, write_json)])
