"""The session log store: opening it (or refusing to), transactions, and the record API in one object."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from neurotimer.session.clock import Clock, SystemClock, rfc3339
from neurotimer.storage import anchor, backup, db, migrations
from neurotimer.storage.amendments import AmendmentsMixin
from neurotimer.storage.db import (
    CannotOpenError,
    ForeignDatabaseError,
    NotSQLiteError,
    ReadOnlyError,
    RefusedDatabase,
    StoreError,
)
from neurotimer.storage.file_watch import FileWatch, LogGone
from neurotimer.storage.location import is_server_url
from neurotimer.storage.people import PeopleMixin
from neurotimer.storage.privacy import make_log_private
from neurotimer.storage.queries import QueriesMixin
from neurotimer.storage.records import RecordsMixin

log = logging.getLogger(__name__)

BACKGROUND_CHECK_BYTES = 32 * 1024 * 1024

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


class Store(PeopleMixin, RecordsMixin, AmendmentsMixin, QueriesMixin):
    """One open session log. Every write is its own committed transaction unless grouped in `transaction()`."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None, clock: Clock, read_only: bool) -> None:
        self.conn = conn
        self.path = path
        self.clock = clock
        self.read_only = read_only
        self._depth = 0
        self._check: BackgroundCheck | None = None
        self._refusal: StoreError | None = None
        self._watch: FileWatch | None = None  # a log file: is it still the file at its path?
        self.notices: list[str] = []  # what the store did by itself, for the practitioner (taken by the recorder)
        # Called once the log file is found gone, before it is saved again at its path: whoever keeps the
        # log's lock file beside it (the window) takes it again, so no second window opens the copy for writing.
        self.before_saving_again: Callable[[], None] | None = None

    # -- plumbing --------------------------------------------------------------------------------
    def now_text(self) -> str:
        return rfc3339(self.clock.wall())

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT; nested calls join the outer transaction. SQLite errors → WriteFailed."""
        if self.read_only:
            raise ReadOnlyError("This session log is open read-only; nothing can be changed.")
        self.wait_until_checked()
        if self._refusal is not None:
            raise self._refusal
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        self._depth = 1
        try:
            self._check_file()
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
                self.conn.execute("COMMIT")
                self._check_file()
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise WriteFailed(describe_write_error(exc), exc) from exc
        finally:
            self._depth = 0

    def bound_gui_calls(self, seconds: float, *, every_thread: bool = False) -> None:
        """For a log on a server: every statement the GUI (main) thread runs that has not returned after `seconds`
        is cut off (the server has gone silent), so the window never waits longer; the caller gets the error
        of a server that cannot be reached (a write: WriteFailed, and the recorder keeps the event).
        `every_thread`: a worker's own store, whose every statement is bounded whichever thread runs it."""
        from neurotimer.storage.bounded import BoundedConnection

        self.conn = BoundedConnection(self.conn, seconds, every_thread=every_thread)  # type: ignore[assignment]

    def _check_file(self) -> None:
        """Before and after every write: the open log must still be the file at its path, or nothing written
        now would be found by the next start. Once gone, it is saved again (once) or every write is refused."""
        watch = self._watch
        if watch is None or watch.still_there():
            return
        if not watch.tried:
            if self.before_saving_again is not None:
                self.before_saving_again()
            new, note = watch.rescue(self.conn)
            self.notices.append(note)
            if new is not None:
                old, self.conn = self.conn, new
                old.close()
                self.write_anchor("saved again after removal")
                return
        raise LogGone(f"The session log is no longer at {watch.path}.")

    def orphaned_sessions(self) -> list:
        """Open sessions nobody is recording: on a file, every one (it takes one writer at a time)."""
        return self.running_sessions()

    def claim_orphan(self, conn: sqlite3.Connection, session_id: int) -> bool:
        """Inside the closing transaction: whether the session is still open, so it is closed once."""
        row = conn.execute("SELECT state FROM sessions WHERE id = ?", (session_id,)).fetchone()
        return row is not None and row[0] in ("running", "paused")

    def recovery_stamp(self) -> dict:
        """What a `session.interrupted` found at start-up says of who found it (a file log: nothing more)."""
        return {}

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

    def wait_until_checked(self) -> StoreError | None:
        """Waits for a background quick check (large logs); returns its refusal, None when sound."""
        if self._check is not None:
            self._refusal = self._check.wait()
            self._check = None
        return self._refusal

    def head_text(self) -> str:
        """The log's head, 'n:hash', as printed on exports and reports (checked by `verify --anchor`)."""
        return anchor.head_text(self.conn)

    def anchor_file(self) -> Path | None:
        """Where this log's head is anchored: beside the daily backups."""
        return None if self.path is None else anchor.anchor_path(Path(self.path))

    def write_anchor(self, why: str) -> Path | None:
        """Appends the head to the anchor file beside the backups; a failure is logged, never raised."""
        target = self.anchor_file()
        if target is None or self.read_only:
            return None
        try:
            return anchor.write_anchor(self.conn, target, self.now_text(), why)
        except (OSError, sqlite3.Error) as exc:
            log.warning("the log's head could not be anchored: %s", exc)
            return None

    def checkpoint(self) -> None:
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        if self._check is not None:
            self._check.wait()
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class BackgroundCheck:
    """The quick check of a large log (and then its daily backup) on a worker thread with its own
    read-only connection, so that opening stays fast; the store writes nothing until it has passed."""

    def __init__(self, path: Path, backup_day: dt.date | None, anchor_at: str | None = None) -> None:
        self._path = path
        self._backup_day = backup_day
        self._anchor_at = anchor_at
        self._error: StoreError | None = None
        self._thread = threading.Thread(target=self._run, name="session-log-check", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            db.quick_check_file(self._path)
        except StoreError as exc:
            self._error = exc
            log.error("session log failed its quick check: %s", type(exc).__name__)
            return
        except Exception as exc:  # A worker thread must not die silently: the store must learn of it.
            self._error = CannotOpenError(f"The session log could not be checked: {exc}.")
            return
        try:
            conn = db.connect(self._path, read_only=True)
            try:
                if self._anchor_at is not None:
                    anchor.write_anchor(conn, anchor.anchor_path(self._path), self._anchor_at, "opened")
                if self._backup_day is not None:
                    backup.daily(conn, self._path, self._backup_day)
            finally:
                conn.close()
        except (OSError, sqlite3.Error, StoreError) as exc:
            log.warning("daily backup or anchor failed: %s", exc)

    def wait(self) -> StoreError | None:
        self._thread.join()
        return self._error


def open_store(
    path: Path | str,
    *,
    clock: Clock | None = None,
    busy_timeout_ms: int = 1000,
    durable: bool = True,
    daily_backup: bool = True,
    background_check_above: int = BACKGROUND_CHECK_BYTES,
    anchor_at_open: bool = True,
) -> Store:
    """Opens (or creates) the log for writing, migrating it after a backup copy.

    Raises a `RefusedDatabase` subclass (NotSQLiteError, ForeignDatabaseError, CorruptDatabaseError,
    NewerVersionError) for a file it will not write to, untouched; CannotOpenError when the file or
    folder cannot be used at all. `durable=False` (synchronous=OFF) is for throwaway demo files only.

    A log larger than `background_check_above` bytes is quick-checked on a worker thread (it takes
    about 150 ms per 85 MB): the first write waits for the result, and a damaged file then raises
    CorruptDatabaseError from that write (the Recorder turns it into an alarm) with nothing written.

    Every opening appends the log's head to the anchor file beside the backups (`anchor_at_open`).
    """
    if is_server_url(path):
        from neurotimer.storage.pg.open import open_pg_store

        return open_pg_store(str(path), clock=clock, busy_timeout_ms=busy_timeout_ms)
    path = Path(path)
    clock = clock or SystemClock()
    in_background = False
    if path.exists():
        if not path.is_file():
            raise CannotOpenError(f"{path} is a folder, not a session log file.")
        version = db.check_identity(path)
        if version is not None:
            size = path.stat().st_size + _size(path.with_name(path.name + "-wal"))
            # A migration, or switching the file to WAL, writes at once: then the check comes first.
            in_background = size > background_check_above and version == migrations.LATEST_VERSION and db.is_wal(path)
            if not in_background:
                db.quick_check_file(path)
    else:
        db.create_file(path)
    conn = db.connect(path, busy_timeout_ms=busy_timeout_ms)
    try:
        db.apply_durability(conn, durable)
        make_log_private(path)  # the log, its -wal/-shm, backups and anchors: the owner's only
        migrations.migrate(conn, backup=lambda cur, tgt: backup.before_migration(conn, path, cur, tgt))
    except sqlite3.Error as exc:
        conn.close()
        raise CannotOpenError(f"Cannot prepare the session log {path.name}: {exc}.") from exc
    store = Store(conn, path, clock, read_only=False)
    store._watch = FileWatch(path, lambda: _reopen(path, busy_timeout_ms, durable))
    if anchor_at_open and not in_background:
        store.write_anchor("opened")
    if in_background:
        # Nothing is written beside a log that may be damaged: the anchor waits for the check too.
        store._check = BackgroundCheck(
            path, clock.wall().date() if daily_backup else None, store.now_text() if anchor_at_open else None
        )
    elif daily_backup:
        try:
            store.daily_backup()
        except (OSError, sqlite3.Error) as exc:
            # A missing backup must not keep the practitioner from working; it is logged and retried tomorrow.
            log.warning("daily backup failed: %s", exc)
    return store


def _reopen(path: Path, busy_timeout_ms: int, durable: bool) -> sqlite3.Connection:
    conn = db.connect(path, busy_timeout_ms=busy_timeout_ms)
    db.apply_durability(conn, durable)
    return conn


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def open_readonly(path: Path | str, *, clock: Clock | None = None) -> Store:
    """Opens a log only to read it (a damaged file, or one from a newer version): nothing is written."""
    if is_server_url(path):
        from neurotimer.storage.pg.open import open_pg_readonly

        return open_pg_readonly(str(path), clock=clock)
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
