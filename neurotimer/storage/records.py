"""Writing session records: the session row, its plan (points, channel pairs), scores, adverse events;
each addition also appended to the session's hash chain."""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any

from neurotimer.storage.chain import GENESIS, append_event
from neurotimer.storage.db import StoreError
from neurotimer.storage.models import (
    DETAIL_FIELDS,
    SEVERITIES,
    SYMPTOM_TIMING,
    Point,
    check_channels,
    check_points,
    seconds_between,
)

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

# Additions a live session's Recorder writes like any event: the event and its row in one transaction.
SCORE_RECORDED = "score.recorded"
ADVERSE_EVENT_RECORDED = "adverse_event.recorded"
PLAN_SAVED = "plan.saved"


def score_payload(symptom: str, value: int, timing: str = "before") -> dict[str, Any]:
    """A 0–10 rating of one symptom before or after a session, checked; StoreError if it is not one."""
    if timing not in SYMPTOM_TIMING:
        raise StoreError("A score is taken 'before' or 'after' the session.")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        raise StoreError(f"A symptom score is a whole number from 0 to 10, not {value!r}.")
    if not symptom.strip():
        raise StoreError("A score needs the symptom it rates.")
    return {"symptom": symptom.strip(), "timing": timing, "value": value}


def adverse_event_payload(kind: str, severity: str = "mild", notes: str = "") -> dict[str, Any]:
    """An acute adverse event (bruising, soreness, fainting, …), checked; StoreError if it is not one."""
    if severity not in SEVERITIES:
        raise StoreError(f"Severity is mild, moderate or severe, not {severity!r}.")
    if not kind.strip():
        raise StoreError("An adverse event needs what happened (for example bruising).")
    return {"kind": kind.strip(), "severity": severity, "notes": notes}


