"""The store on a server: the same Store, with session leases so that several workstations share one log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from neurotimer.storage.anchor import server_anchor_path
from neurotimer.storage.pg.leases import Leases
from neurotimer.storage.store import Store

CLOSING_KINDS = frozenset({"session.ended", "session.interrupted"})


class PgStore(Store):
    """A Store whose log is on a server. The server keeps its own backups (pg_dump, WAL archiving)."""

    leases: Leases | None = None
    server_log = True  # sessions carry leases: the clinic board reads where each one runs

    def daily_backup(self, today=None):
        return None

    def checkpoint(self) -> None:
        return None

    def anchor_file(self) -> Path | None:
        return server_anchor_path(str(self.path))

    def close(self) -> None:
        if self.leases is not None:
            self.leases.stop()
        super().close()

    # -- leases: this workstation writes only the sessions it holds ------------------------------
    def insert_session(self, conn, *, chair: str = "", **kwargs: Any) -> int:
        session_id = super().insert_session(conn, **kwargs)
        if self.leases is not None:
            self.leases.take(conn, session_id, chair)
        return session_id

    def append_session_event(self, conn, session_id: int, at: str, offset: float, kind: str,
                             payload: dict[str, Any]) -> int:
        # The lease is asked for with the event's first read: one round trip fewer (connection.py).
        self._asked = None if self.leases is None else (session_id, self.leases.ask(conn, session_id))
        try:
            return super().append_session_event(conn, session_id, at, offset, kind, payload)
        finally:
            self._asked = None

    def apply_effects(
        self, conn, session_id: int, kind: str, payload: dict[str, Any], at: str, offset: float
    ) -> None:
        if self.leases is not None:
            asked = getattr(self, "_asked", None)
            self.leases.check(conn, session_id, asked[1] if asked and asked[0] == session_id else None)
        super().apply_effects(conn, session_id, kind, payload, at, offset)
        if self.leases is not None and kind in CLOSING_KINDS:
            self.leases.release(conn, session_id)

    def upsert_progress(self, conn, session_id: int, treatment: float, offset: float, at: str) -> None:  # type: ignore[override]
        # The treatment time so far is live too; inside an event's own write the lease is already checked.
        if self.leases is not None and getattr(self, "_asked", None) is None:
            self.leases.check(conn, session_id)
        super().upsert_progress(conn, session_id, treatment, offset, at)

    def _append_later(self, conn, session_id: int, kind: str, payload: dict[str, Any], at: str | None = None) -> int:
        # A note, score or amendment: refused while another workstation records the session, allowed once closed.
        if self.leases is not None:
            self.leases.check(conn, session_id, live=False)
        return super()._append_later(conn, session_id, kind, payload, at)

    def recovery_stamp(self) -> dict[str, Any]:
        """Which workstation closed a session as interrupted (told to the one that recorded it, if it comes back)."""
        return {} if self.leases is None else {"recovered_by": self.leases.workstation}

    def orphaned_sessions(self):
        """Open sessions no live workstation holds (the others are being recorded elsewhere right now)."""
        if self.leases is None:
            return super().orphaned_sessions()
        ids = set(self.leases.orphaned(self.conn))
        return [s for s in self.running_sessions() if s.id in ids]

    def claim_orphan(self, conn, session_id: int) -> bool:
        if self.leases is None:
            return super().claim_orphan(conn, session_id)
        return self.leases.claim(conn, session_id)

    def recorded_on(self, session_id: int) -> str | None:
        """The workstation recording this session now (None when it is closed or its workstation is gone)."""
        if self.leases is None:
            return None
        return self.leases.holder(self.conn, session_id)
