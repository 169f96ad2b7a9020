"""The SHA-256 hash chain over each session's events: append in a transaction, check afterwards."""

from __future__ import annotations

import hashlib
import json
import math
import sqlite3
from dataclasses import dataclass
from typing import Any

GENESIS = bytes(32)


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


def event_hash(prev: bytes, session_id: int, seq: int, at: str, offset: float, kind: str, payload: str) -> bytes:
    head = json.dumps([session_id, seq, at, offset, kind], separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(prev + head.encode() + b"\n" + payload.encode()).digest()


def append_event(
    conn: sqlite3.Connection, session_id: int, at: str, offset: float, kind: str, payload: dict[str, Any]
) -> tuple[int, bytes]:
    """Appends one event inside the caller's transaction and moves the session's count and last hash."""
    row = conn.execute("SELECT event_count, last_hash FROM sessions WHERE id = ?", (session_id,)).fetchone()
    if row is None:
        raise ValueError(f"no session {session_id}")
    seq = row[0] + 1
    prev = bytes(row[1])
    text = canonical_payload(payload)
    offset = normal_offset(offset)
    digest = event_hash(prev, session_id, seq, at, offset, kind, text)
    conn.execute(
        "INSERT INTO events (session_id, seq, at, offset_s, kind, payload, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (session_id, seq, at, offset, kind, text, prev, digest),
    )
    conn.execute("UPDATE sessions SET event_count = ?, last_hash = ? WHERE id = ?", (seq, digest, session_id))
    return seq, digest


@dataclass(frozen=True)
class ChainProblem:
    session_id: int
    seq: int | None
    message: str

    def __str__(self) -> str:
        where = f"session {self.session_id}" + (f", event {self.seq}" if self.seq is not None else "")
        return f"{where}: {self.message}"


def check_session(conn: sqlite3.Connection, session_id: int, event_count: int, last_hash: Any) -> list[ChainProblem]:
    """Every problem in one session's chain, in event order (the first is the one to report)."""
    problems: list[ChainProblem] = []
    prev = GENESIS
    expected_seq = 1
    rows = conn.execute(
        "SELECT seq, at, offset_s, kind, payload, prev_hash, hash FROM events WHERE session_id = ? ORDER BY seq",
        (session_id,),
    )
    for seq, at, offset, kind, payload, prev_hash, digest in rows:
        if seq != expected_seq:
            problems.append(ChainProblem(session_id, expected_seq, f"event {expected_seq} is missing"))
            expected_seq = seq
        if not isinstance(prev_hash, bytes) or prev_hash != prev:
            problems.append(ChainProblem(session_id, seq, "does not follow the event before it"))
        try:
            recomputed = event_hash(
                prev_hash if isinstance(prev_hash, bytes) else b"",
                session_id,
                seq,
                str(at),
                float(offset),
                str(kind),
                str(payload),
            )
        except (TypeError, ValueError):
            recomputed = b""
        if not isinstance(digest, bytes) or recomputed != digest or not isinstance(offset, float):
            problems.append(ChainProblem(session_id, seq, "content was changed after it was written"))
        prev = digest if isinstance(digest, bytes) else b""
        expected_seq += 1
    count = expected_seq - 1
    if count != event_count:
        problems.append(
            ChainProblem(session_id, None, f"the session records {event_count} events but the log holds {count}")
        )
    if not isinstance(last_hash, bytes) or last_hash != prev:
        problems.append(ChainProblem(session_id, None, "the last event is not the one the session recorded"))
    return problems
