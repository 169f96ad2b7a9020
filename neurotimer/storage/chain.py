"""One SHA-256 chain over the whole log: every event, of a session or a patient record, in write order.

Event n's hash covers event n-1's hash, its own place (n, session, seq), time, kind and payload, so a
changed, deleted, inserted or reordered event breaks every hash after it. The hash is plain SHA-256 with
no key: whoever can write the file can recompute the whole chain after an edit. The anchor file
(anchor.py), kept outside the log, is what catches that. Plain SQL and hashing in Python, so another
engine can reuse this module.
"""

from __future__ import annotations

import hashlib
import json
import math
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

GENESIS = bytes(32)

EVENT_COLUMNS = "n, session_id, seq, at, offset_s, kind, payload, prev_hash, hash"


def canonical_payload(payload: dict[str, Any]) -> str:
    """The exact JSON text stored and hashed: sorted keys, no spaces, NaN and infinities as null."""
    return json.dumps(_finite(payload), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def normal_offset(offset: float) -> float:
    # SQLite may store an integral REAL as an integer and gives back 0.0 for -0.0: hash what reads back.
    return round(float(offset), 3) + 0.0


def event_hash(
    prev: bytes, n: int, session_id: int | None, seq: int | None, at: str, offset: float, kind: str, payload: str
) -> bytes:
    # Text fields carry their length, so no two different events can be spelled the same way.
    head = f"{n},{session_id},{seq},{len(at)}:{at},{offset!r},{len(kind)}:{kind}\n"
    return hashlib.sha256(prev + head.encode() + payload.encode()).digest()


def head(conn: sqlite3.Connection) -> tuple[int, bytes]:
    """The log's head: the place and hash of its last event ((0, GENESIS) for an empty log)."""
    row = conn.execute("SELECT n, hash FROM events ORDER BY n DESC LIMIT 1").fetchone()
    return (0, GENESIS) if row is None else (int(row[0]), bytes(row[1]))


def append_event(
    conn: sqlite3.Connection,
    session_id: int | None,
    at: str,
    offset: float,
    kind: str,
    payload: dict[str, Any],
) -> tuple[int | None, bytes]:
    """Appends one event to the whole log's chain inside the caller's transaction.

    A session's event also moves the session's count and last hash; `session_id=None` is a patient,
    course or practitioner record. Returns (seq in the session or None, hash).
    """
    seq = None
    if session_id is None:
        last_n, prev = head(conn)
    else:
        # The session's count and the log's head in one read (one round trip to a server).
        row = conn.execute(
            "SELECT s.event_count, e.n, e.hash FROM sessions s"
            " LEFT JOIN (SELECT n, hash FROM events ORDER BY n DESC LIMIT 1) e ON 1 = 1 WHERE s.id = ?",
            (session_id,),
        ).fetchone()
        if row is None:
            raise ValueError(f"no session {session_id}")
        seq = int(row[0]) + 1
        last_n, prev = (0, GENESIS) if row[1] is None else (int(row[1]), bytes(row[2]))
    text = canonical_payload(payload)
    offset = normal_offset(offset)
    n = last_n + 1
    digest = event_hash(prev, n, session_id, seq, at, offset, kind, text)
    conn.execute(
        f"INSERT INTO events ({EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (n, session_id, seq, at, offset, kind, text, prev, digest),
    )
    if session_id is not None:
        conn.execute("UPDATE sessions SET event_count = ?, last_hash = ? WHERE id = ?", (seq, digest, session_id))
    return seq, digest


@dataclass(frozen=True)
class ChainProblem:
    """A break in the chain, at an event (n: its place in the whole log) or a session as a whole."""

    session_id: int | None
    seq: int | None
    message: str
    n: int | None = None

    def __str__(self) -> str:
        if self.session_id is None and self.n is not None:
            where = f"log event {self.n}"
        else:
            where = f"session {self.session_id}" + (f", event {self.seq}" if self.seq is not None else "")
        return f"{where}: {self.message}"


class ChainWalker:
    """Checks events fed in the order of n: place, link to the event before, own hash, session order."""

    def __init__(self) -> None:
        self.prev = GENESIS
        self.expected_n = 1
        self.session_seq: dict[int, int] = {}
        self.session_last: dict[int, bytes] = {}
        self.problems: list[ChainProblem] = []

    def feed(self, row: tuple) -> None:
        for _ in self.walk((row,)):
            pass

    def walk(self, rows: Iterable[tuple]) -> Iterator[tuple]:
        """Checks each row (EVENT_COLUMNS) as it passes and yields it on: one pass for the chain and replay.

        The same checks as one `feed` per row, with the walker's state held in locals while it walks (a
        10,000-session log has half a million events).
        """
        prev, expected_n = self.prev, self.expected_n
        session_seq, session_last = self.session_seq, self.session_last
        problem = self.problems.append
        try:
            for row in rows:
                n, session_id, seq, at, offset, kind, payload, prev_hash, digest = row
                if n != expected_n:
                    if n > expected_n:
                        missing = f"{expected_n}" if n == expected_n + 1 else f"{expected_n}–{n - 1}"
                        problem(ChainProblem(session_id, seq, f"log event(s) {missing} before it are missing", n))
                    expected_n = n
                if session_id is not None:
                    expected_seq = session_seq.get(session_id, 0) + 1
                    if seq != expected_seq:
                        problem(ChainProblem(session_id, seq, f"expected event {expected_seq} of this session here", n))
                    session_seq[session_id] = seq if isinstance(seq, int) else expected_seq
                    session_last[session_id] = digest
                elif seq is not None:
                    problem(ChainProblem(None, seq, "has a session place but no session", n))
                linked = type(prev_hash) is bytes
                if not linked or prev_hash != prev:
                    problem(ChainProblem(session_id, seq, "does not follow the event before it in the log", n))
                if type(offset) is float and type(at) is str and type(kind) is str and type(payload) is str:
                    recomputed = event_hash(prev_hash if linked else b"", n, session_id, seq, at, offset, kind, payload)
                else:
                    recomputed = b""  # a stored value of the wrong type was changed after it was written
                if type(digest) is not bytes or recomputed != digest:
                    problem(ChainProblem(session_id, seq, "content was changed after it was written", n))
                prev = digest if type(digest) is bytes else b""
                expected_n += 1
                yield row
        finally:
            self.prev, self.expected_n = prev, expected_n

    @property
    def head(self) -> tuple[int, bytes]:
        return self.expected_n - 1, self.prev


def check_session(conn: sqlite3.Connection, session_id: int, event_count: int, last_hash: Any) -> list[ChainProblem]:
    """One session's events on their own (for a list that marks each row): each event's hash, its link to
    the event before it in the whole log, the session's order, count and last hash. `verify` checks more."""
    from neurotimer.storage import legacy_chain
    from neurotimer.storage.migrations import WHOLE_LOG_VERSION

    if int(conn.execute("PRAGMA user_version").fetchone()[0]) < WHOLE_LOG_VERSION:
        return legacy_chain.check_session(conn, session_id, event_count, last_hash)
    rows = conn.execute(
        f"SELECT {EVENT_COLUMNS} FROM events WHERE session_id = ? ORDER BY seq", (session_id,)
    ).fetchall()
    before = {n - 1 for n, *_ in rows if isinstance(n, int)}
    hashes: dict[int, bytes] = {0: GENESIS}
    if before - {0}:
        marks = ",".join("?" * len(before - {0}))
        hashes.update(
            (int(n), bytes(h))
            for n, h in conn.execute(f"SELECT n, hash FROM events WHERE n IN ({marks})", [*before - {0}])
        )
    problems: list[ChainProblem] = []
    expected_seq, last = 1, GENESIS
    for n, _, seq, at, offset, kind, payload, prev_hash, digest in rows:
        if seq != expected_seq:
            problems.append(ChainProblem(session_id, expected_seq, f"event {expected_seq} is missing", n))
            expected_seq = seq
        if not isinstance(prev_hash, bytes) or hashes.get(n - 1) != prev_hash:
            problems.append(ChainProblem(session_id, seq, "does not follow the event before it in the log", n))
        try:
            recomputed = event_hash(
                bytes(prev_hash), n, session_id, seq, str(at), float(offset), str(kind), str(payload)
            )
        except (TypeError, ValueError):
            recomputed = b""
        if not isinstance(digest, bytes) or recomputed != digest or not isinstance(offset, float):
            problems.append(ChainProblem(session_id, seq, "content was changed after it was written", n))
        last = digest if isinstance(digest, bytes) else b""
        expected_seq += 1
    if expected_seq - 1 != event_count:
        problems.append(
            ChainProblem(
                session_id, None, f"the session records {event_count} events but the log holds {expected_seq - 1}"
            )
        )
    if not isinstance(last_hash, bytes) or bytes(last_hash) != last:
        problems.append(ChainProblem(session_id, None, "the last event is not the one the session recorded"))
    return problems
