"""What the course view and the reports print, read from the log in a few queries (no Qt): a course's sessions
with their scores as amended, peak currents and plans; one session's STRICTA items."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from neurotimer.storage.models import SessionSummary
from neurotimer.storage.people import Course, Patient
from neurotimer.storage.review_queries import points_text

ScoreMap = dict[int, dict[tuple[str, str], int]]


def effective_scores(conn, session_ids: list[int]) -> ScoreMap:
    """{session: {(symptom, timing): value}}, the last amendment of a score winning over the value first written."""
    out: ScoreMap = {sid: {} for sid in session_ids}
    if not session_ids:
        return out
    marks = ",".join("?" * len(session_ids))
    for sid, symptom, timing, value in conn.execute(
        f"SELECT session_id, symptom, timing, value FROM scores WHERE session_id IN ({marks}) ORDER BY id",
        session_ids,
    ):
        out[sid][(symptom, timing)] = value
    for sid, key, new in conn.execute(
        f"SELECT session_id, row_key, new_value FROM amendments WHERE table_name = 'scores'"
        f" AND session_id IN ({marks}) ORDER BY id",
        session_ids,
    ):
        row = json.loads(key)
        out[sid][(row["symptom"], row["timing"])] = json.loads(new)
    return out


def peaks(conn, session_ids: list[int]) -> dict[int, dict[int, float]]:
    out: dict[int, dict[int, float]] = {sid: {} for sid in session_ids}
    if session_ids:
        marks = ",".join("?" * len(session_ids))
        for sid, channel, peak in conn.execute(
            f"SELECT session_id, channel, peak_ma FROM session_peaks WHERE session_id IN ({marks})", session_ids
        ):
            out[sid][channel] = peak
    return out


@dataclass
class CourseData:
    course: Course
    patient: Patient
    sessions: list[SessionSummary]
    scores: ScoreMap
    peaks: dict[int, dict[int, float]]
    points: dict[int, str] = field(default_factory=dict)
    channels: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    practitioner: str = ""

    def session(self, session_id: int) -> SessionSummary:
        return next(s for s in self.sessions if s.id == session_id)


def course_data(store, course_id: int) -> CourseData:
    course = store.get_course(course_id)
    view = store.course_view(course_id)
    ids = [s.id for s in view.sessions]
    conn = store.conn
    points: dict[int, str] = {}
    channels: dict[int, list[dict[str, Any]]] = {sid: [] for sid in ids}
    if ids:
        marks = ",".join("?" * len(ids))
        raw: dict[int, list[str]] = {}
        for sid, code, side in conn.execute(
            f"SELECT session_id, code, side FROM session_points WHERE session_id IN ({marks})"
            " ORDER BY session_id, position", ids,
        ):
            raw.setdefault(sid, []).append(f"{code} {side}")
        points = {sid: points_text(",".join(raw.get(sid, []))) for sid in ids}
        for sid, ch, ac, as_, bc, bs, settings in conn.execute(
            f"SELECT session_id, channel, a_code, a_side, b_code, b_side, settings FROM session_channels"
            f" WHERE session_id IN ({marks}) ORDER BY session_id, channel", ids,
        ):
            channels[sid].append({"channel": ch, "a": [ac, as_], "b": [bc, bs], **json.loads(settings)})
    practitioner = ""
    if course.practitioner_id is not None:
        row = conn.execute("SELECT name FROM practitioners WHERE id = ?", (course.practitioner_id,)).fetchone()
        practitioner = row[0] if row else ""
    return CourseData(
        course=course,
        patient=store.effective_patient(course.patient_id),
        sessions=view.sessions,
        scores=effective_scores(conn, ids),
        peaks=peaks(conn, ids),
        points=points,
        channels=channels,
        practitioner=practitioner,
    )
