"""A PostgreSQL connection that speaks the store's SQLite dialect, so the code above cannot tell the engines apart.

The store writes `?` placeholders, `IS NOT ?`, `LIKE`, `BEGIN IMMEDIATE`, reads `cursor.lastrowid` and a
handful of PRAGMAs; this adapter translates each (once per statement text), and raises the `sqlite3`
exception a SQLite log would have raised for the same fault, with the server's message. Writes are
serialised clinic-wide like SQLite's single writer: `BEGIN IMMEDIATE` takes one transaction-level
advisory lock, so course numbering and the hash chains see one writer at a time.

Connections come from psycopg's pool: one is held between calls and, when the network drops it, the
next call takes a fresh one, so a store survives a server restart without being reopened.

Round trips, not the server, are most of a write's time over a network: inside a write transaction the
statements whose answer nobody reads (BEGIN and the lock, INSERT, UPDATE, DELETE without RETURNING) wait,
and go to the server in one pipeline with the next statement that must answer, or with COMMIT; a read
whose answer is needed only later (`read_later`, the session's lease) goes with them too. An event takes
two round trips instead of eight. A refusal (a trigger, a constraint, a lock timeout) is raised
from that next statement or from COMMIT instead, with the same exception and message, and the
transaction is rolled back as before; nothing is committed that would not have been.
"""

from __future__ import annotations

import functools
import logging
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg_pool import ConnectionPool, PoolTimeout

log = logging.getLogger(__name__)

WRITE_LOCK = 0x4E54494D  # "NTIM", the SQLite application id: the one lock every write transaction takes.
# Tables whose rows have an `id` the store reads back as `lastrowid`.
ID_TABLES = frozenset({"practitioners", "patients", "courses", "sessions", "scores", "adverse_events", "amendments"})
# The pool reconnects in the background; a write never waits long for it (the timer shares the thread),
# and while the server is away a write fails at once and is retried by the recorder a second later.
GETCONN_TIMEOUT_S = 0.25
GETCONN_WHILE_AWAY_S = 0.02
# Closing waits this long at most for the pool's threads: one may be connecting to a server that does not answer
# (for up to the connect timeout), and a window closing must not wait for it; the thread ends by itself.
POOL_CLOSE_WAIT_S = 0.5

_INSERT = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)", re.IGNORECASE)
_INSERT_VALUES = re.compile(r"^(\s*INSERT\s+INTO\s+(\w+)\s*)\(([^)]*)\)(\s*VALUES\s*)\(", re.IGNORECASE)
_IS_NOT_PARAM = re.compile(r"\bIS\s+NOT\s+\?")
_LIKE = re.compile(r"\bLIKE\b")
_INSTR = re.compile(r"\binstr\(", re.IGNORECASE)
_GROUP_CONCAT = re.compile(r"\bgroup_concat\(", re.IGNORECASE)
# SQLite sorts NULL below everything; PostgreSQL above. Said out loud, both list alike.
_ORDER_WAY = re.compile(r"\b(ASC|DESC)\b(?!\s+NULLS)")
_PRAGMA = re.compile(r"^\s*PRAGMA\s+(\w+)\s*(?:\(\s*(\w*)\s*\)|=\s*(\S+))?\s*;?\s*$", re.IGNORECASE)
_BEGIN = re.compile(r"^\s*BEGIN(\s+(IMMEDIATE|DEFERRED|EXCLUSIVE))?\s*;?\s*$", re.IGNORECASE)
_END = re.compile(r"^\s*(COMMIT|ROLLBACK|END)\s*;?\s*$", re.IGNORECASE)
_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)

# PRAGMAs that only tune SQLite's own file handling: nothing to do on a server.
_NO_OP_PRAGMAS = frozenset({"foreign_keys", "busy_timeout", "journal_mode", "synchronous", "wal_checkpoint"})


