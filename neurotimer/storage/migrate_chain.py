"""Log format 4: one chain over the whole log, and the record's tables under it (each step a function).

An older log is brought forward from its stored events: they are chained anew in the order they were
written, then the rows of every session and patient record as they stand are taken under the chain by
one snapshot event each (`record.migrated`, `log.migrated`), which `verify` names as written before the
change. A per-session chain that was already broken is noted in `log.migrated`, never silently healed.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from neurotimer.storage import rules
from neurotimer.storage.chain import GENESIS, append_event, event_hash, normal_offset
from neurotimer.storage.legacy_chain import check_session


def practitioner_profile_columns(conn: sqlite3.Connection) -> None:
    """Profession and registration number (STRICTA 5), and retiring a profile instead of deleting it."""
    conn.execute("ALTER TABLE practitioners ADD COLUMN profession TEXT NOT NULL DEFAULT ''")
    conn.execute("ALTER TABLE practitioners ADD COLUMN registration TEXT NOT NULL DEFAULT ''")
    conn.execute("ALTER TABLE practitioners ADD COLUMN retired INTEGER NOT NULL DEFAULT 0")


def whole_log_events_table(conn: sqlite3.Connection) -> None:
    """The events table keyed by place in the whole log; a patient record's events have no session."""
    for name in ("events_append_only_update", "events_append_only_delete", "events_in_sequence"):
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    conn.execute("ALTER TABLE events RENAME TO events_v2")
    conn.execute(
        """CREATE TABLE events (
            n INTEGER PRIMARY KEY,
            session_id INTEGER REFERENCES sessions(id),
            seq INTEGER,
            at TEXT NOT NULL,
            offset_s REAL NOT NULL,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL,
            prev_hash BLOB NOT NULL,
            hash BLOB NOT NULL,
            CHECK ((session_id IS NULL) = (seq IS NULL)))"""
    )
    conn.execute("CREATE UNIQUE INDEX events_by_session ON events(session_id, seq)")


def rechain_old_events(conn: sqlite3.Connection) -> list[list[Any]]:
    """Chains the stored events anew in write order; returns the old chains' problems ([session, text])."""
    problems: list[list[Any]] = []
    sessions = conn.execute("SELECT id, event_count, last_hash FROM sessions ORDER BY id").fetchall()
    for session_id, count, last_hash in sessions:
        problems += [[p.session_id, str(p)] for p in check_session(conn, session_id, count, last_hash, "events_v2")]
    rows = conn.execute(
        "SELECT session_id, seq, at, offset_s, kind, payload FROM events_v2 ORDER BY at, session_id, seq"
    ).fetchall()
    prev = GENESIS
    last: dict[int, bytes] = {}
    for n, (session_id, seq, at, offset, kind, payload) in enumerate(rows, start=1):
        offset = normal_offset(offset)
        digest = event_hash(prev, n, session_id, seq, at, offset, kind, payload)
        conn.execute(
            "INSERT INTO events (n, session_id, seq, at, offset_s, kind, payload, prev_hash, hash)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (n, session_id, seq, at, offset, kind, payload, prev, digest),
        )
        prev = digest
        last[session_id] = digest
    for session_id, digest in last.items():
        conn.execute("UPDATE sessions SET last_hash = ? WHERE id = ?", (digest, session_id))
    conn.execute("DROP TABLE events_v2")
    return problems


def events_triggers(conn: sqlite3.Connection) -> None:
    """Events are only ever appended, each at the next place, linked to the log's last hash."""
    for rule in rules.EVENTS:
        conn.execute(rule.sqlite())
    conn.execute(
        """CREATE TRIGGER events_in_sequence BEFORE INSERT ON events
        WHEN NEW.session_id IS NOT NULL
            AND NEW.seq IS NOT (SELECT event_count + 1 FROM sessions WHERE id = NEW.session_id)
        BEGIN SELECT RAISE(ABORT, 'session log events must be appended in sequence'); END"""
    )
    conn.execute(
        """CREATE TRIGGER events_chained BEFORE INSERT ON events
        WHEN NEW.n IS NOT (SELECT coalesce(max(n), 0) + 1 FROM events)
            OR NEW.prev_hash IS NOT coalesce((SELECT hash FROM events ORDER BY n DESC LIMIT 1), zeroblob(32))
        BEGIN SELECT RAISE(ABORT, 'session log events must follow the last one'); END"""
    )


def fact_triggers(conn: sqlite3.Connection) -> None:
    """Facts of the record are append-only; corrections are amendments (events of their own)."""
    for rule in rules.V4_FACTS:
        conn.execute(rule.sqlite())


def _rows(conn: sqlite3.Connection, table: str, where: str = "", params: tuple = ()) -> list[dict[str, Any]]:
    """A table's rows as the replay compares them (the registered columns, JSON texts as values)."""
    from neurotimer.storage.derived import TABLES
    from neurotimer.storage.projections import snapshot_json

    spec = TABLES[table]
    names = [c for c in spec.columns if c not in ("event_count", "last_hash")]
    rows = conn.execute(f"SELECT {', '.join(names)} FROM {table} {where} ORDER BY {', '.join(spec.key)}", params)
    return [
        {k: (snapshot_json(v) if k in spec.json_columns else v) for k, v in zip(names, row, strict=True)}
        for row in rows.fetchall()
    ]


def snapshot_old_records(conn: sqlite3.Connection, from_version: int, old_problems: list[list[Any]]) -> None:
    """Takes the rows of a log written before format 4 under the new chain, one event per session."""
    from neurotimer.storage.derived import TABLES

    session_ids = [r[0] for r in conn.execute("SELECT id FROM sessions ORDER BY id")]
    people = {t: _rows(conn, t) for t in ("practitioners", "patients", "courses")}
    people["amendments"] = _rows(conn, "amendments", "WHERE session_id IS NULL")  # a patient's amendments
    if not session_ids and not any(people.values()):
        return  # A new, empty log: nothing was written before the change.
    at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    payload = {
        "from_version": from_version,
        "tables": people,
        "sessions": session_ids,
        "old_chain_problems": old_problems,
    }
    append_event(conn, None, at, 0.0, "log.migrated", payload)
    session_tables = [spec for spec in TABLES.values() if spec.session_column is not None]
    for session_id in session_ids:
        tables = {
            spec.name: _rows(conn, spec.name, f"WHERE {spec.session_column} = ?", (session_id,))
            for spec in session_tables
        }
        append_event(conn, session_id, at, 0.0, "record.migrated", {"from_version": from_version, "tables": tables})


def bring_records_forward(conn: sqlite3.Connection) -> None:
    """The engine-neutral part (plain SELECTs and INSERTs, hashing in Python): rechain, then snapshot."""
    from_version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    problems = rechain_old_events(conn)
    snapshot_old_records(conn, from_version, problems)


# Each step a small function, so a version added by another branch can be renumbered around it.
SQLITE_STEPS = (
    practitioner_profile_columns,
    whole_log_events_table,
    bring_records_forward,
    events_triggers,
    fact_triggers,
)
