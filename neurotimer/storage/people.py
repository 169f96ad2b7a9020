"""Practitioners, patients (with their screening answers) and courses of treatment."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from neurotimer.storage.db import StoreError

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


@dataclass(frozen=True)
class Practitioner:
    id: int
    name: str
    background: str


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
    return Course(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], dt.date.fromisoformat(row[8]))


_COURSE_COLUMNS = (
    "id, patient_id, practitioner_id, condition, planned_sessions, sessions_per_week, style, reasoning, started_on"
)


class PeopleMixin:
    """Store methods for practitioners, patients and courses (mixed into Store)."""

    conn: sqlite3.Connection
    clock: Clock

    if TYPE_CHECKING:

        def transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...
        def now_text(self) -> str: ...

    # -- practitioners ---------------------------------------------------------------------------
    def create_practitioner(self, name: str, background: str = "") -> int:
        """STRICTA item 5: who treats, and their training."""
        if not name.strip():
            raise StoreError("A practitioner needs a name.")
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO practitioners (name, background, created_at) VALUES (?, ?, ?)",
                (name.strip(), background, self.now_text()),
            )
        return int(cur.lastrowid)

    def list_practitioners(self) -> list[Practitioner]:
        rows = self.conn.execute("SELECT id, name, background FROM practitioners ORDER BY name, id")
        return [Practitioner(*row) for row in rows]

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
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO patients (code, name, birth_year, screening, notes, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (code, (name or "").strip() or None, birth_year, json.dumps(flags), notes, self.now_text()),
            )
        return int(cur.lastrowid)

    def update_screening(self, patient_id: int, screening: dict[str, Any]) -> None:
        flags = validate_screening(screening)
        with self.transaction() as conn:
            conn.execute("UPDATE patients SET screening = ? WHERE id = ?", (json.dumps(flags), patient_id))

    def set_archived(self, patient_id: int, archived: bool = True) -> None:
        """Hides a patient from the choose-patient list; their records stay."""
        with self.transaction() as conn:
            conn.execute("UPDATE patients SET archived = ? WHERE id = ?", (int(archived), patient_id))

    def _patient_columns(self) -> str:
        # Read-only stores may hold a version-1 file, which has no archived column yet.
        cached = self.__dict__.get("_patient_cols")
        if cached is None:
            has_archived = any(r[1] == "archived" for r in self.conn.execute("PRAGMA table_info(patients)"))
            cached = "id, code, name, birth_year, screening, notes, " + ("archived" if has_archived else "0")
            self.__dict__["_patient_cols"] = cached
        return cached

    def get_patient(self, patient_id: int) -> Patient:
        row = self.conn.execute(
            f"SELECT {self._patient_columns()} FROM patients WHERE id = ?", (patient_id,)
        ).fetchone()
        if row is None:
            raise StoreError(f"There is no patient number {patient_id}.")
        return _patient(row)

    def find_patient(self, code: str) -> Patient | None:
        row = self.conn.execute(
            f"SELECT {self._patient_columns()} FROM patients WHERE code = ?", (code.strip(),)
        ).fetchone()
        return None if row is None else _patient(row)

    def list_patients(self, search: str = "", include_archived: bool = False) -> list[Patient]:
        """Patients by code, filtered by a part of the code or name (case-insensitive)."""
        sql = f"SELECT {self._patient_columns()} FROM patients"
        clauses, params = [], []
        if search.strip():
            clauses.append("(code LIKE ? OR coalesce(name, '') LIKE ?)")
            params += [f"%{search.strip()}%"] * 2
        if not include_archived and self._patient_columns().endswith("archived"):
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
    ) -> int:
        """A course of treatment (STRICTA 1a–b, 3a–b): condition, plan, style and reasoning."""
        if not condition.strip():
            raise StoreError("A course needs the condition it treats.")
        if not 1 <= planned_sessions <= 60:
            raise StoreError(f"A course is planned for 1 to 60 sessions, not {planned_sessions}.")
        if not 0 < sessions_per_week <= 7:
            raise StoreError(f"Sessions per week must be more than 0 and at most 7, not {sessions_per_week}.")
        started = (started_on or self.clock.wall().date()).isoformat()
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO courses (patient_id, practitioner_id, condition, planned_sessions,"
                " sessions_per_week, style, reasoning, started_on, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    patient_id,
                    practitioner_id,
                    condition.strip(),
                    planned_sessions,
                    sessions_per_week,
                    style,
                    reasoning,
                    started,
                    self.now_text(),
                ),
            )
        return int(cur.lastrowid)

    def get_course(self, course_id: int) -> Course:
        row = self.conn.execute(f"SELECT {_COURSE_COLUMNS} FROM courses WHERE id = ?", (course_id,)).fetchone()
        if row is None:
            raise StoreError(f"There is no course number {course_id}.")
        return _course(row)

    def list_courses(self, patient_id: int) -> list[Course]:
        rows = self.conn.execute(
            f"SELECT {_COURSE_COLUMNS} FROM courses WHERE patient_id = ? ORDER BY started_on, id", (patient_id,)
        )
        return [_course(row) for row in rows]

    def current_course(self, patient_id: int) -> Course | None:
        """The patient's newest course, where a new session is counted."""
        courses = self.list_courses(patient_id)
        return courses[-1] if courses else None