@functools.lru_cache(maxsize=1024)
def translate(sql: str) -> tuple[str, bool]:
    """The PostgreSQL text of one store statement, and whether it returns the new row's id."""
    text = sql.replace("%", "%%")
    text = _IS_NOT_PARAM.sub("IS DISTINCT FROM ?", text)
    text = _LIKE.sub("ILIKE", text)  # SQLite's LIKE ignores case.
    text = _INSTR.sub("strpos(", text)
    text = _GROUP_CONCAT.sub("string_agg(", text)  # Always with its separator in the store's SQL.
    text = _ORDER_WAY.sub(lambda m: m.group(1) + (" NULLS FIRST" if m.group(1) == "ASC" else " NULLS LAST"), text)
    text = text.replace("?", "%s")
    match = _INSERT.match(text)
    returns_id = bool(match and match.group(1).lower() in ID_TABLES and "RETURNING" not in text.upper())
    if returns_id:
        text = next_id(text) + " RETURNING id"
    return text, returns_id


def next_id(text: str) -> str:
    """An INSERT that names no id takes the table's largest id plus one, as SQLite's INTEGER PRIMARY KEY does.

    A sequence would leave gaps: it logs 32 values ahead (a server crash skips them) and a rolled-back
    insert consumes its value, and on a tamper-evident log an auditor reads "#23 … #54" as deleted sessions.
    Every write transaction holds the clinic-wide write lock (BEGIN IMMEDIATE) before its first statement,
    so no other writer can take the same number; the primary key's index answers max(id) at once.
    """
    match = _INSERT_VALUES.match(text)
    if match is None:
        return text
    head, table, columns, values = match.groups()
    if "id" in (column.strip().lower() for column in columns.split(",")):
        return text  # A copy keeps its ids (transfer.py).
    return (f"{head}(id, {columns}){values}((SELECT coalesce(max(id), 0) + 1 FROM {table}), "
            + text[match.end():])


class Rows:
    """What `execute` returns: the rows fetched at once (the connection is free again), like a sqlite3 cursor."""

    def __init__(self, rows: Sequence[tuple] = (), lastrowid: int | None = None, rowcount: int = -1) -> None:
        self._rows = list(rows)
        self._next = 0
        self.lastrowid = lastrowid
        self.rowcount = rowcount

    def fetchone(self) -> tuple | None:
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._rows[self._next - 1]

    def fetchall(self) -> list[tuple]:
        rest = self._rows[self._next :]
        self._next = len(self._rows)
        return rest

    def __iter__(self) -> Iterator[tuple]:
        while (row := self.fetchone()) is not None:
            yield row


def as_sqlite_error(exc: psycopg.Error) -> sqlite3.Error:
    """The sqlite3 exception the same fault raises on a SQLite log, so callers handle one family."""
    diag = getattr(exc, "diag", None)
    text = (diag.message_primary if diag is not None and diag.message_primary else str(exc)).strip()
    if isinstance(exc, pg_errors.RaiseException | psycopg.IntegrityError):
        return sqlite3.IntegrityError(text)
    if isinstance(exc, pg_errors.DiskFull):
        return sqlite3.OperationalError(f"the log server's disk is full ({text})")
    if isinstance(exc, pg_errors.LockNotAvailable | pg_errors.DeadlockDetected | pg_errors.QueryCanceled):
        return sqlite3.OperationalError(f"the log server is busy: database is locked ({text})")
    if isinstance(exc, pg_errors.ReadOnlySqlTransaction):
        return sqlite3.OperationalError("attempt to write a readonly database")
    if isinstance(exc, pg_errors.InsufficientPrivilege):
        return sqlite3.OperationalError(f"the log server refused this write ({text})")
    if isinstance(exc, psycopg.OperationalError | PoolTimeout):
        # Said inside the alarm's own parentheses ("cannot be written (…)"): a colon, not a second pair.
        return sqlite3.OperationalError(f"the log server cannot be reached: {text.splitlines()[0] if text else exc}")
    return sqlite3.DatabaseError(text)


class Later:
    """A read sent with the next round trip; `rows` once that has come back."""

    def __init__(self) -> None:
        self.rows: list[tuple] | None = None


