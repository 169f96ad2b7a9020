"""`verify`: SQLite's integrity check plus every session's hash chain, reporting the first bad event."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from neurotimer.storage.chain import ChainProblem, check_session
from neurotimer.storage.store import Store


@dataclass
class VerifyReport:
    integrity: list[str] = field(default_factory=list)
    problems: list[ChainProblem] = field(default_factory=list)
    sessions: int = 0
    events: int = 0

    @property
    def ok(self) -> bool:
        return not self.integrity and not self.problems

    def lines(self) -> list[str]:
        """What `neurotimer verify` prints: a verdict first, then the first problems found."""
        if self.ok:
            return [f"OK: {self.sessions} sessions and {self.events} events checked; every chain is intact."]
        out = []
        if self.integrity:
            out.append(f"DAMAGED: SQLite integrity check: {self.integrity[0]}")
        if self.problems:
            first = self.problems[0]
            where = f"session {first.session_id}" + (f", event {first.seq}" if first.seq is not None else "")
            out.append(f"TAMPERED OR DAMAGED: first bad record is {where}: {first.message}")
            out += [f"  {p}" for p in self.problems[1:20]]
            if len(self.problems) > 20:
                out.append(f"  … and {len(self.problems) - 20} more")
        out.append(f"{self.sessions} sessions and {self.events} events checked.")
        return out


def verify_store(store: Store) -> VerifyReport:
    """Full integrity check, foreign keys, and each chain against its session's count and last hash."""
    conn = store.conn
    report = VerifyReport()
    try:
        result = [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        result = [str(exc)]
    if result != ["ok"]:
        report.integrity = result
    for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check").fetchall():
        report.integrity.append(f"{table} row {rowid} points to a missing {parent} row")
    orphans = conn.execute(
        "SELECT DISTINCT session_id FROM events WHERE session_id NOT IN (SELECT id FROM sessions)"
    ).fetchall()
    for (session_id,) in orphans:
        report.problems.append(ChainProblem(session_id, None, "events belong to no recorded session"))
    sessions = conn.execute("SELECT id, event_count, last_hash FROM sessions ORDER BY id").fetchall()
    for session_id, count, last_hash in sessions:
        report.problems.extend(check_session(conn, session_id, count, last_hash))
    report.sessions = len(sessions)
    report.events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    report.problems.sort(key=lambda p: (p.session_id, p.seq if p.seq is not None else 1 << 62))
    return report
