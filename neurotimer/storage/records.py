"""Session records: the session row, its plan (points, channel pairs), scores, adverse events, amendments."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from neurotimer.storage.chain import GENESIS, append_event
from neurotimer.storage.db import StoreError

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

SIDES = ("L", "R", "M")
SYMPTOM_TIMING = ("before", "after")
SEVERITIES = ("mild", "moderate", "severe")
DETAIL_FIELDS = ("needle_type", "depth", "response_sought", "setting", "notes")
AMENDABLE = ("planned_minutes", "number", "patient_id", *DETAIL_FIELDS, "points", "channels")

Point = tuple[str, str]


@dataclass(frozen=True)
class SessionSummary:
    id: int
    patient_id: int | None
    patient_code: str | None
    course_id: int | None
    number: int | None
    state: str
    planned_minutes: int
    started_at: str
    ended_at: str | None
    treatment_seconds: float
    event_count: int


@dataclass(frozen=True)
class Score:
    id: int
    session_id: int
    symptom: str
    timing: str
    value: int
    recorded_at: str


@dataclass(frozen=True)
class AdverseEvent:
    id: int
    session_id: int
    kind: str
    severity: str
    notes: str
    recorded_at: str


@dataclass(frozen=True)
class Amendment:
    id: int
    session_id: int
    field: str
    old_value: Any
    new_value: Any
    who: str
    at: str
    why: str


@dataclass(frozen=True)
class SessionRecord:
    """A session as written, with its amendments beside it (never folded into the original)."""

    summary: SessionSummary
    practitioner_id: int | None
    details: dict[str, str]
    points: list[Point]
    channels: list[dict[str, Any]]
    scores: list[Score]
    adverse_events: list[AdverseEvent]
    amendments: list[Amendment]
    last_hash: str

    @property
    def id(self) -> int:
        return self.summary.id

    def effective(self, name: str) -> Any:
        """The value after the latest amendment of `name`, or the original."""
        for amendment in reversed(self.amendments):
            if amendment.field == name:
                return amendment.new_value
        if name == "points":
            return [list(p) for p in self.points]
        if name == "channels":
            return self.channels
        if name in DETAIL_FIELDS:
            return self.details[name]
        return getattr(self.summary, name)


@dataclass(frozen=True)
class CourseView:
    course_id: int
    sessions: list[SessionSummary]
    scores: list[Score] = field(default_factory=list)


_SUMMARY_SQL = (
    "SELECT s.id, s.patient_id, p.code, s.course_id, s.number, s.state, s.planned_minutes, s.started_at,"
    " s.ended_at, s.treatment_seconds, s.event_count FROM sessions s LEFT JOIN patients p ON p.id = s.patient_id"
)


def _points(points: list[Point] | list[list[str]]) -> list[Point]:
    clean = []
    for item in points:
        code, side = item
        if not str(code).strip():
            raise StoreError("A point needs its code (for example ST36).")
        if side not in SIDES:
            raise StoreError(f"A point's side is L, R or M (midline), not {side!r}.")
        clean.append((str(code).strip(), side))
    return clean


def _channels(channels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen = set()
    clean = []
    for item in channels:
        number = item.get("channel")
        if not isinstance(number, int) or not 1 <= number <= 8 or number in seen:
            raise StoreError(f"Channels are numbered 1 to 8, each once; {number!r} is not valid.")
        seen.add(number)
        (a,) = _points([item["a"]])
        (b,) = _points([item["b"]])
        clean.append({**item, "a": list(a), "b": list(b)})
    return clean


def seconds_between(start: str, end: str) -> float:
    parse = dt.datetime.fromisoformat
    return (parse(end.replace("Z", "+00:00")) - parse(start.replace("Z", "+00:00"))).total_seconds()


class RecordsMixin:
    """Store methods for sessions and what hangs off them (mixed into Store)."""

    conn: sqlite3.Connection

    if TYPE_CHECKING:

        def transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...
        def now_text(self) -> str: ...
        def current_course(self, patient_id: int) -> Any: ...

    # -- the session row (written by the Recorder) ----------------------------------------------
    def insert_session(
        self,
        conn: sqlite3.Connection,
        *,
        started_at: str,
        planned_minutes: int,
        patient_id: int | None = None,
        course_id: int | None = None,
        practitioner_id: int | None = None,
        details: dict[str, str] | None = None,
    ) -> int:
        """Inside the caller's transaction: a new running session, numbered in its course."""
        details = {k: str(v) for k, v in (details or {}).items() if k in DETAIL_FIELDS}
        if course_id is None and patient_id is not None:
            course = self.current_course(patient_id)
            course_id = course.id if course else None
        number = self._next_number(conn, course_id)
        cur = conn.execute(
            "INSERT INTO sessions (patient_id, course_id, practitioner_id, number, planned_minutes, state,"
            " needle_type, depth, response_sought, setting, notes, started_at, last_hash)"
            " VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?)",
            (
                patient_id,
                course_id,
                practitioner_id,
                number,
                planned_minutes,
                *(details.get(k, "") for k in DETAIL_FIELDS),
                started_at,
                GENESIS,
            ),
        )
        return int(cur.lastrowid)

    @staticmethod
    def _next_number(conn: sqlite3.Connection, course_id: int | None) -> int | None:
        if course_id is None:
            return None
        row = conn.execute("SELECT coalesce(max(number), 0) + 1 FROM sessions WHERE course_id = ?", (course_id,))
        return int(row.fetchone()[0])

    def apply_effects(
        self, conn: sqlite3.Connection, session_id: int, kind: str, payload: dict[str, Any], at: str, offset: float
    ) -> None:
        """What a domain event changes in the session row, in the event's own transaction."""
        treatment = payload.get("treatment_seconds")
        if kind == "session.paused":
            conn.execute("UPDATE sessions SET state = 'paused' WHERE id = ?", (session_id,))
        elif kind == "session.resumed":
            conn.execute("UPDATE sessions SET state = 'running' WHERE id = ?", (session_id,))
        elif kind in ("session.ended", "session.interrupted"):
            state = payload.get("outcome", "interrupted")
            ended = at if kind == "session.ended" else None
            conn.execute(
                "UPDATE sessions SET state = ?, ended_at = ?, treatment_seconds = ? WHERE id = ?",
                (state, ended, float(treatment or 0.0), session_id),
            )
        elif kind == "session.assigned":
            patient_id = payload["patient_id"]
            course = self.current_course(patient_id)
            course_id = course.id if course else None
            conn.execute(
                "UPDATE sessions SET patient_id = ?, course_id = ?, number = ? WHERE id = ?",
                (patient_id, course_id, self._next_number(conn, course_id), session_id),
            )
        if treatment is not None and kind in ("session.paused", "session.ended"):
            self.upsert_progress(conn, session_id, float(treatment), offset, at)

    @staticmethod
    def upsert_progress(conn: sqlite3.Connection, session_id: int, treatment: float, offset: float, at: str) -> None:
        conn.execute(
            "INSERT INTO session_progress (session_id, treatment_seconds, offset_s, at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(session_id) DO UPDATE SET treatment_seconds = excluded.treatment_seconds,"
            " offset_s = excluded.offset_s, at = excluded.at",
            (session_id, round(treatment, 3), round(offset, 3), at),
        )

    # -- additions after the fact, each also a chained event ------------------------------------
    def _append_later(self, conn: sqlite3.Connection, session_id: int, kind: str, payload: dict[str, Any]) -> int:
        row = conn.execute("SELECT started_at FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            raise StoreError(f"There is no session number {session_id}.")
        at = self.now_text()
        seq, _ = append_event(conn, session_id, at, max(0.0, seconds_between(row[0], at)), kind, payload)
        return seq

    def record_event(self, session_id: int, kind: str, payload: dict[str, Any]) -> int:
        """Appends one event to a session's log now (for events outside a live Recorder); returns seq."""
        with self.transaction() as conn:
            return self._append_later(conn, session_id, kind, payload)

    def save_plan(self, session_id: int, points: list[Point], channels: list[dict[str, Any]] | None = None) -> None:
        """Replaces an open session's points and channel pairs (a closed one needs an amendment).

        channels: [{"channel": 1, "a": ("ST36", "L"), "b": ("GB39", "L"), "mode": "2/100", ...}]
        """
        clean_points = _points(points)
        clean_channels = _channels(channels or [])
        with self.transaction() as conn:
            conn.execute("DELETE FROM session_points WHERE session_id = ?", (session_id,))
            conn.execute("DELETE FROM session_channels WHERE session_id = ?", (session_id,))
            conn.executemany(
                "INSERT INTO session_points (session_id, position, code, side) VALUES (?, ?, ?, ?)",
                [(session_id, i, code, side) for i, (code, side) in enumerate(clean_points)],
            )
            conn.executemany(
                "INSERT INTO session_channels (session_id, channel, a_code, a_side, b_code, b_side, settings)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        session_id,
                        c["channel"],
                        *c["a"],
                        *c["b"],
                        json.dumps({k: v for k, v in c.items() if k not in ("channel", "a", "b")}, sort_keys=True),
                    )
                    for c in clean_channels
                ],
            )
            self._append_later(
                conn,
                session_id,
                "plan.saved",
                {"points": [list(p) for p in clean_points], "channels": clean_channels},
            )

    def add_score(self, session_id: int, symptom: str, value: int, timing: str = "before") -> int:
        """A 0–10 rating of one symptom before or after a session."""
        if timing not in SYMPTOM_TIMING:
            raise StoreError("A score is taken 'before' or 'after' the session.")
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
            raise StoreError(f"A symptom score is a whole number from 0 to 10, not {value!r}.")
        if not symptom.strip():
            raise StoreError("A score needs the symptom it rates.")
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO scores (session_id, symptom, timing, value, recorded_at) VALUES (?, ?, ?, ?, ?)",
                (session_id, symptom.strip(), timing, value, self.now_text()),
            )
            self._append_later(
                conn, session_id, "score.recorded", {"symptom": symptom.strip(), "timing": timing, "value": value}
            )
        return int(cur.lastrowid)

    def add_adverse_event(self, session_id: int, kind: str, severity: str = "mild", notes: str = "") -> int:
        """An acute adverse event (bruising, soreness, fainting, …) seen in or after a session."""
        if severity not in SEVERITIES:
            raise StoreError(f"Severity is mild, moderate or severe, not {severity!r}.")
        if not kind.strip():
            raise StoreError("An adverse event needs what happened (for example bruising).")
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO adverse_events (session_id, kind, severity, notes, recorded_at) VALUES (?, ?, ?, ?, ?)",
                (session_id, kind.strip(), severity, notes, self.now_text()),
            )
            self._append_later(
                conn, session_id, "adverse_event.recorded", {"kind": kind.strip(), "severity": severity, "notes": notes}
            )
        return int(cur.lastrowid)

    def amend_session(self, session_id: int, field_name: str, new_value: Any, who: str, why: str) -> int:
        """Corrects a session by amendment: who, when, why, the old and the new value; both stay visible."""
        if field_name not in AMENDABLE:
            raise StoreError(f"{field_name!r} cannot be amended; amendable: {', '.join(AMENDABLE)}.")
        if not who.strip():
            raise StoreError("An amendment needs the name of who made it.")
        if not why.strip():
            raise StoreError("An amendment needs the reason for the correction.")
        if field_name == "points":
            new_value = [list(p) for p in _points(new_value)]
        elif field_name == "channels":
            new_value = _channels(new_value)
        elif field_name == "planned_minutes" and (not isinstance(new_value, int) or not 1 <= new_value <= 120):
            raise StoreError("Planned time must be 1 to 120 whole minutes.")
        old_value = self.get_session(session_id).effective(field_name)
        at = self.now_text()
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO amendments (session_id, field, old_value, new_value, who, at, why)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (session_id, field_name, json.dumps(old_value), json.dumps(new_value), who.strip(), at, why.strip()),
            )
            self._append_later(
                conn,
                session_id,
                "record.amended",
                {
                    "amendment": cur.lastrowid,
                    "field": field_name,
                    "old": old_value,
                    "new": new_value,
                    "who": who.strip(),
                    "why": why.strip(),
                },
            )
        return int(cur.lastrowid)

    # -- reading ---------------------------------------------------------------------------------
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
                Amendment(i, s, f, json.loads(o), json.loads(n), w, a, y)
                for i, s, f, o, n, w, a, y in self.conn.execute(
                    "SELECT id, session_id, field, old_value, new_value, who, at, why FROM amendments"
                    " WHERE session_id = ? ORDER BY id",
                    (session_id,),
                )
            ],
            last_hash=bytes(extra[6]).hex(),
        )

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
