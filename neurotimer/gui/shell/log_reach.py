"""What a window says when the session log cannot be read or written from it: one plain line, never a traceback.

A log on a server that stops answering fails every call the window makes (cut off after 0.5 s, see
storage/bounded.py) with "the log server cannot be reached"; a refused connection fails the same way at once.
Each caller catches `LOG_ERRORS`, says `plain(exc, what)` where the practitioner looks, keeps what they typed,
and tries again by itself (a panel) or when asked (a dialog's OK).
"""

from __future__ import annotations

import sqlite3

from neurotimer.storage.db import StoreError

LOG_ERRORS = (sqlite3.Error, StoreError)
UNREACHABLE = "the log server cannot be reached"


def unreachable(exc: BaseException) -> bool:
    """Whether the log failed because its server does not answer (or refuses the connection)."""
    cause = getattr(exc, "cause", None) or exc.__cause__
    return any("cannot be reached" in str(e) for e in (exc, cause) if e is not None)


def plain(exc: BaseException, what: str, after: str = "") -> str:
    """`what` ("The note is not saved") and why, in one line: a server that does not answer is said in the
    same words wherever it happens (never the driver's text); any other fault keeps the log's own message.
    `after` says what happens next ("Your text is kept: press OK again once it answers.")."""
    if unreachable(exc):
        why = UNREACHABLE
    else:
        why = " ".join(str(exc).split()).rstrip(".") or type(exc).__name__
        why = why[0].lower() + why[1:] if why[:2] != why[:2].upper() else why
    return f"{what}: {why}." + (f" {after}" if after else "")
