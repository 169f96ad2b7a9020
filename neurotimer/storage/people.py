"""Patients (with their screening answers) and courses of treatment; practitioners are in practitioners.py."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from neurotimer.storage.db import StoreError
from neurotimer.storage.practitioners import Practitioner, PractitionersMixin  # noqa: F401 (Practitioner: also here)

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from neurotimer.session.clock import Clock

# Contraindications and cautions screened before electro-acupuncture (clinical-reference.md).
SCREENING_FLAGS: dict[str, str] = {
    "implanted_device": "Implanted electronic device (pacemaker, defibrillator, neurostimulator)",
    "pregnancy": "Pregnancy",
    "epilepsy": "Epilepsy",
    "heart_disease": "Heart disease",
    "bleeding_risk": "Bleeding disorder or anticoagulants",
    "dvt": "Deep-vein thrombosis in the area",
    "metal_implant": "Metal implant near the current path",
    "reduced_sensation": "Reduced sensation in the treated area",
}

MAX_CODE_LENGTH = 32
# The outcome symptoms a neuropathy course follows unless the practitioner chooses others.
FOLLOWED_SYMPTOMS = ("pain", "aching", "burning", "prickling", "numbness", "hypersensitivity")


@dataclass(frozen=True)
class Patient:
    id: int
    code: str
    name: str | None
    birth_year: int | None
    screening: dict[str, bool] = field(default_factory=dict)
    notes: str = ""
    archived: bool = False

    @property
    def cautions(self) -> list[str]:
        """The screening answers that call for care, in the order of SCREENING_FLAGS."""
        return [key for key in SCREENING_FLAGS if self.screening.get(key)]


@dataclass(frozen=True)
class Course:
    id: int
    patient_id: int
    practitioner_id: int | None
    condition: str
    planned_sessions: int
    sessions_per_week: float
    style: str
    reasoning: str
    started_on: dt.date
    symptoms: tuple[str, ...] = FOLLOWED_SYMPTOMS
    closed_on: dt.date | None = None
    outcome: str = ""

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


def validate_screening(flags: dict[str, Any] | None) -> dict[str, bool]:
    flags = dict(flags or {})
    unknown = sorted(set(flags) - set(SCREENING_FLAGS))
    if unknown:
        raise StoreError(f"Unknown screening question: {', '.join(unknown)}.")
    return {key: bool(flags.get(key, False)) for key in SCREENING_FLAGS}


def _patient(row: sqlite3.Row | tuple) -> Patient:
    pid, code, name, birth_year, screening, notes, archived = row
    return Patient(pid, code, name, birth_year, json.loads(screening), notes, bool(archived))


def _course(row: tuple) -> Course:
    symptoms = tuple(json.loads(row[9])) or FOLLOWED_SYMPTOMS
    closed = dt.date.fromisoformat(row[10]) if row[10] else None
    return Course(*row[:8], dt.date.fromisoformat(row[8]), symptoms, closed, row[11])


_COURSE_COLUMNS = (
    "id, patient_id, practitioner_id, condition, planned_sessions, sessions_per_week, style, reasoning, started_on,"
    " symptoms, closed_on, outcome"
)
# A log from before version 3 (read-only) has no followed symptoms or closing yet.
_OLD_COURSE_COLUMNS = _COURSE_COLUMNS.replace("symptoms, closed_on, outcome", "'[]', NULL, ''")


class PeopleMixin(PractitionersMixin):
    """Store methods for practitioners, patients and courses (mixed into Store)."""

    conn: sqlite3.Connection
    clock: Clock

    if TYPE_CHECKING:

        def transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...
        def now_text(self) -> str: ...

    # -- patients --------------------------------------------------------------------------------
    def next_patient_code(self) -> str:
        """The next free code of the form P-0001, for the new-patient dialog to propose."""
        number = self.conn.execute("SELECT count(*) FROM patients").fetchone()[0] + 1
        while True:
            code = f"P-{number:04d}"
            if not self.conn.execute("SELECT 1 FROM patients WHERE code = ?", (code,)).fetchone():
                return code
            number += 1

    def create_patient(
        self,
        code: str,
        name: str | None = None,
        birth_year: int | None = None,
        screening: dict[str, Any] | None = None,
        notes: str = "",
    ) -> int:
        """Adds a patient. The code is what logs and exports show; the name is optional."""
        code = code.strip()
        if not code or len(code) > MAX_CODE_LENGTH:
            raise StoreError(f"A patient code must be 1 to {MAX_CODE_LENGTH} characters.")
        this_year = self.clock.wall().year
        if birth_year is not None and not 1900 <= birth_year <= this_year:
            raise StoreError(f"The birth year must be between 1900 and {this_year}, not {birth_year}.")
        flags = validate_screening(screening)
        if self.conn.execute("SELECT 1 FROM patients WHERE code = ?", (code,)).fetchone():
            raise StoreError(f"There is already a patient with the code {code}.")
        at = self.now_text()
        clean_name = (name or "").strip() or None
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO patients (code, name, birth_year, screening, notes, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (code, clean_name, birth_year, json.dumps(flags), notes, at),
            )
            payload = {
                "id": cur.lastrowid,
                "code": code,
                "name": clean_name,
                "birth_year": birth_year,
                "screening": flags,
                "notes": notes,
            }
            self._record(conn, "patient.created", payload, at)
        return int(cur.lastrowid)

    def update_screening(self, patient_id: int, screening: dict[str, Any]) -> None:
        flags = validate_screening(screening)
        self.get_patient(patient_id)
        at = self.now_text()
        with self.transaction() as conn:
            conn.execute("UPDATE patients SET screening = ? WHERE id = ?", (json.dumps(flags), patient_id))
            payload = {"id": patient_id, "screening": flags, **self.practitioner_stamp()}
            self._record(conn, "patient.screening", payload, at)

    def set_archived(self, patient_id: int, archived: bool = True) -> None:
        """Hides a patient from the choose-patient list; their records stay."""
        self.get_patient(patient_id)
        at = self.now_text()
        with self.transaction() as conn:
            conn.execute("UPDATE patients SET archived = ? WHERE id = ?", (int(archived), patient_id))
            self._record(conn, "patient.archived", {"id": patient_id, "archived": bool(archived)}, at)

    @cached_property
    def _patient_columns(self) -> str:
        # Read-only stores may hold a version-1 file, which has no archived column yet.
        has_archived = any(r[1] == "archived" for r in self.conn.execute("PRAGMA table_info(patients)"))
        return "id, code, name, birth_year, screening, notes, " + ("archived" if has_archived else "0")

    def get_patient(self, patient_id: int) -> Patient:
        row = self.conn.execute(
            f"SELECT {self._patient_columns} FROM patients WHERE id = ?", (patient_id,)
        ).fetchone()
        if row is None:
            raise StoreError(f"There is no patient number {patient_id}.")
        return _patient(row)

    def find_patient(self, code: str) -> Patient | None:
        row = self.conn.execute(
            f"SELECT {self._patient_columns} FROM patients WHERE code = ?", (code.strip(),)
        ).fetchone()
        return None if row is None else _patient(row)

    def list_patients(self, search: str = "", include_archived: bool = False) -> list[Patient]:
        """Patients by code, filtered by a part of the code or name (case-insensitive)."""
        sql = f"SELECT {self._patient_columns} FROM patients"
        clauses, params = [], []
        if search.strip():
            clauses.append("(code LIKE ? OR coalesce(name, '') LIKE ?)")
            params += [f"%{search.strip()}%"] * 2
        if not include_archived and self._patient_columns.endswith("archived"):
            clauses.append("archived = 0")
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        return [_patient(row) for row in self.conn.execute(sql + " ORDER BY code", params)]

    # -- courses ---------------------------------------------------------------------------------
    def create_course(
        self,
        patient_id: int,
        condition: str,
        planned_sessions: int,
        sessions_per_week: float,
        *,
        style: str = "",
        reasoning: str = "",
        started_on: dt.date | None = None,
        practitioner_id: int | None = None,
        symptoms: tuple[str, ...] | list[str] | None = None,
    ) -> int:
        """A course of treatment (STRICTA 1a–b, 3a–b): condition, plan, style, reasoning, symptoms followed."""
        followed = [s.strip().lower() for s in (symptoms if symptoms is not None else FOLLOWED_SYMPTOMS)]
        followed = list(dict.fromkeys(s for s in followed if s))
        if not followed:
            raise StoreError("A course follows at least one symptom (for example pain).")
        if not condition.strip():
            raise StoreError("A course needs the condition it treats.")
        if not 1 <= planned_sessions <= 60:
            raise StoreError(f"A course is planned for 1 to 60 sessions, not {planned_sessions}.")
        if not 0 < sessions_per_week <= 7:
            raise StoreError(f"Sessions per week must be more than 0 and at most 7, not {sessions_per_week}.")
        started = (started_on or self.clock.wall().date()).isoformat()
        at = self.now_text()
        if practitioner_id is None:
            practitioner_id = self.current_practitioner_id
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO courses (patient_id, practitioner_id, condition, planned_sessions,"
                " sessions_per_week, style, reasoning, started_on, created_at, symptoms)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    patient_id,
                    practitioner_id,
                    condition.strip(),
                    planned_sessions,
                    sessions_per_week,
                    style,
                    reasoning,
                    started,
                    at,
                    json.dumps(followed),
                ),
            )
            fields = {
                "id": cur.lastrowid,
                "patient_id": patient_id,
                "practitioner_id": practitioner_id,
                "condition": condition.strip(),
                "planned_sessions": planned_sessions,
                "sessions_per_week": sessions_per_week,
                "style": style,
                "reasoning": reasoning,
                "started_on": started,
                "symptoms": followed,
            }
            self._record(conn, "course.created", fields, at)
        return int(cur.lastrowid)

    def _course_columns(self) -> str:
        cached = self.__dict__.get("_course_cols")
        if cached is None:
            new = any(r[1] == "closed_on" for r in self.conn.execute("PRAGMA table_info(courses)"))
            cached = _COURSE_COLUMNS if new else _OLD_COURSE_COLUMNS
            self.__dict__["_course_cols"] = cached
        return cached

    def get_course(self, course_id: int) -> Course:
        row = self.conn.execute(f"SELECT {self._course_columns()} FROM courses WHERE id = ?", (course_id,)).fetchone()
        if row is None:
            raise StoreError(f"There is no course number {course_id}.")
        return _course(row)

    def list_courses(self, patient_id: int) -> list[Course]:
        rows = self.conn.execute(
            f"SELECT {self._course_columns()} FROM courses WHERE patient_id = ? ORDER BY started_on, id", (patient_id,)
        )
        return [_course(row) for row in rows]

    def current_course(self, patient_id: int) -> Course | None:
        """The patient's newest open course, where a new session is counted (None once all are closed)."""
        courses = [c for c in self.list_courses(patient_id) if c.is_open]
        return courses[-1] if courses else None

    def close_course(self, course_id: int, outcome: str, closed_on: dt.date | None = None) -> None:
        """Closes a course with an outcome note; new sessions then count in no course until another opens."""
        if not outcome.strip():
            raise StoreError("Closing a course needs an outcome note (for example: burning halved, course ended).")
        course = self.get_course(course_id)
        if not course.is_open:
            raise StoreError(f"Course {course_id} was already closed on {course.closed_on}.")
        day = (closed_on or self.clock.wall().date()).isoformat()
        at = self.now_text()
        with self.transaction() as conn:
            conn.execute(
                "UPDATE courses SET closed_on = ?, outcome = ? WHERE id = ? AND closed_on IS NULL",
                (day, outcome.strip(), course_id),
            )
            payload = {"id": course_id, "closed_on": day, "outcome": outcome.strip(), **self.practitioner_stamp()}
            self._record(conn, "course.changed", payload, at)
