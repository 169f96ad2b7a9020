"""Numbered schema migrations, each applied in one transaction after a backup copy of the file."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable

from neurotimer.storage import migrate_chain, rules
from neurotimer.storage.rules import CLOSED_STATES

log = logging.getLogger(__name__)

APPLICATION_ID = 0x4E54494D  # "NTIM": marks the file as a neurotimer log.

# Each version is a tuple of single statements: executescript() would commit half-way through.
V1 = (
    """CREATE TABLE practitioners (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        background TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL)""",
    """CREATE TABLE patients (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        name TEXT,
        birth_year INTEGER,
        screening TEXT NOT NULL DEFAULT '{}',
        notes TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL)""",
    """CREATE TABLE courses (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL REFERENCES patients(id),
        practitioner_id INTEGER REFERENCES practitioners(id),
        condition TEXT NOT NULL,
        planned_sessions INTEGER NOT NULL CHECK (planned_sessions BETWEEN 1 AND 60),
        sessions_per_week REAL NOT NULL CHECK (sessions_per_week > 0 AND sessions_per_week <= 7),
        style TEXT NOT NULL DEFAULT '',
        reasoning TEXT NOT NULL DEFAULT '',
        started_on TEXT NOT NULL,
        created_at TEXT NOT NULL)""",
    f"""CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER REFERENCES patients(id),
        course_id INTEGER REFERENCES courses(id),
        practitioner_id INTEGER REFERENCES practitioners(id),
        number INTEGER,
        planned_minutes INTEGER NOT NULL CHECK (planned_minutes BETWEEN 1 AND 120),
        state TEXT NOT NULL CHECK (state IN ('running', 'paused') OR state IN {CLOSED_STATES}),
        needle_type TEXT NOT NULL DEFAULT '',
        depth TEXT NOT NULL DEFAULT '',
        response_sought TEXT NOT NULL DEFAULT '',
        setting TEXT NOT NULL DEFAULT '',
        notes TEXT NOT NULL DEFAULT '',
        started_at TEXT NOT NULL,
        ended_at TEXT,
        treatment_seconds REAL NOT NULL DEFAULT 0,
        event_count INTEGER NOT NULL DEFAULT 0,
        last_hash BLOB NOT NULL)""",
    """CREATE TABLE session_progress (
        session_id INTEGER PRIMARY KEY REFERENCES sessions(id),
        treatment_seconds REAL NOT NULL,
        offset_s REAL NOT NULL,
        at TEXT NOT NULL)""",
    """CREATE TABLE session_points (
        session_id INTEGER NOT NULL REFERENCES sessions(id),
        position INTEGER NOT NULL,
        code TEXT NOT NULL,
        side TEXT NOT NULL CHECK (side IN ('L', 'R', 'M')),
        PRIMARY KEY (session_id, position)) WITHOUT ROWID""",
    """CREATE TABLE session_channels (
        session_id INTEGER NOT NULL REFERENCES sessions(id),
        channel INTEGER NOT NULL,
        a_code TEXT NOT NULL,
        a_side TEXT NOT NULL CHECK (a_side IN ('L', 'R', 'M')),
        b_code TEXT NOT NULL,
        b_side TEXT NOT NULL CHECK (b_side IN ('L', 'R', 'M')),
        settings TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (session_id, channel)) WITHOUT ROWID""",
    """CREATE TABLE scores (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id),
        symptom TEXT NOT NULL,
        timing TEXT NOT NULL CHECK (timing IN ('before', 'after')),
        value INTEGER NOT NULL CHECK (value BETWEEN 0 AND 10),
        recorded_at TEXT NOT NULL)""",
    """CREATE TABLE adverse_events (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id),
        kind TEXT NOT NULL,
        severity TEXT NOT NULL CHECK (severity IN ('mild', 'moderate', 'severe')),
        notes TEXT NOT NULL DEFAULT '',
        recorded_at TEXT NOT NULL)""",
    """CREATE TABLE amendments (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id),
        field TEXT NOT NULL,
        old_value TEXT NOT NULL,
        new_value TEXT NOT NULL,
        who TEXT NOT NULL,
        at TEXT NOT NULL,
        why TEXT NOT NULL CHECK (length(trim(why)) > 0))""",
    """CREATE TABLE events (
        session_id INTEGER NOT NULL REFERENCES sessions(id),
        seq INTEGER NOT NULL,
        at TEXT NOT NULL,
        offset_s REAL NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        prev_hash BLOB NOT NULL,
        hash BLOB NOT NULL,
        PRIMARY KEY (session_id, seq)) WITHOUT ROWID""",
    *(rule.sqlite() for rule in rules.EVENTS),
    """CREATE TRIGGER events_in_sequence BEFORE INSERT ON events
        WHEN NEW.seq IS NOT (SELECT event_count + 1 FROM sessions WHERE id = NEW.session_id)
        BEGIN SELECT RAISE(ABORT, 'session log events must be appended in sequence'); END""",
    *(rule.sqlite() for rule in (*rules.AMENDMENTS, *rules.SESSIONS)),
    # SQLite's WHEN may read another table: the plan of a closed session is frozen by a rule of its own.
    f"""CREATE TRIGGER points_closed_insert BEFORE INSERT ON session_points
        WHEN (SELECT state FROM sessions WHERE id = NEW.session_id) IN {CLOSED_STATES}
        BEGIN SELECT RAISE(ABORT, 'a closed session is changed only by an amendment'); END""",
    f"""CREATE TRIGGER points_closed_delete BEFORE DELETE ON session_points
        WHEN (SELECT state FROM sessions WHERE id = OLD.session_id) IN {CLOSED_STATES}
        BEGIN SELECT RAISE(ABORT, 'a closed session is changed only by an amendment'); END""",
    f"""CREATE TRIGGER channels_closed_insert BEFORE INSERT ON session_channels
        WHEN (SELECT state FROM sessions WHERE id = NEW.session_id) IN {CLOSED_STATES}
        BEGIN SELECT RAISE(ABORT, 'a closed session is changed only by an amendment'); END""",
    f"""CREATE TRIGGER channels_closed_delete BEFORE DELETE ON session_channels
        WHEN (SELECT state FROM sessions WHERE id = OLD.session_id) IN {CLOSED_STATES}
        BEGIN SELECT RAISE(ABORT, 'a closed session is changed only by an amendment'); END""",
)

# v2: indexes for the newest-sessions list and a patient's course, and archiving a patient
# (hidden from the choose-patient list, never deleted).
V2 = (
    "CREATE INDEX sessions_by_start ON sessions(started_at)",
    "CREATE INDEX sessions_by_patient ON sessions(patient_id, started_at)",
    "CREATE INDEX sessions_by_course ON sessions(course_id, number)",
    "CREATE INDEX courses_by_patient ON courses(patient_id)",
    "CREATE INDEX scores_by_session ON scores(session_id)",
    "CREATE INDEX adverse_events_by_session ON adverse_events(session_id)",
    "CREATE INDEX amendments_by_session ON amendments(session_id)",
    "ALTER TABLE patients ADD COLUMN archived INTEGER NOT NULL DEFAULT 0",
)



def review_schema() -> tuple[str, ...]:
    """v3, for the review window: amendments of any record (derived from `record.amended` events), session
    notes (from `session.note` events), each session's peak commanded current, the points index, and
    courses that follow chosen symptoms and close with an outcome note."""
    return (
        # Amendments may concern a session or a patient: the table is rebuilt with the record's table and key.
        "DROP TRIGGER amendments_append_only_update",
        "DROP TRIGGER amendments_append_only_delete",
        "DROP INDEX amendments_by_session",
        "ALTER TABLE amendments RENAME TO amendments_v2",
        """CREATE TABLE amendments (
            id INTEGER PRIMARY KEY,
            session_id INTEGER REFERENCES sessions(id),
            field TEXT NOT NULL,
            old_value TEXT NOT NULL,
            new_value TEXT NOT NULL,
            who TEXT NOT NULL,
            at TEXT NOT NULL,
            why TEXT NOT NULL CHECK (length(trim(why)) > 0),
            patient_id INTEGER REFERENCES patients(id),
            table_name TEXT NOT NULL DEFAULT 'sessions',
            row_key TEXT NOT NULL DEFAULT '',
            seq INTEGER)""",
        """INSERT INTO amendments (id, session_id, field, old_value, new_value, who, at, why, row_key)
            SELECT id, session_id, field, old_value, new_value, who, at, why, json_object('id', session_id)
            FROM amendments_v2""",
        "DROP TABLE amendments_v2",
        "CREATE INDEX amendments_by_session ON amendments(session_id)",
        "CREATE INDEX amendments_by_patient ON amendments(patient_id)",
        *(rule.sqlite() for rule in rules.AMENDMENTS),
        """CREATE TABLE session_notes (
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            seq INTEGER NOT NULL,
            at TEXT NOT NULL,
            text TEXT NOT NULL,
            practitioner TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (session_id, seq)) WITHOUT ROWID""",
        rules.NOTES.sqlite(),
        """CREATE TABLE session_peaks (
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            channel INTEGER NOT NULL,
            peak_ma REAL NOT NULL,
            PRIMARY KEY (session_id, channel)) WITHOUT ROWID""",
        f"""INSERT INTO session_peaks (session_id, channel, peak_ma)
            SELECT session_id, ch, max(ma) FROM ({PEAK_SOURCE}) WHERE ch IS NOT NULL AND ma IS NOT NULL
            GROUP BY session_id, ch""",
        "CREATE INDEX session_points_by_code ON session_points(code, session_id)",
        "CREATE INDEX sessions_by_practitioner ON sessions(practitioner_id)",
        "ALTER TABLE courses ADD COLUMN symptoms TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE courses ADD COLUMN closed_on TEXT",
        "ALTER TABLE courses ADD COLUMN outcome TEXT NOT NULL DEFAULT ''",
        rules.CLOSED_COURSE.sqlite(),
    )


# Where a session's commanded current is logged: the app's set_current command, the older demo's intensity.
PEAK_SOURCE = (
    "SELECT session_id, json_extract(payload, '$.args[0]') AS ch, json_extract(payload, '$.args[1]') AS ma"
    " FROM events WHERE kind = 'stim.command' AND json_extract(payload, '$.command') = 'set_current'"
    " UNION ALL SELECT session_id, json_extract(payload, '$.channel'), json_extract(payload, '$.mA')"
    " FROM events WHERE kind = 'stim.intensity'"
)

# v4: one chain over the whole log, the record's tables under it, fact tables append-only, practitioner
# profiles (migrate_chain.py). A step is an SQL statement or a function of the connection.
V4 = migrate_chain.SQLITE_STEPS
WHOLE_LOG_VERSION = 4  # the first format with the whole log's chain (verify, export and anchors read it)

MIGRATIONS: dict[int, tuple[str | Callable[[sqlite3.Connection], object], ...]] = {
    1: V1,
    2: V2,
    3: review_schema(),
    4: V4,
}
LATEST_VERSION = max(MIGRATIONS)


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(
    conn: sqlite3.Connection,
    target: int = LATEST_VERSION,
    backup: Callable[[int, int], object] | None = None,
) -> list[int]:
    """Brings the schema up to `target`, one version per transaction; returns the versions applied.

    `backup(current, target)` is called once before the first step when the file already holds data,
    so that a failed migration never costs a record.
    """
    current = user_version(conn)
    if current >= target:
        return []
    if backup is not None and current > 0:
        backup(current, target)
    applied = []
    for version in range(current + 1, target + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for step in MIGRATIONS[version]:
                if callable(step):
                    step(conn)
                else:
                    conn.execute(step)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        log.info("session log schema migrated to version %d", version)
        applied.append(version)
    return applied
