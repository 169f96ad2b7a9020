"""`neurotimer migrate`: a whole log copied from a file to a server or back, chains intact, then verified.

Every row of every table is copied as it is (ids, hashes, times), in one transaction on the target with
its append-only rules held off only inside that transaction: nobody ever sees a half-copied log, and
the copy's chains are the original's. The target must be a new, empty log; the source is only read.
Afterwards the copy must verify and export exactly as the source does, or the command says it did not.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from neurotimer.session.clock import ManualClock
from neurotimer.storage import migrations
from neurotimer.storage.db import CannotOpenError, StoreError
from neurotimer.storage.location import LogLocation, describe, is_server_url
from neurotimer.storage.store import Store, open_store

log = logging.getLogger(__name__)

BATCH = 2000
SERVER_ONLY_TABLES = frozenset({"neurotimer_meta", "session_leases"})


class CopyRefused(StoreError):
    """The copy was not started: the source or target is not fit for it (nothing was written)."""


@dataclass
class CopyReport:
    tables: dict[str, int]
    verified: bool
    same_export: bool
    open_sessions: int = 0  # running or paused at the source when copied

    @property
    def ok(self) -> bool:
        return self.verified and self.same_export

    def lines(self) -> list[str]:
        counts = ", ".join(f"{n} {t}" for t, n in self.tables.items() if t in ("patients", "sessions", "events"))
        verdict = "the copy verifies and exports exactly as the original" if self.ok else (
            "THE COPY DIFFERS FROM THE ORIGINAL: " + ("it fails verify" if not self.verified else "its export differs")
        )
        lines = [f"Copied {counts}; {verdict}."]
        if self.open_sessions:
            n = self.open_sessions
            lines.append(
                f"{n} session{' was' if n == 1 else 's were'} open (running or paused) when copied: the copy holds "
                f"{'it' if n == 1 else 'them'} open, and the first start on it closes "
                f"{'it' if n == 1 else 'them'} as interrupted. Copy a log when no session runs."
            )
        return lines


def table_order(conn: sqlite3.Connection) -> list[str]:
    """The log's tables (from a SQLite connection), each after every table it refers to."""
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    parents = {n: {r[2] for r in conn.execute(f"PRAGMA foreign_key_list({n})")} - {n} for n in names}
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and parents[n] <= set(ordered)]
        if not ready:
            raise StoreError("The log's tables refer to each other in a circle; they cannot be copied in order.")
        ordered += ready
    return ordered


def _columns(store: Store, table: str) -> list[str]:
    return [r[1] for r in store.conn.execute(f"PRAGMA table_info({table})")]


def _sqlite_side(source: Store, target: Store) -> sqlite3.Connection:
    for store in (source, target):
        if isinstance(store.conn, sqlite3.Connection):
            return store.conn
    raise CopyRefused("One side of a copy must be a SQLite file.")


def _is_empty(store: Store, tables: list[str]) -> bool:
    return all(store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] == 0 for t in tables)


def _rules_off(target: Store, tables: list[str]) -> list[str]:
    """Inside the copy's transaction: the append-only triggers held off (SQLite: dropped, kept to restore)."""
    if is_server_url(target.path):
        for table in tables:
            target.conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        return []
    rows = target.conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name").fetchall()
    for name, _ in rows:
        target.conn.execute(f"DROP TRIGGER {name}")
    return [sql for _, sql in rows]


def _rules_on(target: Store, tables: list[str], saved: list[str]) -> None:
    if is_server_url(target.path):
        for table in tables:
            target.conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            if "id" in _columns(target, table):
                # Later rows continue after the copied ids.
                target.conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 0) + 1, false)"
                    f" FROM {table}"
                )
        return
    for sql in saved:
        target.conn.execute(sql)


def copy_rows(source: Store, target: Store) -> dict[str, int]:
    """Copies every table in one target transaction; returns rows per table."""
    tables = [t for t in table_order(_sqlite_side(source, target)) if t not in SERVER_ONLY_TABLES]
    if not _is_empty(target, tables):
        raise CopyRefused(f"{describe(target.path)} already holds records; a log is copied only into a new one.")
    counts: dict[str, int] = {}
    with target.transaction():
        saved = _rules_off(target, tables)
        for table in tables:
            columns = _columns(source, table)
            if columns != _columns(target, table):
                raise StoreError(f"The table {table} differs between the two logs; they are not the same version.")
            key = "id" if "id" in columns else ", ".join(columns[:2])
            rows = source.conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {key}").fetchall()
            insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            for start in range(0, len(rows), BATCH):
                target.conn.executemany(insert, [tuple(r) for r in rows[start : start + BATCH]])
            counts[table] = len(rows)
        _rules_on(target, tables, saved)
    return counts


def _export_text(store: Store) -> str:
    from neurotimer.storage.export import build_export

    fixed = ManualClock(wall_start=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    clock, store.clock = store.clock, fixed
    try:
        return json.dumps(build_export(store), ensure_ascii=False, sort_keys=True)
    finally:
        store.clock = clock


def copy_log(source: Store, target_location: LogLocation) -> CopyReport:
    """Copies an open (read-only) source into a new log at `target_location`, then checks the copy."""
    from neurotimer.storage.verify import verify_store

    if source.schema_version != migrations.LATEST_VERSION:
        raise CopyRefused(
            f"{describe(source.path)} is log format {source.schema_version}; open it once with this version of "
            f"neurotimer (format {migrations.LATEST_VERSION}) before moving it."
        )
    open_now = source.conn.execute("SELECT count(*) FROM sessions WHERE state IN ('running', 'paused')").fetchone()[0]
    created_file = None
    if not is_server_url(target_location):
        path = Path(target_location)
        if path.exists() and path.stat().st_size:
            raise CopyRefused(f"{path} already exists; a log is copied only into a new file.")
        created_file = path
    target = open_store(target_location, daily_backup=False)
    try:
        counts = copy_rows(source, target)
        if is_server_url(target_location):
            # The planner knows nothing of rows that arrived in one go until autovacuum looks (a minute or so):
            # without this the review list of a large practice takes seconds, not milliseconds, meanwhile.
            target.conn.execute("ANALYZE")
        verified = verify_store(target).ok
        same = _export_text(source) == _export_text(target)
    except (StoreError, sqlite3.Error) as exc:
        target.close()
        if created_file is not None:
            created_file.unlink(missing_ok=True)
        if isinstance(exc, StoreError):
            raise
        raise CannotOpenError(f"The copy into {describe(target_location)} failed: {exc}.") from exc
    target.close()
    log.info("log copied: %s", {t: n for t, n in counts.items() if t in ("sessions", "events")})
    return CopyReport(counts, verified, same, int(open_now))