class PgConnection:
    """The subset of sqlite3.Connection the store uses, on a pool of PostgreSQL connections."""

    pipelining = True  # off only in the benchmark, to measure the round trips it saves

    def __init__(self, pool: ConnectionPool, *, read_only: bool = False) -> None:
        self._pool = pool
        self._conn: psycopg.Connection | None = None
        self._in_tx = False
        # Statements waiting for the next round trip (see above), each with where its rows go, if anywhere.
        self._deferred: list[tuple[str, Any, Later | None]] = []
        self._away = False
        self.read_only = read_only
        self.conninfo = ""  # For workers that need their own connection (the lease heartbeat).
        self.connect_kwargs: dict[str, Any] = {}

    # -- connections -----------------------------------------------------------------------------
    def _connection(self) -> psycopg.Connection:
        if self._conn is not None and (self._conn.closed or self._conn.broken):
            self._release()
        if self._conn is None:
            try:
                self._conn = self._pool.getconn(timeout=GETCONN_WHILE_AWAY_S if self._away else GETCONN_TIMEOUT_S)
            except PoolTimeout as exc:
                self._away = True
                raise sqlite3.OperationalError("the log server cannot be reached; reconnecting") from exc
            except psycopg.Error as exc:  # The pool was closed: the store is closed.
                raise sqlite3.ProgrammingError("Cannot operate on a closed database.") from exc
            if self._away:
                log.warning("connection to the log server is back")
            self._away = False
        return self._conn

    def _release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                self._pool.putconn(conn)  # A broken one is discarded and replaced by the pool.
            except Exception as exc:  # A pool closed under us: nothing left to return it to.
                log.debug("connection not returned to the pool: %s", exc)

    @property
    def in_transaction(self) -> bool:
        return self._in_tx

    def close(self) -> None:
        if self._in_tx and self._conn is not None and not self._conn.broken and not self._deferred:
            self._conn.execute("ROLLBACK")
        self._in_tx = False
        self._deferred = []
        self._release()
        self._pool.close(timeout=POOL_CLOSE_WAIT_S)

    # -- statements ------------------------------------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Rows:
        if (begin := _BEGIN.match(sql)) is not None:
            return self._begin(begin.group(2))
        if (end := _END.match(sql)) is not None:
            return self._end(end.group(1).upper())
        if (pragma := _PRAGMA.match(sql)) is not None:
            return self._pragma(pragma.group(1).lower(), pragma.group(2))
        text, returns_id = translate(sql)
        args = tuple(params) if not isinstance(params, dict) else params
        if (self._in_tx and self.pipelining and not returns_id and _WRITE.match(text)
                and "RETURNING" not in text.upper()):
            self._deferred.append((text, args, None))
            return Rows()
        try:
            cur = self._send(text, args)
            rows = cur.fetchall() if cur.description is not None else []
        except psycopg.Error as exc:
            self._after_error()
            raise as_sqlite_error(exc) from exc
        if returns_id:
            return Rows(rows, lastrowid=int(rows[0][0]), rowcount=cur.rowcount)
        return Rows(rows, rowcount=cur.rowcount)

    def read_later(self, sql: str, params: Sequence[Any] = ()) -> Later:
        """A read that goes with the next round trip of this transaction (at once outside one)."""
        later = Later()
        if not (self._in_tx and self.pipelining):
            later.rows = self.execute(sql, params).fetchall()
            return later
        self._deferred.append((translate(sql)[0], tuple(params), later))
        return later

    def _send(self, text: str, args: Any) -> psycopg.Cursor:
        """Runs the statements waiting, then this one, in one round trip; the last one's cursor."""
        conn = self._connection()
        waiting, self._deferred = self._deferred, []
        if not waiting:
            return conn.execute(text, args)
        reads = []
        with conn.pipeline():
            for earlier, earlier_args, later in waiting:
                cur = conn.execute(earlier, earlier_args)
                if later is not None:
                    reads.append((later, cur))
            cur = conn.execute(text, args)
        for later, read in reads:
            later.rows = read.fetchall()
        return cur

    def executemany(self, sql: str, seq: Iterable[Sequence[Any]]) -> Rows:
        text, _ = translate(sql)
        try:
            if self._deferred:
                self._send("SELECT 1", ())
            with self._connection().cursor() as cur:
                cur.executemany(text, [tuple(p) for p in seq])
                return Rows(rowcount=cur.rowcount)
        except psycopg.Error as exc:
            self._after_error()
            raise as_sqlite_error(exc) from exc

    def _after_error(self) -> None:
        self._deferred = []
        if self._conn is not None and self._conn.broken:
            log.warning("connection to the log server lost")
            self._in_tx = False
            self._away = True
            self._release()

    def _begin(self, mode: str | None) -> Rows:
        if mode is not None and mode.upper() in ("IMMEDIATE", "EXCLUSIVE"):
            # The transaction and the clinic-wide write lock go with the transaction's first read.
            self._in_tx = True
            self._deferred = [("BEGIN", None, None), (f"SELECT pg_advisory_xact_lock({WRITE_LOCK})", None, None)]
            if not self.pipelining:
                try:
                    self._send("SELECT 1", None)
                except psycopg.Error as exc:
                    self._after_error()
                    if self._conn is not None:
                        self._end("ROLLBACK")
                    self._in_tx = False
                    raise as_sqlite_error(exc) from exc
            return Rows()
        try:
            self._connection().execute("BEGIN")
        except psycopg.Error as exc:
            self._after_error()
            raise as_sqlite_error(exc) from exc
        self._in_tx = True
        return Rows()

    def _end(self, word: str) -> Rows:
        conn = self._conn
        self._in_tx = False
        if word == "ROLLBACK" and self._deferred and self._deferred[0][0] == "BEGIN":
            self._deferred = []
            return Rows()  # Nothing of it reached the server.
        if word != "ROLLBACK" and self._deferred and conn is None:
            conn = self._connection()  # A transaction of writes only: it starts with its commit.
        if conn is None or conn.broken:
            self._deferred = []
            self._release()
            if word == "ROLLBACK":
                return Rows()  # The server rolled it back when the connection went.
            raise sqlite3.OperationalError("the log server cannot be reached: the connection was lost")
        if word == "ROLLBACK":
            self._deferred = []
        try:
            self._send("ROLLBACK" if word == "ROLLBACK" else "COMMIT", None)
        except psycopg.Error as exc:
            # A statement that waited for the commit was refused: the server holds the failed transaction.
            if not conn.broken:
                try:
                    conn.execute("ROLLBACK")
                except psycopg.Error:
                    log.debug("rollback after a refused commit failed")
            self._after_error()
            raise as_sqlite_error(exc) from exc
        return Rows()

    def _pragma(self, name: str, argument: str | None) -> Rows:
        """The PRAGMAs the store reads, answered from the server (see module docstring)."""
        if name in _NO_OP_PRAGMAS:
            return Rows()
        if name in ("quick_check", "integrity_check"):
            # The server guards its own pages (checksums, WAL); the chains are checked by verify.
            return Rows([("ok",)])
        if name == "foreign_key_check":
            return Rows()  # PostgreSQL enforces foreign keys on every write; none can dangle.
        if name == "user_version":
            from neurotimer.storage.pg.schema import schema_version

            return Rows([(schema_version(self),)])
        if name == "application_id":
            from neurotimer.storage.pg.schema import application_id

            return Rows([(application_id(self),)])
        if name == "table_info" and argument:
            return self.execute(
                "SELECT ordinal_position - 1, column_name, data_type, is_nullable = 'NO', column_default, 0"
                " FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?"
                " ORDER BY ordinal_position",
                (argument,),
            )
        raise sqlite3.NotSupportedError(f"PRAGMA {name} has no PostgreSQL counterpart in neurotimer")

    def interrupt(self) -> None:
        """From another thread, as sqlite3's `interrupt()`: the call waiting on the server fails now. Its socket
        is shut, so a server gone silent (packets dropped, a hung host) cannot hold the caller until TCP gives
        up; the connection is then broken, discarded, and the pool makes a new one when the server answers."""
        import os
        import socket

        conn = self._conn
        if conn is None or conn.closed:
            return
        fd = os.dup(conn.pgconn.socket)
        with socket.socket(fileno=fd) as sock:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError as exc:
                log.debug("socket already gone: %s", exc)
