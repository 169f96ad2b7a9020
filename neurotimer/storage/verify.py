"""`verify`: SQLite's integrity check, the whole log's hash chain, and every table replayed from the events."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path

from neurotimer.storage import db, projections  # (importing it registers the record's tables with the replay)
from neurotimer.storage.chain import EVENT_COLUMNS, ChainProblem, ChainWalker
from neurotimer.storage.derived import Replay, RowProblem
from neurotimer.storage.legacy_chain import check_session
from neurotimer.storage.location import is_server_url
from neurotimer.storage.migrations import WHOLE_LOG_VERSION
from neurotimer.storage.store import Store

SHOWN = 20


@dataclass
class VerifyReport:
    integrity: list[str] = field(default_factory=list)
    problems: list[ChainProblem] = field(default_factory=list)
    rows: list[RowProblem] = field(default_factory=list)
    sessions: int = 0
    events: int = 0
    version: int = WHOLE_LOG_VERSION
    head: tuple[int, bytes] | None = None
    migrated_sessions: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.integrity and not self.problems and not self.rows

    @property
    def head_text(self) -> str:
        return "" if self.head is None else f"{self.head[0]}:{self.head[1].hex()}"

    def lines(self) -> list[str]:
        """What `neurotimer verify` prints: a verdict first, then the first problems found."""
        checked = f"{self.sessions} sessions and {self.events} events checked"
        out = []
        if self.ok:
            what = (
                "every row matches the chained events" if self.version >= WHOLE_LOG_VERSION else "every chain is intact"
            )
            out.append(f"OK: {checked}; the chain is intact and {what}.")
        else:
            if self.integrity:
                out.append(f"DAMAGED: SQLite integrity check: {self.integrity[0]}")
            found = [str(p) for p in self.problems] + [str(r) for r in self.rows]
            if found:
                out.append(f"TAMPERED OR DAMAGED: first bad record is {found[0]}")
                out += [f"  {line}" for line in found[1:SHOWN]]
                if len(found) > SHOWN:
                    out.append(f"  … and {len(found) - SHOWN} more")
            out.append(f"{checked}.")
        if self.head is not None:
            out.append(f"Log head: {self.head_text}")
        if self.version < WHOLE_LOG_VERSION:
            out.append(
                f"Log format {self.version}: each session has its own chain and the other tables are not under it; "
                "open it in the app once to bring it forward."
            )
        if self.migrated_sessions:
            out.append(
                f"{len(self.migrated_sessions)} session(s) written before the whole-log chain "
                f"({_ranges(self.migrated_sessions)}): a change made to them before the migration cannot be seen."
            )
        out += self.notes
        return out


def _ranges(ids: list[int]) -> str:
    ids = sorted(ids)
    parts, start, prev = [], ids[0], ids[0]
    for i in [*ids[1:], None]:
        if i is not None and i == prev + 1:
            prev = i
            continue
        parts.append(f"{start}" if start == prev else f"{start}–{prev}")
        if i is not None:
            start = prev = i
    return "sessions " + ", ".join(parts)


def _integrity(conn: sqlite3.Connection, report: VerifyReport) -> None:
    try:
        result = [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        result = [str(exc)]
    if result != ["ok"]:
        report.integrity = result
    for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check").fetchall():
        report.integrity.append(f"{table} row {rowid} points to a missing {parent} row")


class _IntegrityBeside:
    """SQLite's integrity check of a log file on a connection and thread of its own, while the chain is
    walked: SQLite lets go of Python's lock while it checks, so on two cores the check costs no time."""

    def __init__(self, path: Path, report: VerifyReport) -> None:
        self._path, self._report = path, report
        self._failed: Exception | None = None
        self._thread = threading.Thread(target=self._run, name="verify-integrity", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            conn = db.connect(self._path, read_only=True)
        except Exception as exc:  # the caller checks on its own connection instead
            self._failed = exc
            return
        try:
            _integrity(conn, self._report)
        except Exception as exc:
            self._failed = exc
        finally:
            conn.close()

    def finish(self, conn: sqlite3.Connection) -> None:
        self._thread.join()
        if self._failed is not None:
            self._report.integrity = []
            _integrity(conn, self._report)


def _start_integrity(store: Store, report: VerifyReport) -> _IntegrityBeside | None:
    """The check on its own thread for a log file; None (checked at once, inline) for anything else."""
    if isinstance(store.conn, sqlite3.Connection) and store.path is not None and not is_server_url(store.path):
        return _IntegrityBeside(Path(store.path), report)
    _integrity(store.conn, report)
    return None


def verify_store(store: Store) -> VerifyReport:
    """Full integrity check, the whole chain in order, and each table against the replayed events."""
    conn = store.conn
    report = VerifyReport(version=store.schema_version)
    if report.version < WHOLE_LOG_VERSION:
        _integrity(conn, report)
        _verify_legacy(conn, report)
        return report
    beside = _start_integrity(store, report)
    try:
        _verify_chain(conn, report)
    finally:
        if beside is not None:
            beside.finish(conn)
    return report


def _verify_chain(conn: sqlite3.Connection, report: VerifyReport) -> None:
    walker = ChainWalker()
    replay = Replay()
    count = 0
    feed = replay.feed_row
    for row in walker.walk(conn.execute(f"SELECT {EVENT_COLUMNS} FROM events ORDER BY n")):
        feed(row)
        count += 1
    projections.chain_heads(replay, walker.session_seq, walker.session_last)
    report.problems = walker.problems
    report.rows = replay.compare(conn)
    report.events = count
    report.sessions = conn.execute("SELECT count(*) FROM sessions").fetchone()[0]
    report.head = walker.head
    report.migrated_sessions = sorted(replay.migrated_sessions)
    report.notes = replay.notes


def _verify_legacy(conn: sqlite3.Connection, report: VerifyReport) -> None:
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
