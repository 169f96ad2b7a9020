"""The session log store: opening it (or refusing to), transactions, and the record API in one object."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from neurotimer.clock import Clock, SystemClock, rfc3339
from neurotimer.storage import backup, db, migrations
from neurotimer.storage.db import (
    CannotOpenError,
    ForeignDatabaseError,
    NotSQLiteError,
    ReadOnlyError,
    RefusedDatabase,
    StoreError,
)
from neurotimer.storage.people import PeopleMixin
from neurotimer.storage.records import RecordsMixin

log = logging.getLogger(__name__)

__all__ = ["Store", "StoreError", "WriteFailed", "open_memory", "open_readonly", "open_store"]


class WriteFailed(StoreError):
    """The database could not take a write (disk full, locked, refused by a rule); nothing was saved."""

    def __init__(self, message: str, cause: sqlite3.Error) -> None:
        super().__init__(message)
        self.cause = cause


def describe_write_error(exc: sqlite3.Error) -> str:
    text = str(exc)
    if "full" in text:
        return "The disk is full: the session log cannot be written."
    if "locked" in text or "busy" in text:
        return "The session log is locked by another program."
    if "readonly" in text or "read-only" in text:
        return "The session log cannot be written (the file or disk is read-only)."
    if isinstance(exc, sqlite3.IntegrityError):
        return f"Not saved: {text}."
    return f"The session log cannot be written ({text})."


class Store(PeopleMixin, RecordsMixin):
    """One open session log. Every write is its own committed transaction unless grouped in `transaction()`."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None, clock: Clock, read_only: bool) -> None:
        self.conn = conn
        self.path = path
        self.clock = clock
        self.read_only = read_only
        self._depth = 0

    # -- plumbing --------------------------------------------------------------------------------
    def now_text(self) -> str:
        return rfc3339(self.clock.wall())

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT; nested calls join the outer transaction. SQLite errors → WriteFailed."""
        if self.read_only:
            raise ReadOnlyError("This session log is open read-only; nothing can be changed.")
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        self._depth = 1
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise WriteFailed(describe_write_error(exc), exc) from exc
        finally:
            self._depth = 0

    @property
    def schema_version(self) -> int:
        return migrations.user_version(self.conn)

    def quick_check(self) -> list[str]:
        return [row[0] for row in self.conn.execute("PRAGMA quick_check").fetchall()]

    def daily_backup(self, today: dt.date | None = None) -> Path | None:
        """Today's backup copy if not yet taken; old ones (over 14 days) removed. Returns the new file."""
        if self.path is None or self.read_only:
            return None
        return backup.daily(self.conn, self.path, today or self.clock.wall().date())

    def checkpoint(self) -> None:
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(
    path: Path | str,
    *,
    clock: Clock | None = None,
    busy_timeout_ms: int = 1000,
    durable: bool = True,
    daily_backup: bool = True,
) -> Store:
    """Opens (or creates) the log for writing, migrating it after a backup copy.

    Raises a `RefusedDatabase` subclass (NotSQLiteError, ForeignDatabaseError, CorruptDatabaseError,
    NewerVersionError) for a file it will not write to, untouched; CannotOpenError when the file or
    folder cannot be used at all. `durable=False` (synchronous=OFF) is for throwaway demo files only.
    """
    path = Path(path)
    clock = clock or SystemClock()
    if path.exists():
        if not path.is_file():
            raise CannotOpenError(f"{path} is a folder, not a session log file.")
        db.check_existing(path)
    else:
        db.create_file(path)
    conn = db.connect(path, busy_timeout_ms=busy_timeout_ms)
    try:
        db.apply_durability(conn, durable)
        migrations.migrate(conn, backup=lambda cur, tgt: backup.before_migration(conn, path, cur, tgt))
    except sqlite3.Error as exc:
        conn.close()
        raise CannotOpenError(f"Cannot prepare the session log {path.name}: {exc}.") from exc
    store = Store(conn, path, clock, read_only=False)
    if daily_backup:
        try:
            store.daily_backup()
        except (OSError, sqlite3.Error) as exc:
            # A missing backup must not keep the practitioner from working; it is logged and retried tomorrow.
            log.warning("daily backup failed: %s", exc)
    return store


def open_readonly(path: Path | str, *, clock: Clock | None = None) -> Store:
    """Opens a log only to read it (a damaged file, or one from a newer version): nothing is written."""
    path = Path(path)
    if not path.is_file():
        raise CannotOpenError(f"There is no session log file at {path}.")
    try:
        db.check_existing(path)
    except (NotSQLiteError, ForeignDatabaseError):
        raise
    except RefusedDatabase as exc:
        log.info("opening a refused log read-only: %s", type(exc).__name__)
    conn = db.connect(path, read_only=True)
    return Store(conn, path, clock or SystemClock(), read_only=True)


def open_memory(*, clock: Clock | None = None) -> Store:
    """An in-memory log at the latest schema, for tests."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    migrations.migrate(conn)
    return Store(conn, None, clock or SystemClock(), read_only=False)
