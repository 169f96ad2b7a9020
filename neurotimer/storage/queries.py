"""Reading session records: one session in full, the newest sessions, a course, the last points used."""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any

from neurotimer.storage.amendments import AMENDMENT_COLUMNS, amendment_from_row
from neurotimer.storage.db import StoreError
from neurotimer.storage.models import (
    DETAIL_FIELDS,
    AdverseEvent,
    CourseView,
    Point,
    Score,
    SessionRecord,
    SessionSummary,
)

_SUMMARY_SQL = (
    "SELECT s.id, s.patient_id, p.code, s.course_id, s.number, s.state, s.planned_minutes, s.started_at,"
    " s.ended_at, s.treatment_seconds, s.event_count FROM sessions s LEFT JOIN patients p ON p.id = s.patient_id"
)


class QueriesMixin:
    """Store methods that read sessions (mixed into Store)."""

    conn: sqlite3.Connection

    if TYPE_CHECKING:

        def current_course(self, patient_id: int) -> Any: ...
        def practitioner_text(self, practitioner_id: int | None) -> str: ...

    def get_session(self, session_id: int) -> SessionRecord:
        row = self.conn.execute(_SUMMARY_SQL + " WHERE s.id = ?", (session_id,)).fetchone()
        if row is None:
            raise StoreError(f"There is no session number {session_id}.")
        summary = SessionSummary(*row)
        extra = self.conn.execute(
            "SELECT practitioner_id, needle_type, depth, response_sought, setting, notes, last_hash"
            " FROM sessions WHERE id = ?",
            (session_id,),
        ).fetchone()
        points = [
            tuple(r)
            for r in self.conn.execute(
                "SELECT code, side FROM session_points WHERE session_id = ? ORDER BY position", (session_id,)
            )
        ]
        channels = [
            {"channel": ch, "a": [ac, as_], "b": [bc, bs], **json.loads(settings)}
            for ch, ac, as_, bc, bs, settings in self.conn.execute(
                "SELECT channel, a_code, a_side, b_code, b_side, settings FROM session_channels"
                " WHERE session_id = ? ORDER BY channel",
                (session_id,),
            )
        ]
        return SessionRecord(
            summary=summary,
            practitioner_id=extra[0],
            details=dict(zip(DETAIL_FIELDS, extra[1:6], strict=True)),
            points=points,
            channels=channels,
            scores=self.scores_for([session_id]),
            adverse_events=[
                AdverseEvent(*r)
                for r in self.conn.execute(
                    "SELECT id, session_id, kind, severity, notes, recorded_at FROM adverse_events"
                    " WHERE session_id = ? ORDER BY id",
                    (session_id,),
                )
            ],
            amendments=[
                amendment_from_row(r)
                for r in self.conn.execute(
                    f"SELECT {self._amendment_columns()} FROM amendments WHERE session_id = ? ORDER BY id",
                    (session_id,),
                )
            ],
            last_hash=bytes(extra[6]).hex(),
            practitioner=self.practitioner_text(extra[0]),
        )

    def _amendment_columns(self) -> str:
        # A read-only store may hold a file from before version 3, whose amendments concern sessions only.
        cached = self.__dict__.get("_amendment_cols")
        if cached is None:
            new = any(r[1] == "table_name" for r in self.conn.execute("PRAGMA table_info(amendments)"))
            cached = AMENDMENT_COLUMNS if new else AMENDMENT_COLUMNS.replace(
                "table_name, row_key", "'sessions', json_object('id', session_id)")
            self.__dict__["_amendment_cols"] = cached
        return cached

    def scores_for(self, session_ids: list[int]) -> list[Score]:
        if not session_ids:
            return []
        marks = ",".join("?" * len(session_ids))
        rows = self.conn.execute(
            "SELECT id, session_id, symptom, timing, value, recorded_at FROM scores"
            f" WHERE session_id IN ({marks}) ORDER BY session_id, id",
            session_ids,
        )
        return [Score(*r) for r in rows]

    def newest_sessions(self, limit: int = 100, patient_id: int | None = None) -> list[SessionSummary]:
        """The most recently started sessions, newest first (optionally one patient's)."""
        if patient_id is None:
            rows = self.conn.execute(_SUMMARY_SQL + " ORDER BY s.started_at DESC, s.id DESC LIMIT ?", (limit,))
        else:
            rows = self.conn.execute(
                _SUMMARY_SQL + " WHERE s.patient_id = ? ORDER BY s.started_at DESC, s.id DESC LIMIT ?",
                (patient_id, limit),
            )
        return [SessionSummary(*r) for r in rows]

    def running_sessions(self) -> list[SessionSummary]:
        rows = self.conn.execute(_SUMMARY_SQL + " WHERE s.state IN ('running', 'paused') ORDER BY s.id")
        return [SessionSummary(*r) for r in rows]

    def course_view(self, course_id: int) -> CourseView:
        """A course's sessions in order with every score, for the course chart and table."""
        rows = self.conn.execute(
            _SUMMARY_SQL + " WHERE s.course_id = ? ORDER BY s.number, s.id", (course_id,)
        ).fetchall()
        sessions = [SessionSummary(*r) for r in rows]
        return CourseView(course_id, sessions, self.scores_for([s.id for s in sessions]))

    def patient_course(self, patient_id: int, course_id: int | None = None) -> CourseView | None:
        """The patient's newest course (or the one named), None when they have no course yet."""
        if course_id is None:
            course = self.current_course(patient_id)
            if course is None:
                return None
            course_id = course.id
        return self.course_view(course_id)

    def last_session_points(self, patient_id: int) -> list[Point]:
        """Points of the patient's latest session that has any (amendments applied): 'same as last time'."""
        ids = [
            r[0]
            for r in self.conn.execute(
                "SELECT id FROM sessions WHERE patient_id = ? ORDER BY started_at DESC, id DESC", (patient_id,)
            )
        ]
        for session_id in ids:
            points = self.get_session(session_id).effective("points")
            if points:
                return [(str(code), str(side)) for code, side in points]
        return []

    def session_marks(self, session_id: int, kinds: tuple[str, ...]) -> list[tuple[str, dict[str, Any]]]:
        """A session's events of these kinds, in order, as (kind, data): a few rows, not its whole log."""
        if not kinds:
            return []
        rows = self.conn.execute(
            f"SELECT kind, payload FROM events WHERE session_id = ? AND kind IN ({', '.join('?' for _ in kinds)})"
            " ORDER BY seq",
            (session_id, *kinds),
        )
        return [(kind, json.loads(payload)) for kind, payload in rows]

    def session_events(self, session_id: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT seq, at, offset_s, kind, payload, hash FROM events WHERE session_id = ? ORDER BY seq",
            (session_id,),
        )
        return [
            {
                "seq": seq,
                "at": at,
                "offset": offset,
                "kind": kind,
                "data": json.loads(payload),
                "hash": bytes(digest).hex(),
            }
            for seq, at, offset, kind, payload, digest in rows
        ]
