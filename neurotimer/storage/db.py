"""Opening the log file: refusing files that are not ours or not sound, and the durability pragmas."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from neurotimer.storage.migrations import APPLICATION_ID, LATEST_VERSION

SQLITE_MAGIC = b"SQLite format 3\x00"


class StoreError(Exception):
    """A problem with the session log; the message is for the practitioner."""


class RefusedDatabase(StoreError):
    """A file the app will not write to. `can_open_read_only` says whether reading it makes sense."""

    can_open_read_only = False

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(message)
        self.path = path


class NotSQLiteError(RefusedDatabase):
    pass


class ForeignDatabaseError(RefusedDatabase):
    pass


class CorruptDatabaseError(RefusedDatabase):
    can_open_read_only = True


class NewerVersionError(RefusedDatabase):
    can_open_read_only = True


class CannotOpenError(StoreError):
    """The file or its folder cannot be read or created (permissions, missing disk, a folder)."""


class ReadOnlyError(StoreError):
    """A write was asked of a log opened read-only."""


def _header(path: Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(100)
    except OSError as exc:
        raise CannotOpenError(f"Cannot read the session log {path}: {exc.strerror}.") from exc


def _one_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("***")]
    return "; ".join(lines) or text.strip()


def connect(path: Path | str, *, read_only: bool = False, busy_timeout_ms: int = 1000) -> sqlite3.Connection:
    """A connection in autocommit mode; transactions are always explicit (BEGIN IMMEDIATE)."""
    target = Path(path)
    uri = f"{target.absolute().as_uri()}?mode={'ro' if read_only else 'rw'}"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=busy_timeout_ms / 1000)
    except sqlite3.Error as exc:
        raise CannotOpenError(f"Cannot open the session log {path}: {exc}.") from exc
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def apply_durability(conn: sqlite3.Connection, durable: bool = True) -> None:
    """WAL and a full fsync per commit: an event whose commit returned survives a power cut."""
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"PRAGMA synchronous = {'FULL' if durable else 'OFF'}")


def check_existing(path: Path) -> None:
    """Refuses a file that is not a sound neurotimer log of this version or older; writes nothing."""
    if check_identity(path) is not None:
        quick_check_file(path)


def check_identity(path: Path) -> int | None:
    """The cheap checks (header, application id, version); returns the schema version, None if empty."""
    header = _header(path)
    if not header:
        return None  # An empty file is an empty SQLite database: safe to set up.
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise NotSQLiteError(path, f"{path.name} is not a neurotimer session log (not an SQLite file).")
    app_id = int.from_bytes(header[68:72], "big")
    if app_id not in (0, APPLICATION_ID):
        raise ForeignDatabaseError(
            path, f"{path.name} belongs to another program (it is not a neurotimer session log)."
        )
    conn = connect(path, read_only=True)
    try:
        # The header on disk can lag behind the write-ahead log, so ask SQLite itself.
        app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise _as_refusal(path, exc) from exc
    finally:
        conn.close()
    if app_id not in (0, APPLICATION_ID) or (app_id == 0 and tables):
        raise ForeignDatabaseError(
            path, f"{path.name} belongs to another program (it is not a neurotimer session log)."
        )
    if version > LATEST_VERSION:
        raise NewerVersionError(
            path,
            f"{path.name} was written by a newer version of neurotimer (log format {version}); "
            "this version can only open it read-only.",
        )
    return version


def is_wal(path: Path) -> bool:
    """Whether the file is already in WAL mode (header bytes 18–19), so opening it changes no byte."""
    header = _header(path)
    return len(header) >= 20 and header[18] == 2 and header[19] == 2


def quick_check_file(path: Path) -> None:
    """SQLite's quick check on a read-only connection: CorruptDatabaseError when it finds damage."""
    conn = connect(path, read_only=True)
    try:
        result = [row[0] for row in conn.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        raise _as_refusal(path, exc) from exc
    finally:
        conn.close()
    if result != ["ok"]:
        raise CorruptDatabaseError(
            path, f"{path.name} is damaged (SQLite quick check: {_one_line(result[0])}); it will not be written to."
        )


def _as_refusal(path: Path, exc: sqlite3.DatabaseError) -> StoreError:
    if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
        return CannotOpenError(f"The session log {path.name} is locked by another program.")
    return CorruptDatabaseError(path, f"{path.name} is damaged ({_one_line(str(exc))}); it will not be written to.")


def create_file(path: Path) -> None:
    """Creates the folder (0700) and an empty database file (0600): it will hold clinical records."""
    missing = []
    parent = path.parent
    while not parent.exists():
        missing.append(parent)
        parent = parent.parent
    try:
        for folder in reversed(missing):
            folder.mkdir(mode=0o700)
            os.chmod(folder, 0o700)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
        os.chmod(path, 0o600)
    except OSError as exc:
        raise CannotOpenError(f"Cannot create the session log {path}: {exc.strerror}.") from exc
