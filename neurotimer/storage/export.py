"""Export of session records as JSON or CSV, optionally de-identified (no names, notes or dates)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
from pathlib import Path
from typing import Any

from neurotimer.session.clock import rfc3339
from neurotimer.storage.db import StoreError
from neurotimer.storage.migrations import WHOLE_LOG_VERSION
from neurotimer.storage.store import Store

FORMAT = "neurotimer-export"
VERSION = 1
FREE_TEXT_KEYS = frozenset({"notes", "note", "why", "who", "name", "comment", "reason", "practitioner", "text"})
CSV_FIELDS = (
    "id",
    "patient_code",
    "patient_name",
    "patient_birth_year",
    "course_id",
    "number",
    "state",
    "planned_minutes",
    "started_at",
    "ended_at",
    "treatment_seconds",
    "needle_type",
    "depth",
    "response_sought",
    "setting",
    "notes",
    "points",
    "channels",
    "scores",
    "adverse_events",
    "amendments",
    "events",
    "event_count",
    "last_hash",
)
_TIMESTAMP = re.compile(r"^(\d{4})-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$")


def _year(value: str | None) -> str | None:
    return None if value is None else value[:4]


def _scrub(value: Any) -> Any:
    """De-identifies an event payload: free-text keys go, dates become their year."""
    if isinstance(value, dict):
        # An amendment of a free-text field carries that text as its old and new values.
        hidden = FREE_TEXT_KEYS | ({"old", "new"} if value.get("field") in FREE_TEXT_KEYS else set())
        return {k: _scrub(v) for k, v in value.items() if k not in hidden}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, str):
        match = _TIMESTAMP.match(value)
        return match.group(1) if match else value
    return value


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
        clauses.append("s.id = ?")
        params.append(session_id)
    if since is not None:
        clauses.append("s.started_at >= ?")
        params.append(since.isoformat())
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    return [row[0] for row in store.conn.execute(sql + " ORDER BY s.started_at, s.id", params)]


def session_document(store: Store, session_id: int, deidentify: bool = False) -> dict[str, Any]:
    """One session as exported (field names fixed by the export format, version 1)."""
    record = store.get_session(session_id)
    s = record.summary
    patient = {"code": s.patient_code, "name": None, "birth_year": None}
    if s.patient_id is not None:
        person = store.get_patient(s.patient_id)
        patient = {"code": person.code, "name": None if deidentify else person.name, "birth_year": person.birth_year}
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
            "started_on": str(c.started_on.year) if deidentify else c.started_on.isoformat(),
        }
    when = _year if deidentify else (lambda v: v)
    events = []
    for e in store.session_events(session_id):
        if deidentify:
            events.append({"seq": e["seq"], "at": e["offset"], "kind": e["kind"], "data": _scrub(e["data"])})
        else:
            events.append({"seq": e["seq"], "at": e["at"], "offset": e["offset"], "kind": e["kind"], "data": e["data"]})
    doc: dict[str, Any] = {
        "id": s.id,
        "patient": patient,
        "course": course,
        "number": s.number,
        "state": s.state,
        "planned_minutes": s.planned_minutes,
        "started_at": when(s.started_at),
        "ended_at": when(s.ended_at),
        "treatment_seconds": s.treatment_seconds,
        **{k: v for k, v in record.details.items() if not (deidentify and k == "notes")},
        "points": [{"code": code, "side": side} for code, side in record.points],
        "channels": [
            {**c, "a": {"code": c["a"][0], "side": c["a"][1]}, "b": {"code": c["b"][0], "side": c["b"][1]}}
            for c in record.channels
        ],
        "scores": [
            {"symptom": x.symptom, "timing": x.timing, "value": x.value, "recorded_at": when(x.recorded_at)}
            for x in record.scores
        ],
        "adverse_events": [
            {
                "kind": a.kind,
                "severity": a.severity,
                "recorded_at": when(a.recorded_at),
                **({} if deidentify else {"notes": a.notes}),
            }
            for a in record.adverse_events
        ],
        "amendments": [_amendment(a, deidentify) for a in record.amendments],
        "events": events,
        "event_count": s.event_count,
        "last_hash": record.last_hash,
    }
    return doc


def _amendment(a: Any, deidentify: bool) -> dict[str, Any]:
    if not deidentify:
        return {"field": a.field, "old": a.old_value, "new": a.new_value, "who": a.who, "at": a.at, "why": a.why}
    hidden = a.field == "notes"
    return {
        "field": a.field,
        "old": None if hidden else _scrub(a.old_value),
        "new": None if hidden else _scrub(a.new_value),
        "at": _year(a.at),
    }


def build_export(
    store: Store,
    *,
    patient_code: str | None = None,
    session_id: int | None = None,
    since: dt.date | None = None,
    deidentify: bool = False,
    session_ids: list[int] | None = None,
) -> dict[str, Any]:
    """The export document; `session_ids` (the review window's current filter) replaces the other selectors."""
    if session_ids is not None:
        ids = list(session_ids)
    else:
        ids = select_sessions(store, patient_code=patient_code, session_id=session_id, since=since)
    now = store.clock.wall()
    return {
        "format": FORMAT,
        "version": VERSION,
        # The log's head when exported: `verify` of the log later proves the exported records unchanged.
        "log_head": store.head_text() if store.schema_version >= WHOLE_LOG_VERSION else None,
        "exported_at": str(now.year) if deidentify else rfc3339(now),
        "deidentified": deidentify,
        "sessions": [session_document(store, i, deidentify) for i in ids],
    }


def csv_row(doc: dict[str, Any]) -> dict[str, Any]:
    row = {k: doc.get(k) for k in CSV_FIELDS}
    row["patient_code"] = doc["patient"]["code"]
    row["patient_name"] = doc["patient"]["name"]
    row["patient_birth_year"] = doc["patient"]["birth_year"]
    row["course_id"] = doc["course"]["id"] if doc["course"] else None
    for key in ("points", "channels", "scores", "adverse_events", "amendments", "events"):
        row[key] = json.dumps(doc[key], ensure_ascii=False, separators=(",", ":"))
    return {k: "" if v is None else v for k, v in row.items()}


def write_export(data: dict[str, Any], out: Path, fmt: str) -> None:
    """Writes to a temporary file then renames it, so a failed export never leaves half a file.

    CSV is two files: one readable row per session at `out`, one row per event beside it (`name-events.csv`).
    """
    if fmt == "csv":
        from neurotimer.storage.export_csv import write_csv_pair

        write_csv_pair(data, out)
        return
    partial = out.with_name(out.name + ".partial")
    # Exports hold clinical records: readable by the owner only, like the log itself.
    fd = os.open(partial, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    with open(fd, "w", encoding="utf-8", newline="") as handle:
        if fmt == "json":
            json.dump(data, handle, ensure_ascii=False, indent=1)
            handle.write("\n")
        else:
            writer = csv.DictWriter(handle, fieldnames=CSV_FIELDS)
            writer.writeheader()
            for doc in data["sessions"]:
                writer.writerow(csv_row(doc))
    partial.replace(out)