def plan_payload(points: list[Point], channels: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A session's points and channel pairs, checked; StoreError if they are not valid."""
    return {"points": [list(p) for p in check_points(points)], "channels": check_channels(channels or [])}


def commanded_current(kind: str, payload: dict[str, Any]) -> tuple[int, float] | None:
    """(channel, mA) when an event sets a channel's current: the app's set_current command, or the
    older demo log's stim.intensity."""
    try:
        if kind == "stim.command" and payload.get("command") == "set_current":
            channel, milliamps = payload["args"][:2]
        elif kind == "stim.intensity":
            channel, milliamps = payload["channel"], payload["mA"]
        else:
            return None
        return int(channel), float(milliamps)
    except (KeyError, TypeError, ValueError):
        return None


def derive_from_event(conn: sqlite3.Connection, session_id: int, kind: str, payload: dict[str, Any], at: str) -> None:
    """Tables the review window reads, kept from the events in the event's own transaction."""
    current = commanded_current(kind, payload)
    if current is not None:
        conn.execute(
            "INSERT INTO session_peaks (session_id, channel, peak_ma) VALUES (?, ?, ?)"
            " ON CONFLICT(session_id, channel) DO UPDATE SET peak_ma = CASE"
            " WHEN excluded.peak_ma > session_peaks.peak_ma THEN excluded.peak_ma ELSE session_peaks.peak_ma END",
            (session_id, *current),
        )
    elif kind == "session.note":
        seq = conn.execute("SELECT event_count FROM sessions WHERE id = ?", (session_id,)).fetchone()[0]
        conn.execute(
            "INSERT INTO session_notes (session_id, seq, at, text, practitioner) VALUES (?, ?, ?, ?, ?)",
            (session_id, seq, at, str(payload.get("text", "")), str(payload.get("practitioner", ""))),
        )


class RecordsMixin:
    """Store methods for sessions and what hangs off them (mixed into Store)."""

    conn: sqlite3.Connection

    if TYPE_CHECKING:

        def transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...
        def now_text(self) -> str: ...
        def current_course(self, patient_id: int) -> Any: ...
        def practitioner_stamp(self) -> dict[str, Any]: ...

        current_practitioner_id: int | None

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
        chair: str = "",
    ) -> int:
        """Inside the caller's transaction: a new running session, numbered in its course. `chair` names the
        chair it runs at, for the clinic board of a server log (kept with its lease, not in the record)."""
        details = {k: str(v) for k, v in (details or {}).items() if k in DETAIL_FIELDS}
        if course_id is None and patient_id is not None:
            course = self.current_course(patient_id)
            course_id = course.id if course else None
        number = self._next_number(conn, course_id)
        practitioner_id = practitioner_id if practitioner_id is not None else self.current_practitioner_id
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
        session_id = int(cur.lastrowid)
        # The row's facts as written, first in the session's chain, so that verify can rebuild the row.
        opened = {
            "patient_id": patient_id,
            "course_id": course_id,
            "practitioner_id": practitioner_id,
            "number": number,
            "planned_minutes": planned_minutes,
            "started_at": started_at,
            **{k: details.get(k, "") for k in DETAIL_FIELDS},
        }
        append_event(conn, session_id, started_at, 0.0, "session.opened", opened)
        return session_id

    @staticmethod
    def _next_number(conn: sqlite3.Connection, course_id: int | None, session_id: int | None = None) -> int | None:
        if course_id is None:
            return None
        row = conn.execute(
            "SELECT coalesce(max(number), 0) + 1 FROM sessions WHERE course_id = ? AND id IS NOT ?",
            (course_id, session_id),
        )
        return int(row.fetchone()[0])

    def append_session_event(
        self, conn: sqlite3.Connection, session_id: int, at: str, offset: float, kind: str, payload: dict[str, Any]
    ) -> int:
        """Appends a session's event and writes what it changes in the session row, in one transaction."""
        payload = self._resolve(conn, session_id, kind, payload)
        if kind in (SCORE_RECORDED, ADVERSE_EVENT_RECORDED) and "id" not in payload:
            # The row first, so that the event names it (the replay keys scores and adverse events by id).
            payload = {"id": self._insert_fact(conn, session_id, kind, payload, at), **payload}
        seq, _ = append_event(conn, session_id, at, offset, kind, payload)
        self.apply_effects(conn, session_id, kind, payload, at, offset)
        return int(seq or 0)

    @staticmethod
    def _insert_fact(conn: sqlite3.Connection, session_id: int, kind: str, payload: dict[str, Any], at: str) -> int:
        if kind == SCORE_RECORDED:
            cur = conn.execute(
                "INSERT INTO scores (session_id, symptom, timing, value, recorded_at) VALUES (?, ?, ?, ?, ?)",
                (session_id, payload["symptom"], payload["timing"], payload["value"], at),
            )
        else:
            cur = conn.execute(
                "INSERT INTO adverse_events (session_id, kind, severity, notes, recorded_at) VALUES (?, ?, ?, ?, ?)",
                (session_id, payload["kind"], payload["severity"], payload["notes"], at),
            )
        return int(cur.lastrowid)

    def _resolve(self, conn: sqlite3.Connection, session_id: int, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        # What the row will hold goes into the event itself, so that the event alone says it.
        if kind != "session.assigned" or "course_id" in payload:
            return payload
        course = self.current_course(payload["patient_id"])
        course_id = course.id if course else None
        was_course, number = conn.execute(
            "SELECT course_id, number FROM sessions WHERE id = ?", (session_id,)
        ).fetchone()
        if course_id != was_course or number is None:
            number = self._next_number(conn, course_id, session_id)
        return {**payload, "course_id": course_id, "number": number}

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
            payload = self._resolve(conn, session_id, kind, payload)
            conn.execute(
                "UPDATE sessions SET patient_id = ?, course_id = ?, number = ? WHERE id = ?",
                (payload["patient_id"], payload["course_id"], payload["number"], session_id),
            )
        elif kind == "session.details":
            # The needling details (STRICTA 2c, 2d, 2g, 4b) of a live session; a closed one needs an amendment.
            columns = [name for name in DETAIL_FIELDS if name in payload]
            if columns:
                conn.execute(
                    f"UPDATE sessions SET {', '.join(c + ' = ?' for c in columns)}"
                    " WHERE id = ? AND state IN ('running', 'paused')",
                    (*(str(payload[c]) for c in columns), session_id),
                )
        elif kind == SCORE_RECORDED and "id" not in payload:
            conn.execute(
                "INSERT INTO scores (session_id, symptom, timing, value, recorded_at) VALUES (?, ?, ?, ?, ?)",
                (session_id, payload["symptom"], payload["timing"], payload["value"], at),
            )
        elif kind == ADVERSE_EVENT_RECORDED and "id" not in payload:
            conn.execute(
                "INSERT INTO adverse_events (session_id, kind, severity, notes, recorded_at) VALUES (?, ?, ?, ?, ?)",
                (session_id, payload["kind"], payload["severity"], payload["notes"], at),
            )
        elif kind == PLAN_SAVED:
            self._replace_plan(conn, session_id, payload["points"], payload["channels"])
        derive_from_event(conn, session_id, kind, payload, at)
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
    def _append_later(
        self, conn: sqlite3.Connection, session_id: int, kind: str, payload: dict[str, Any], at: str | None = None
    ) -> int:
        row = conn.execute("SELECT started_at FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            raise StoreError(f"There is no session number {session_id}.")
        at = at or self.now_text()
        seq, _ = append_event(conn, session_id, at, max(0.0, seconds_between(row[0], at)), kind, payload)
        derive_from_event(conn, session_id, kind, payload, at)
        return int(seq or 0)

    def _check_session(self, session_id: int) -> None:
        if not self.conn.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone():
            raise StoreError(f"There is no session number {session_id}.")

    def record_event(self, session_id: int, kind: str, payload: dict[str, Any]) -> int:
        """Appends one event to a session's log now (for events outside a live Recorder); returns seq."""
        with self.transaction() as conn:
            return self._append_later(conn, session_id, kind, payload)

    def save_plan(self, session_id: int, points: list[Point], channels: list[dict[str, Any]] | None = None) -> None:
        """Replaces an open session's points and channel pairs (a closed one needs an amendment).

        channels: [{"channel": 1, "a": ("ST36", "L"), "b": ("GB39", "L"), "mode": "2/100", ...}]
        """
        payload = plan_payload(points, channels)
        with self.transaction() as conn:
            self._replace_plan(conn, session_id, payload["points"], payload["channels"])
            self._append_later(conn, session_id, PLAN_SAVED, payload)

    @staticmethod
    def _replace_plan(
        conn: sqlite3.Connection, session_id: int, points: list[list[str]], channels: list[dict[str, Any]]
    ) -> None:
        conn.execute("DELETE FROM session_points WHERE session_id = ?", (session_id,))
        conn.execute("DELETE FROM session_channels WHERE session_id = ?", (session_id,))
        conn.executemany(
            "INSERT INTO session_points (session_id, position, code, side) VALUES (?, ?, ?, ?)",
            [(session_id, i, code, side) for i, (code, side) in enumerate(points)],
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
                for c in channels
            ],
        )

    def add_score(self, session_id: int, symptom: str, value: int, timing: str = "before") -> int:
        """A 0–10 rating of one symptom before or after a session."""
        payload = score_payload(symptom, value, timing)
        self._check_session(session_id)
        at = self.now_text()
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO scores (session_id, symptom, timing, value, recorded_at) VALUES (?, ?, ?, ?, ?)",
                (session_id, payload["symptom"], timing, value, at),
            )
            payload = {"id": cur.lastrowid, **payload, **self.practitioner_stamp()}
            self._append_later(conn, session_id, SCORE_RECORDED, payload, at)
        return int(cur.lastrowid)

    def add_adverse_event(self, session_id: int, kind: str, severity: str = "mild", notes: str = "") -> int:
        """An acute adverse event (bruising, soreness, fainting, …) seen in or after a session."""
        payload = adverse_event_payload(kind, severity, notes)
        self._check_session(session_id)
        at = self.now_text()
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO adverse_events (session_id, kind, severity, notes, recorded_at) VALUES (?, ?, ?, ?, ?)",
                (session_id, payload["kind"], severity, notes, at),
            )
            payload = {"id": cur.lastrowid, **payload, **self.practitioner_stamp()}
            self._append_later(conn, session_id, ADVERSE_EVENT_RECORDED, payload, at)
        return int(cur.lastrowid)
