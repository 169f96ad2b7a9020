"""The chain of log formats 1 and 2 (one SHA-256 chain per session): read-only checks of old logs."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from typing import Any

from neurotimer.storage.chain import GENESIS, ChainProblem


def event_hash(prev: bytes, session_id: int, seq: int, at: str, offset: float, kind: str, payload: str) -> bytes:
    head = json.dumps([session_id, seq, at, offset, kind], separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(prev + head.encode() + b"\n" + payload.encode()).digest()


def check_session(
    conn: sqlite3.Connection, session_id: int, event_count: int, last_hash: Any, table: str = "events"
) -> list[ChainProblem]:
    """Every problem in one session's chain, in event order (the first is the one to report)."""
    problems: list[ChainProblem] = []
    prev = GENESIS
    expected_seq = 1
    rows = conn.execute(
        f"SELECT seq, at, offset_s, kind, payload, prev_hash, hash FROM {table} WHERE session_id = ? ORDER BY seq",
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
