"""Corrections and notes after the fact: each an event (`record.amended`, `session.note`) appended through the
store, with a derived row beside it; a fact row is never changed and the original stays visible."""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any

from neurotimer.storage.chain import append_event
from neurotimer.storage.db import StoreError
from neurotimer.storage.models import AMENDABLE, Amendment, SessionRecord, check_channels, check_points
from neurotimer.storage.people import validate_screening

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from neurotimer.storage.people import Patient

PATIENT_FIELDS = ("name", "birth_year", "notes", "screening")
SCORE_FIELDS = ("value",)
AMENDMENT_COLUMNS = "id, session_id, field, old_value, new_value, who, at, why, table_name, row_key"


def amendment_from_row(row: tuple) -> Amendment:
    i, s, f, o, n, w, a, y, table, key = row
    return Amendment(i, s, f, json.loads(o), json.loads(n), w, a, y, table, json.loads(key))


def _required(practitioner: str, reason: str) -> tuple[str, str]:
    if not practitioner.strip():
        raise StoreError("An amendment needs the name of who made it.")
    if not reason.strip():
        raise StoreError("An amendment needs the reason for the correction.")
    return practitioner.strip(), reason.strip()


class AmendmentsMixin:
    """Store methods for amendments and notes (mixed into Store)."""

    conn: sqlite3.Connection

    if TYPE_CHECKING:

        def transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...
        def now_text(self) -> str: ...
        def get_session(self, session_id: int) -> SessionRecord: ...
        def get_patient(self, patient_id: int) -> Patient: ...
        def add_adverse_event(self, session_id: int, kind: str, severity: str = "mild", notes: str = "") -> int: ...
        def _append_later(
            self, conn: sqlite3.Connection, session_id: int, kind: str, payload: dict[str, Any], at: str | None = None
        ) -> int: ...
        def practitioner_stamp_as(self, key: str) -> dict[str, Any]: ...
        def practitioner_stamp(self) -> dict[str, Any]: ...

    def _amend(
        self,
        conn: sqlite3.Connection,
        *,
        table: str,
        row: dict[str, Any],
        field: str,
        old: Any,
        new: Any,
        reason: str,
        practitioner: str,
        session_id: int | None = None,
        patient_id: int | None = None,
    ) -> int:
        """The one way an amendment is written: its derived row and the `record.amended` event (which carries
        the row's id), in one transaction on the whole log's chain; a patient's amendment has no session."""
        at = self.now_text()
        seq = None
        if session_id is not None:
            # The event is appended right after, inside this transaction: its place in the session is known.
            seq = int(conn.execute("SELECT event_count FROM sessions WHERE id = ?", (session_id,)).fetchone()[0]) + 1
        cur = conn.execute(
            "INSERT INTO amendments (session_id, patient_id, table_name, row_key, field, old_value, new_value,"
            " who, at, why, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                session_id, patient_id, table, json.dumps(row, sort_keys=True), field, json.dumps(old),
                json.dumps(new), practitioner, at, reason, seq,
            ),
        )
        payload = {
            "table": table, "row": row, "field": field, "old": old, "new": new,
            "reason": reason, "practitioner": practitioner, "amendment": cur.lastrowid,
            **({"patient_id": patient_id} if patient_id is not None else {}),
            **self.practitioner_stamp_as("practitioner_id"),
            **self.practitioner_stamp(),
        }
        if session_id is not None:
            self._append_later(conn, session_id, "record.amended", payload, at)
        else:
            append_event(conn, None, at, 0.0, "record.amended", payload)
        return int(cur.lastrowid)

    def amend_session(self, session_id: int, field_name: str, new_value: Any, who: str, why: str) -> int:
        """Corrects a session by amendment: who, when, why, the old and the new value; both stay visible."""
        if field_name not in AMENDABLE:
            raise StoreError(f"{field_name!r} cannot be amended; amendable: {', '.join(AMENDABLE)}.")
        who, why = _required(who, why)
        if field_name == "points":
            new_value = [list(p) for p in check_points(new_value)]
        elif field_name == "channels":
            new_value = check_channels(new_value)
        elif field_name == "planned_minutes" and (not isinstance(new_value, int) or not 1 <= new_value <= 120):
            raise StoreError("Planned time must be 1 to 120 whole minutes.")
        elif field_name == "patient_id" and new_value is not None:
            self.get_patient(int(new_value))  # refuses a patient that does not exist
        old_value = self.get_session(session_id).effective(field_name)
        with self.transaction() as conn:
            return self._amend(
                conn, table="sessions", row={"id": session_id}, field=field_name, old=old_value, new=new_value,
                reason=why, practitioner=who, session_id=session_id,
            )

    def amend_score(self, session_id: int, symptom: str, timing: str, value: int, who: str, why: str) -> int:
        """A wrong 0–10 score corrected; the score as first written stays in the record."""
        who, why = _required(who, why)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
            raise StoreError(f"A symptom score is a whole number from 0 to 10, not {value!r}.")
        record = self.get_session(session_id)
        old = record.effective_score(symptom, timing)
        if old is None:
            raise StoreError(f"Session {session_id} has no {timing} score for {symptom}; add one instead.")
        with self.transaction() as conn:
            return self._amend(
                conn, table="scores", row={"session_id": session_id, "symptom": symptom, "timing": timing},
                field="value", old=old, new=value, reason=why, practitioner=who, session_id=session_id,
            )

    def amend_patient(self, patient_id: int, field_name: str, new_value: Any, who: str, why: str) -> int:
        """A patient's details or screening corrected by amendment (the original row is kept as written)."""
        if field_name not in PATIENT_FIELDS:
            raise StoreError(f"{field_name!r} cannot be amended; amendable: {', '.join(PATIENT_FIELDS)}.")
        who, why = _required(who, why)
        if field_name == "screening":
            new_value = validate_screening(new_value)
        elif field_name == "birth_year" and new_value is not None and (
            isinstance(new_value, bool) or not isinstance(new_value, int) or not 1900 <= new_value <= 2100
        ):
            raise StoreError(f"The birth year must be a year such as 1952, not {new_value!r}.")
        old = getattr(self.effective_patient(patient_id), field_name)
        with self.transaction() as conn:
            return self._amend(
                conn, table="patients", row={"id": patient_id}, field=field_name, old=old, new=new_value,
                reason=why, practitioner=who, patient_id=patient_id,
            )

    def add_adverse_event_later(
        self, session_id: int, kind: str, severity: str, notes: str, who: str, why: str
    ) -> int:
        """An adverse event seen after the session closed: added, with who added it, when and why."""
        who, why = _required(who, why)
        with self.transaction() as conn:
            added = self.add_adverse_event(session_id, kind, severity, notes)
            self._amend(
                conn, table="adverse_events", row={"id": added}, field="added", old=None,
                new={"kind": kind.strip(), "severity": severity, "notes": notes}, reason=why, practitioner=who,
                session_id=session_id,
            )
        return added

    def patient_amendments(self, patient_id: int) -> list[Amendment]:
        rows = self.conn.execute(
            f"SELECT {AMENDMENT_COLUMNS} FROM amendments WHERE patient_id = ? ORDER BY id", (patient_id,)
        )
        return [amendment_from_row(r) for r in rows]

    def effective_patient(self, patient_id: int) -> Patient:
        """The patient with their amendments applied (the latest of each field wins)."""
        from dataclasses import replace

        patient = self.get_patient(patient_id)
        changes = {a.field: a.new_value for a in self.patient_amendments(patient_id)}
        return replace(patient, **changes) if changes else patient

    def add_note(self, session_id: int, text: str, practitioner: str = "") -> int:
        """A free-text note on a session, at the chair or later; notes are added, never edited."""
        if not text.strip():
            raise StoreError("A note needs some text.")
        with self.transaction() as conn:
            return self._append_later(
                conn, session_id, "session.note",
                {"text": text.strip(), "practitioner": practitioner.strip(), **self.practitioner_stamp()},
            )

    def session_notes(self, session_id: int) -> list[tuple[str, str, str]]:
        """(at, practitioner, text) of every note, oldest first."""
        rows = self.conn.execute(
            "SELECT at, practitioner, text FROM session_notes WHERE session_id = ? ORDER BY seq", (session_id,)
        )
        return [tuple(r) for r in rows]
