"""Whether the open log is still the file at its path, and saving it again when its folder was removed.

A log file removed while open (its folder deleted, a clean-up script) still takes every write: SQLite
writes to the open file, which the system frees at exit, and everything is lost then. So every commit
compares the open file (device and inode when it was opened) with what is at the path now.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from neurotimer.storage.db import StoreError

log = logging.getLogger(__name__)


class LogGone(StoreError):
    """The log file is no longer at its path; what waits is kept in the spool file beside it."""


def identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def make_folder(folder: Path) -> None:
    """The folder and its missing parents, readable only by the user."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for one in reversed(missing):
        one.mkdir(mode=0o700, exist_ok=True)
        os.chmod(one, 0o700)


class FileWatch:
    """The identity of the log file a store has open, and what to do once it is gone (once)."""

    def __init__(self, path: Path, reopen: Callable[[], sqlite3.Connection]) -> None:
        self.path = path
        self.identity = identity(path)
        self._reopen = reopen
        self.tried = False
        self.saved_copy: Path | None = None

    def still_there(self) -> bool:
        return self.identity is None or identity(self.path) == self.identity

    def rescue(self, conn: sqlite3.Connection) -> tuple[sqlite3.Connection | None, str]:
        """Tried once: when nothing is at the path, the open log is copied there (its folder made again) and a
        connection to the copy returned; when another file took its place, the open log is saved beside it.
        Returns (the new connection or None, a line for the practitioner)."""
        self.tried = True
        where = self.path.parent
        try:
            make_folder(where)
            if not self.path.exists():
                self._copy(conn, self.path)
                new = self._reopen()
                self.identity = identity(self.path)
                log.error("the session log was removed while open; saved again at its path from the open copy")
                return new, (
                    f"The session log was removed while open (its folder {where} was deleted?). It was saved again "
                    f"at {self.path} from the copy still open, and recording goes on there; nothing was lost. "
                    "Find out what removed it."
                )
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            self.saved_copy = self.path.with_name(f"{self.path.stem}.removed-{stamp}{self.path.suffix}")
            self._copy(conn, self.saved_copy)
            log.error("the session log was replaced while open; the open copy was saved beside it")
            return None, (
                f"The session log at {self.path} was replaced by another file while open. The log as it was is "
                f"saved as {self.saved_copy.name}; new events are kept in the spool file beside it."
            )
        except (OSError, sqlite3.Error) as exc:
            log.error("the removed session log could not be saved again: %s", exc)
            return None, (
                f"The session log was removed from {where} while open and cannot be saved again there ({exc}). "
                "Events are kept in memory and, where possible, in the spool file; do not quit."
            )

    @staticmethod
    def _copy(conn: sqlite3.Connection, target: Path) -> None:
        """The open log (its write-ahead log included) into a new file, synced, then linked at `target`."""
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0), 0o600))
        try:
            dest = sqlite3.connect(partial)
            try:
                conn.backup(dest)
            finally:
                dest.close()
            fd = os.open(partial, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            os.link(partial, target)  # Never over a file that appeared meanwhile.
        finally:
            partial.unlink(missing_ok=True)
        fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
