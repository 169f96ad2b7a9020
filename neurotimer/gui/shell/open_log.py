"""Opens the session log at start, and asks the practitioner what to do with a file it refuses."""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import Enum
from pathlib import Path

from neurotimer.session.clock import Clock
from neurotimer.storage.db import CannotOpenError, ForeignDatabaseError, NotSQLiteError, RefusedDatabase, StoreError
from neurotimer.storage.location import LogLocation, describe, is_server_url
from neurotimer.storage.store import Store, open_readonly, open_store

log = logging.getLogger(__name__)


class Choice(Enum):
    RETRY = "Try again"
    READ_ONLY = "Open it read-only"
    OTHER_FILE = "Use another file…"
    QUIT = "Quit"


# ask(message, choices) -> the practitioner's choice; pick_file() -> a new path or None.
Ask = Callable[[str, list[Choice]], Choice]
PickFile = Callable[[], Path | None]


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
            choice = ask(f"{exc}\n\nneurotimer has not changed this file.", choices)
        except (CannotOpenError, StoreError, OSError) as exc:
            log.warning("session log cannot be opened: %s", type(exc).__name__)
            # A server may be back in a moment (restarting, the network): trying again is the first offer.
            retry = [Choice.RETRY] if is_server_url(path) else []
            choice = ask(f"The session log cannot be opened: {exc}", [*retry, Choice.OTHER_FILE, Choice.QUIT])
        if choice is Choice.RETRY:
            continue
        if choice is Choice.READ_ONLY:
            try:
                return open_readonly(path, clock=clock), (
                    f"{describe(path)} is open read-only: you can review it, but sessions are not recorded."
                )
            except (StoreError, OSError) as exc:
                choice = ask(f"It cannot be opened read-only either: {exc}", [Choice.OTHER_FILE, Choice.QUIT])
        if choice is Choice.OTHER_FILE:
            picked = pick_file()
            if picked is None:
                return None, ""
            path = picked
            continue
        return None, ""
