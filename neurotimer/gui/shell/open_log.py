"""Opens the session log at start: asks the practitioner what to do with a file it refuses, keeps a second
window from writing the same log, closes sessions a crash left open, and falls back to read-only."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from PySide6.QtCore import QLockFile

from neurotimer.session.clock import Clock
from neurotimer.storage.bounded import SERVER_CALL_BOUND_S
from neurotimer.storage.db import CannotOpenError, ForeignDatabaseError, NotSQLiteError, RefusedDatabase, StoreError
from neurotimer.storage.file_watch import make_folder
from neurotimer.storage.location import LogLocation, describe, is_server_url
from neurotimer.storage.recovery import RecoveredSession, recover_interrupted
from neurotimer.storage.spool import replay_spool, saved_copies
from neurotimer.storage.store import Store, open_readonly, open_store

log = logging.getLogger(__name__)


class Choice(Enum):
    RETRY = "Try again"
    READ_ONLY = "Open it read-only"
    OTHER_FILE = "Use another log…"
    QUIT = "Quit"


# ask(message, choices) -> the practitioner's choice; pick_file() -> another log (a file or a server) or None.
Ask = Callable[[str, list[Choice]], Choice]
PickFile = Callable[[], LogLocation | None]


LOCK_WAIT_MS = 200


@dataclass
class OpenedLog:
    """The log as start-up left it: writable (with the lock that keeps it ours), or read-only and why."""

    store: Store
    read_only_note: str = ""  # for the practitioner; empty when sessions are recorded
    recovered: list[RecoveredSession] = field(default_factory=list)  # sessions a crash had left open
    lock: QLockFile | None = None
    replayed: str | None = None  # what the spool of the last run brought into the log, for the practitioner

    @property
    def writable(self) -> bool:
        return not self.read_only_note


def open_session_log(path: LogLocation, clock: Clock, ask: Ask, pick_file: PickFile) -> OpenedLog | None:
    """The log to record into, or read-only with the reason; None when the practitioner chose to quit."""
    store, note = open_log(path, clock, ask, pick_file)
    if store is None:
        return None
    if is_server_url(store.path):
        store.bound_gui_calls(SERVER_CALL_BOUND_S)  # from its first read: a server gone silent never holds the window
    if note:
        return OpenedLog(store, note)
    lock = None
    # A file takes one writer at a time; a server log is shared by the clinic's workstations.
    if isinstance(store.path, Path):
        lock = QLockFile(f"{store.path}.lock")
        lock.setStaleLockTime(0)  # a crashed instance's lock is stale once its process is gone
        if not lock.tryLock(LOCK_WAIT_MS):
            # Another neurotimer writes this log: a second writer would close its live session as interrupted.
            store.close()
            return _read_only(store.path, clock, f"{store.path.name} is in use by another neurotimer window: it is "
                              "open read-only here, and sessions are not recorded.")
        store.before_saving_again = _lock_again(store, lock)
    replayed = None
    try:
        # Events the last run could not write come first, then the sessions it left open are closed.
        try:
            done = replay_spool(store)
            replayed = done.message() if done.count else None
        except RefusedDatabase:
            raise
        except StoreError as exc:
            log.error("the spool could not be replayed: %s", type(exc).__name__)
            replayed = (f"Events kept in the spool file by the last run could not be written yet ({exc}); "
                        "they stay there for the next start.")
        copies = saved_copies(store)
        if copies:
            more = f" (and {len(copies) - 1} more)" if len(copies) > 1 else ""
            replayed = " ".join(filter(None, [replayed, (
                f"The log as it was when another file took its place while open is saved as {copies[0].name} "
                f"beside it{more}; open it with --db to read it.")]))
        try:
            recovered = recover_interrupted(store)
        except RefusedDatabase:
            raise
        except (StoreError, sqlite3.Error) as exc:
            # A server that stopped answering since it opened: the window opens all the same (the recorder keeps
            # what it writes), and the next start closes what is still open.
            log.warning("sessions left open could not be closed: %s", type(exc).__name__)
            recovered = []
            replayed = " ".join(filter(None, [replayed, (
                "Sessions the last run left open could not be closed as interrupted now (the log cannot be "
                "reached); the next start closes them.")]))
    except RefusedDatabase as exc:
        # A large log is checked in the background; damage found there is a refusal like any other.
        store.close()
        choice = ask(f"{exc}\n\n{_untouched(store.path)}", [Choice.READ_ONLY, Choice.QUIT])
        if choice is not Choice.READ_ONLY:
            return None
        return _read_only(store.path, clock, "The session log is open read-only: sessions are not recorded.")
    return OpenedLog(store, recovered=recovered, lock=lock, replayed=replayed)


def _untouched(path: LogLocation | None) -> str:
    return f"neurotimer has not changed this {'database' if is_server_url(path) else 'file'}."


def _lock_again(store: Store, lock: QLockFile) -> Callable[[], None]:
    """For a log file found gone while open (its folder removed): the lock file went with it, so before the log
    is saved again at its path the lock is taken again there; a second window then opens it read-only, as
    before, instead of writing the same file."""
    path = Path(f"{store.path}.lock")

    def again() -> None:
        if path.exists():
            return  # ours still: the log was replaced by another file, its folder kept
        try:
            make_folder(path.parent)
        except OSError as exc:  # the log cannot be saved there either: the store says so
            log.error("the log's folder could not be made again: %s", type(exc).__name__)
            return
        if lock.tryLock(0):
            log.warning("the session log's lock was taken again after its folder was removed")
            return
        log.error("the session log's lock is held by another program since its folder was removed")
        store.notices.append(f"Another neurotimer window may have opened {path.parent}: the log's lock is held "
                             "by it now. Quit one of the two windows, so that only one records into this log.")

    return again


def _read_only(path: LogLocation, clock: Clock, note: str) -> OpenedLog:
    return OpenedLog(open_readonly(path, clock=clock), note)


def open_log(path: LogLocation, clock: Clock, ask: Ask, pick_file: PickFile) -> tuple[Store | None, str]:
    """Returns the store (or None to quit) and a note for the practitioner ('' when all is well)."""
    while True:
        try:
            # A short busy timeout: the recorder retries about once a second, and the window must not freeze.
            return open_store(path, clock=clock, busy_timeout_ms=200), ""
        except RefusedDatabase as exc:
            log.warning("session log refused: %s", type(exc).__name__)
            can_read = not isinstance(exc, NotSQLiteError | ForeignDatabaseError)
            choices = ([Choice.READ_ONLY] if can_read else []) + [Choice.OTHER_FILE, Choice.QUIT]
            choice = ask(f"{exc}\n\n{_untouched(path)}", choices)
        except (CannotOpenError, StoreError, OSError) as exc:
            log.warning("session log cannot be opened: %s", type(exc).__name__)
            # A server may be back in a moment (restarting, the network): trying again is the first offer.
            retry = [Choice.RETRY] if is_server_url(path) else []
            # The store's own message already begins "Cannot open the session log …": said once.
            text = str(exc) if str(exc).startswith("Cannot open") else f"The session log cannot be opened: {exc}"
            choice = ask(text, [*retry, Choice.OTHER_FILE, Choice.QUIT])
        if choice is Choice.RETRY:
            continue
        if choice is Choice.READ_ONLY:
            try:
                note = f"{describe(path)} is open read-only: you can review it, but sessions are not recorded."
                opened = _read_only(path, clock, note)
                return opened.store, opened.read_only_note
            except (StoreError, OSError) as exc:
                choice = ask(f"It cannot be opened read-only either: {exc}", [Choice.OTHER_FILE, Choice.QUIT])
        if choice is Choice.OTHER_FILE:
            picked = pick_file()
            if picked is None:
                return None, ""
            path = picked
            continue
        return None, ""
