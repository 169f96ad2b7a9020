"""The recorder's part for a session closed elsewhere while it still ran here: the rest goes into a new session."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from neurotimer.storage.continuation import ContinuedSession, SessionClosedElsewhere, continue_session

if TYPE_CHECKING:
    from neurotimer.storage.recorder_lane import RecorderLane, _Target
    from neurotimer.storage.store import Store

log = logging.getLogger(__name__)

CLOSED_ELSEWHERE = "the session was closed as interrupted elsewhere while this workstation was out of touch"


class ContinuingMixin:
    """The Recorder's part that answers `SessionClosedElsewhere` (see continuation.py): once, in storage."""

    _store: Store
    on_continued: Callable[[ContinuedSession], None] | None
    _continued: list[tuple[RecorderLane, ContinuedSession]]

    def _continue(self, target: _Target, refused: SessionClosedElsewhere) -> None:
        """In its own write transaction: the new session, linked to the one refused, and this workstation's
        lease on it; the target then writes there (the refused event is written again by the caller)."""
        with self._store.transaction() as conn:
            new_id = continue_session(
                self._store, conn, refused.session_id, target.opening(), reason=CLOSED_ELSEWHERE,
                chair=target.lane.name, closed_by=refused.closed_by,
            )
            count = conn.execute("SELECT event_count FROM sessions WHERE id = ?", (new_id,)).fetchone()[0]
        log.warning("session %d was closed elsewhere while recorded here; its rest goes into session %d",
                    refused.session_id, new_id)
        target.db_id = new_id
        target.last_seq = int(count)  # what a spool header line says the row holds before its spooled events
        target.last_progress_value = None
        target.spooled = False  # a spool header line names the row its events go to: a new one comes first
        self._continued.append((target.lane, ContinuedSession(target.lane.name, refused.session_id, new_id,
                                                              refused.closed_by)))

    def _tell_continued(self) -> None:
        """After the writes (never inside them: the notice is itself recorded), the chair is told."""
        while self._continued:
            lane, moved = self._continued.pop(0)
            tell = lane.on_continued or self.on_continued
            if tell is not None:
                tell(moved)
