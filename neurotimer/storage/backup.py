"""Backup copies through SQLite's backup API: before each migration, and one a day kept for 14 days."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import sqlite3
from pathlib import Path

from neurotimer.paths import private_dir

log = logging.getLogger(__name__)

KEEP_DAYS = 14
_DAILY = re.compile(r"^(?P<stem>.+)-daily-(?P<day>\d{4}-\d{2}-\d{2})\.sqlite3$")


def backup_dir(db_path: Path) -> Path:
    folder = db_path.parent / "backups"
    if not folder.exists():
        private_dir(folder)
    return folder


def copy_to(conn: sqlite3.Connection, target: Path) -> Path:
    """A consistent copy of the live database (readers and the write-ahead log included), mode 0600."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)  # a copy cut short earlier; never opened through a link
    fd = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0), 0o600)
    os.close(fd)
    dest = sqlite3.connect(partial)
    try:
        conn.backup(dest)
        dest.execute("PRAGMA journal_mode = DELETE")
    finally:
        dest.close()
    os.replace(partial, target)
    return target


def before_migration(conn: sqlite3.Connection, db_path: Path, current: int, target: int) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    target_path = backup_dir(db_path) / f"{db_path.stem}-v{current}-before-v{target}-{stamp}.sqlite3"
    copy_to(conn, target_path)
    log.info("backup before migration written to %s", target_path.name)
    return target_path


def daily(conn: sqlite3.Connection, db_path: Path, today: dt.date) -> Path | None:
    """Writes today's copy if there is none yet and removes daily copies older than 14 days."""
    folder = backup_dir(db_path)
    target = folder / f"{db_path.stem}-daily-{today.isoformat()}.sqlite3"
    written = None
    if not target.exists():
        written = copy_to(conn, target)
        log.info("daily backup written to %s", target.name)
    oldest = today - dt.timedelta(days=KEEP_DAYS - 1)
    for entry in folder.iterdir():
        match = _DAILY.match(entry.name)
        if not match or match["stem"] != db_path.stem:
            continue
        try:
            day = dt.date.fromisoformat(match["day"])
        except ValueError:
            continue
        if day < oldest:
            entry.unlink()
            log.info("daily backup %s removed (older than %d days)", entry.name, KEEP_DAYS)
    return written
