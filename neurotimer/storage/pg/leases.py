"""Which workstation writes a session: a lease row per open session, kept alive by a heartbeat.

A workstation takes the lease in the transaction that writes its session's first event, renews every
lease it holds every few seconds from a worker thread (server time, so clocks need not agree), and
gives it up in the transaction that ends the session (the row stays, closed, so the clinic board still
shows which workstation and chair the session was on). Another workstation never writes a session whose
lease is open; it reads it like any other. When a workstation dies its heartbeat stops, its leases
expire, and whoever starts next closes its open sessions as interrupted: the claim closes the lease and
puts its own instance on it, and the `session.interrupted` event names the workstation that closed it.
Every write transaction holds the clinic-wide write lock (connection.py), so that happens exactly once.

A workstation that was only out of touch (network, frozen process, closed lid) comes back still
recording a session closed that way. Its *live* events are then refused in their own write transaction
(`SessionClosedElsewhere`) and the recorder puts the rest into a new linked session (continuation.py).
Live events are those of the session as it runs: everything the recorder and the spool replay write
(domain events, stimulator commands and readings, alarms, pauses, the end) and the treatment-time
progress. Notes, scores, adverse events, plans and amendments added through the store's after-the-fact
calls are not live: on a closed session they are allowed from any workstation (a practitioner corrects a
record at the front desk), on a session another workstation still records they are refused (`SessionTaken`).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import uuid
from typing import TYPE_CHECKING

import psycopg

from neurotimer.storage.continuation import SessionClosedElsewhere
from neurotimer.storage.db import StoreError

if TYPE_CHECKING:
    from neurotimer.storage.pg.connection import Later, PgConnection

log = logging.getLogger(__name__)

LEASE_S = 60.0
HEARTBEAT_S = 10.0
APPLICATION = "neurotimer"  # the server sees each run's connections as "neurotimer <instance>"


def application_name(instance: str) -> str:
    return f"{APPLICATION} {instance}"


def workstation_name() -> str:
    """This computer's name in the clinic (NEUROTIMER_WORKSTATION, else the host name)."""
    return os.environ.get("NEUROTIMER_WORKSTATION", "").strip() or socket.gethostname()


class SessionTaken(StoreError):
    """The session is being recorded by another workstation."""


class Leases:
    """This app run's leases: take, check, give up, renew, and find the sessions nobody holds."""

    def __init__(self, conninfo: str, connect_kwargs: dict, *, lease_s: float = LEASE_S,
                 heartbeat_s: float = HEARTBEAT_S, workstation: str | None = None, instance: str | None = None) -> None:
        self.workstation = workstation or workstation_name()
        self.instance = instance or uuid.uuid4().hex
        self.lease_s = lease_s
        self.heartbeat_s = heartbeat_s
        self._conninfo = conninfo
        self._kwargs = connect_kwargs
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- inside the store's write transactions -------------------------------------------------
    def take(self, conn: PgConnection, session_id: int, chair: str = "") -> None:
        conn.execute(
            "INSERT INTO session_leases (session_id, workstation, instance, expires_at, chair, renewed_at, open)"
            " VALUES (?, ?, ?, now() + make_interval(secs => ?), ?, now(), true)"
            " ON CONFLICT (session_id) DO UPDATE SET workstation = excluded.workstation,"
            " instance = excluded.instance, expires_at = excluded.expires_at, chair = excluded.chair,"
            " renewed_at = excluded.renewed_at, open = true",
            (session_id, self.workstation, self.instance, self.lease_s, chair),
        )
        self._start_heartbeat()

    def ask(self, conn: PgConnection, session_id: int) -> Later:
        """Who holds the session, asked with the transaction's next round trip (for `check`)."""
        return conn.read_later(
            "SELECT workstation, instance, open FROM session_leases WHERE session_id = ?", (session_id,)
        )

    def check(self, conn: PgConnection, session_id: int, asked: Later | None = None, *, live: bool = True) -> None:
        """Inside the write transaction: refuses a write to a session another instance holds (its lease alive or
        not: it may come back), and a live write to one another instance has closed (see the module's words)."""
        if asked is None or asked.rows is None:
            asked = self.ask(conn, session_id)
            if asked.rows is None:
                conn.execute("SELECT 1")  # sends it
        row = asked.rows[0] if asked.rows else None
        if row is None or row[1] == self.instance:
            return
        if row[2]:
            raise SessionTaken(
                f"Session #{session_id} is being recorded on workstation {row[0]}; it is read-only here."
            )
        if live:
            raise SessionClosedElsewhere(session_id, self._closed_by(conn, session_id))

    @staticmethod
    def _closed_by(conn: PgConnection, session_id: int) -> str | None:
        row = conn.execute(
            "SELECT payload FROM events WHERE session_id = ? AND kind = 'session.interrupted' ORDER BY seq DESC",
            (session_id,),
        ).fetchone()
        found = json.loads(row[0]).get("recovered_by") if row else None
        return str(found) if found else None

    def release(self, conn: PgConnection, session_id: int) -> None:
        conn.execute(
            "UPDATE session_leases SET open = false WHERE session_id = ? AND instance = ?", (session_id, self.instance)
        )

    def orphaned(self, conn: PgConnection) -> list[int]:
        """Open sessions nobody alive holds: no lease, an expired one, or this workstation's earlier run once its
        connections are gone (a second window on this computer, still running, keeps its sessions)."""
        rows = conn.execute(
            "SELECT s.id FROM sessions s LEFT JOIN session_leases l ON l.session_id = s.id"
            " WHERE s.state IN ('running', 'paused') AND (l.session_id IS NULL OR NOT l.open OR l.expires_at < now()"
            " OR (l.workstation = ? AND l.instance <> ? AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a"
            f" WHERE a.application_name = '{APPLICATION} ' || l.instance))) ORDER BY s.id",
            (self.workstation, self.instance),
        ).fetchall()
        return [r[0] for r in rows]

    def claim(self, conn: PgConnection, session_id: int) -> bool:
        """Inside a write transaction: whether the session is still an orphan; if so its lease is closed
        (the row keeps the workstation and chair it was on, for the clinic board)."""
        if session_id not in self.orphaned(conn):
            return False
        # Its instance is now the claimer's: the instance that recorded it learns that it was closed elsewhere.
        conn.execute(
            "UPDATE session_leases SET open = false, instance = ? WHERE session_id = ?", (self.instance, session_id)
        )
        return True

    def holder(self, conn: PgConnection, session_id: int) -> str | None:
        """The workstation recording this session now, None when none is (or its lease has run out)."""
        row = conn.execute(
            "SELECT workstation FROM session_leases WHERE session_id = ? AND open AND expires_at >= now()",
            (session_id,),
        ).fetchone()
        return None if row is None else str(row[0])

    # -- heartbeat -------------------------------------------------------------------------------
    def _start_heartbeat(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._beat, name="session-lease-heartbeat", daemon=True)
            self._thread.start()

    def _beat(self) -> None:
        conn: psycopg.Connection | None = None
        while not self._stop.wait(self.heartbeat_s):
            try:
                if conn is None or conn.closed or conn.broken:
                    conn = psycopg.connect(self._conninfo, **self._kwargs)
                conn.execute(
                    "UPDATE session_leases SET expires_at = now() + make_interval(secs => %s), renewed_at = now()"
                    " WHERE instance = %s AND open",
                    (self.lease_s, self.instance),
                )
            except psycopg.Error as exc:  # The server is away: the leases run on until it is back.
                log.warning("session lease heartbeat failed: %s", type(exc).__name__)
                conn = None
        if conn is not None:
            conn.close()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
