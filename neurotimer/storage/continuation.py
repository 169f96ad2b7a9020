"""A session closed elsewhere while this workstation still recorded it: the rest goes into a new, linked session.

On a shared log another workstation closes a session as interrupted when its workstation has not been heard
from for a whole lease (pg/leases.py). If that workstation was only out of touch (the network, a frozen
process, a closed lid) it comes back still recording. Its live events are then refused in their own write
transaction (`SessionClosedElsewhere`), and go into a new session row whose first event after
`session.opened` is `session.continues`, naming the interrupted session: the interrupted record ends where
it was closed, and nothing recorded after is lost. The start-up spool replay sends the events of a session
closed meanwhile to the same place, through `continue_session`, with the same link.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from neurotimer.storage.db import StoreError
from neurotimer.storage.models import seconds_between

CONTINUES = "session.continues"


class SessionClosedElsewhere(StoreError):
    """A live event for a session another workstation has closed (as interrupted); nothing was written."""

    def __init__(self, session_id: int, closed_by: str | None) -> None:
        who = f"workstation {closed_by}" if closed_by else "another workstation"
        super().__init__(f"Session #{session_id} was closed as interrupted by {who}; it takes no more events.")
        self.session_id = session_id
        self.closed_by = closed_by


@dataclass(frozen=True)
class ContinuedSession:
    """What the practitioner at the chair is told when the rest of a session went into a new one."""

    chair: str
    session_id: int
    new_id: int
    closed_by: str | None

    def message(self) -> str:
        # What the practitioner must know first leads (the alarm strip shows the start of it).
        who = f"workstation {self.closed_by}" if self.closed_by else "another workstation"
        return (
            f"Recording goes on as new session #{self.new_id}: {who} closed session #{self.session_id} as "
            f"interrupted while this workstation was out of touch with the log server for longer than its lease."
        )


def continue_session(
    store: Any,
    conn: Any,
    session_id: int | None,
    opened: dict[str, Any],
    *,
    reason: str,
    chair: str = "",
    closed_by: str | None = None,
) -> int:
    """Inside the caller's write transaction: a new session row with the facts `opened` (as `insert_session`
    takes them) and, when it continues `session_id`, the `session.continues` event that links the two.
    Returns the new row's id."""
    new_id = store.insert_session(conn, chair=chair, **opened)
    if session_id is not None:
        at = store.now_text()
        link = {"session_id": session_id, "reason": reason, **({"closed_by": closed_by} if closed_by else {})}
        offset = max(0.0, seconds_between(opened["started_at"], at)) if opened.get("started_at") else 0.0
        store.append_session_event(conn, new_id, at, round(offset, 3), CONTINUES, link)
    return new_id
