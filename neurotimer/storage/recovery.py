"""At start-up: close sessions a crash left open as interrupted, with only what the log proves."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from neurotimer.storage.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecoveredSession:
    session_id: int
    patient_code: str | None
    number: int | None
    started_at: str
    treatment_seconds: float

    def message(self) -> str:
        """One line for the practitioner, e.g. at start-up in a dialog."""
        who = f"patient {self.patient_code}" if self.patient_code else "an unassigned patient"
        which = f"session {self.number}" if self.number else f"session #{self.session_id}"
        minutes, seconds = divmod(round(self.treatment_seconds), 60)
        return (
            f"The app stopped during {which} of {who} (started {self.started_at}); it is recorded as "
            f"interrupted with {minutes} min {seconds:02d} s of treatment."
        )


def recover_interrupted(store: Store) -> list[RecoveredSession]:
    """Closes every running or paused session nobody is recording as interrupted, one transaction each.

    Treatment time is the last committed progress (or pause/end) figure; no end time is invented:
    `ended_at` stays empty and an event `session.interrupted` records when this was found.
    Raises CorruptDatabaseError (a RefusedDatabase) when there is something to close but the
    background quick check of a large log has found it damaged: nothing is written then.
    """
    recovered = []
    for summary in store.orphaned_sessions():
        row = store.conn.execute(
            "SELECT treatment_seconds, offset_s, at FROM session_progress WHERE session_id = ?", (summary.id,)
        ).fetchone()
        treatment, offset, last_seen = row if row else (0.0, 0.0, None)
        payload = {
            "outcome": "interrupted",
            "treatment_seconds": treatment,
            "last_progress_at": last_seen,
            "reason": "the app stopped while the session was open; found at the next start",
            **store.recovery_stamp(),
        }
        with store.transaction() as conn:
            if not store.claim_orphan(conn, summary.id):
                continue  # Another workstation closed it a moment ago: once is enough.
            store.append_session_event(conn, summary.id, store.now_text(), offset, "session.interrupted", payload)
        log.warning("session %d was left open; closed as interrupted (%.1f s of treatment)", summary.id, treatment)
        recovered.append(
            RecoveredSession(summary.id, summary.patient_code, summary.number, summary.started_at, treatment)
        )
    return recovered
