"""Opening a log on a PostgreSQL server, or refusing it with one line that says why; nothing is written
to a database that is not a neurotimer log, nor to one of a newer version."""

from __future__ import annotations

import getpass
import logging
import sqlite3
import uuid
from urllib.parse import urlsplit

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg_pool import ConnectionPool

from neurotimer.session.clock import Clock, SystemClock
from neurotimer.storage.db import CannotOpenError, ForeignDatabaseError, NewerVersionError, StoreError
from neurotimer.storage.location import display_url
from neurotimer.storage.migrations import APPLICATION_ID
from neurotimer.storage.pg import passfile, schema
from neurotimer.storage.pg.connection import PgConnection
from neurotimer.storage.pg.leases import APPLICATION, Leases, application_name
from neurotimer.storage.pg.store import PgStore

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 5
SERVER_KEEPALIVES = ("-c tcp_keepalives_idle=5 -c tcp_keepalives_interval=2 -c tcp_keepalives_count=3"
                     " -c tcp_user_timeout=10000")
KEYRING_SERVICE = "neurotimer"
LOCAL_HOSTS = frozenset({"", "localhost", "127.0.0.1", "::1"})
STRICT_SSL = ("require", "verify-ca", "verify-full")


def check_url(url: str) -> dict[str, str]:
    """The connection parameters, refusing an address that is malformed, carries a password, or would
    send records unencrypted beyond this computer."""
    shown = display_url(url)
    try:
        params = {k: str(v) for k, v in conninfo_to_dict(url).items()}
    except psycopg.ProgrammingError as exc:
        raise CannotOpenError(f"{shown} is not a valid PostgreSQL address ({_first_line(exc)}).") from exc
    ports = [p.strip() for p in params.get("port", "").split(",") if p.strip()]
    if any(not p.isdigit() or not 0 < int(p) < 65536 for p in ports):
        raise CannotOpenError(f"{shown} is not a valid PostgreSQL address (the port must be a number).")
    if not params.get("dbname") or not urlsplit(url).path.strip("/"):
        raise CannotOpenError(f"{shown} names no database: write postgresql://user@host/dbname.")
    if "password" in params:
        raise CannotOpenError(
            f"{shown}: the address holds a password; keep it in the PostgreSQL password file (~/.pgpass) instead."
        )
    hosts = {h.strip() for h in params.get("host", "").split(",")}
    remote = any(h not in LOCAL_HOSTS and not h.startswith("/") for h in hosts)
    sslmode = params.get("sslmode")
    if remote and sslmode is None:
        params["sslmode"] = "require"
    elif remote and sslmode not in STRICT_SSL:
        raise CannotOpenError(f"{shown}: sslmode={sslmode} would send records unencrypted; use require or stricter.")
    return params


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0].rstrip(".") if text else type(exc).__name__


def connect_error(url: str, exc: psycopg.Error) -> CannotOpenError:
    """One line naming what went wrong: refused, unknown host, wrong password, no such database, timeout."""
    shown = display_url(url)
    text = str(exc)
    if "password authentication failed" in text:
        reason = f"the server refused the password (the one in {passfile.location()[1]} or the OS keyring is wrong)"
    elif "no password supplied" in text:
        reason = no_password_reason(url)
    elif "does not exist" in text and "database" in text:
        reason = "there is no such database on the server"
    elif "does not exist" in text and "role" in text:
        reason = "there is no such user on the server"
    elif "Connection refused" in text:
        reason = "the server refused the connection (is PostgreSQL running on that host and port?)"
    elif any(w in text for w in ("translate host name", "Name or service not known", "resolve host")):
        reason = "the server's name is not known"
    elif "timeout" in text.lower():
        reason = f"the server did not answer within {CONNECT_TIMEOUT_S} s"
    elif "pg_hba.conf" in text:
        reason = "the server does not let this computer or user in (pg_hba.conf)"
    elif "SSL" in text:
        reason = f"the encrypted connection failed ({_first_line(exc)})"
    else:
        reason = _first_line(exc)
    return CannotOpenError(f"Cannot open the session log {shown}: {reason}.")


def no_password_reason(url: str) -> str:
    """Why no password was sent: the password file has no line for this address; when it has one for the same
    server and user but another database, the name typed is the likely fault, and is said so."""
    params = {k: str(v) for k, v in conninfo_to_dict(url).items()}
    path, shown = passfile.location()
    dbname = params.get("dbname", "")
    others = passfile.other_databases(params, path)
    if others is None:  # libpq skips a password file others may read
        return (f"the server asks for a password and libpq did not use the line in {shown} for this address"
                " (the file must be readable by you alone: chmod 0600)")
    if others:
        listed = ", ".join(sorted(set(others)))
        return (f"the server asks for a password and {shown} has none for the database {dbname}, only for {listed}"
                " on this server and user: is the database name misspelt?")
    user = params.get("user") or getpass.getuser()
    return (f"the server asks for a password and there is none in {shown} (nor the OS keyring)"
            f" for {user} and the database {dbname} on this server")


def keyring_password(params: dict[str, str]) -> str | None:
    """The role's password from the OS keyring (service "neurotimer", entry "user@host/dbname"), when the
    optional `keyring` package is installed and holds one; otherwise libpq reads ~/.pgpass itself."""
    try:
        import keyring  # type: ignore[import-not-found]
    except ImportError:
        return None
    user = params.get("user") or getpass.getuser()
    entry = f"{user}@{params.get('host') or 'localhost'}/{params['dbname']}"
    try:
        return keyring.get_password(KEYRING_SERVICE, entry)
    except Exception as exc:  # No keyring backend on this computer (a server, CI): ~/.pgpass is used.
        log.info("OS keyring not usable: %s", type(exc).__name__)
        return None


def _connect(url: str, *, read_only: bool, busy_timeout_ms: int = 1000, application_name: str = APPLICATION
             ) -> PgConnection:
    params = check_url(url)
    kwargs = {
        "autocommit": True,
        "connect_timeout": CONNECT_TIMEOUT_S,
        "application_name": application_name,
        # A lost server must not hang a write for minutes: TCP gives up after 10 s of silence.
        "keepalives": 1,
        "keepalives_idle": 5,
        "keepalives_interval": 2,
        "keepalives_count": 3,
        "tcp_user_timeout": 10000,
    }
    # Like SQLite's busy timeout: a write waits this long for another workstation's, then fails and is retried.
    # And the server's side of the same keepalives: a workstation that vanishes (lid closed, cable out) in the
    # middle of a write would otherwise hold the clinic-wide write lock until the server's TCP gives up (hours).
    kwargs["options"] = (
        f"-c lock_timeout={int(busy_timeout_ms)} {SERVER_KEEPALIVES}"
        + (" -c default_transaction_read_only=on" if read_only else "")
    )
    secret = keyring_password(params)
    if secret is not None:
        kwargs["password"] = secret  # Held in memory for reconnecting; never in settings, logs or messages.
    conninfo = make_conninfo("", **params)
    try:
        psycopg.connect(conninfo, **kwargs).close()  # The exact reason (password, refused, …) is only here.
    except psycopg.Error as exc:
        raise connect_error(url, exc) from exc
    # After 30 s of failed attempts (1, 2, 4, 8, 16 s apart) the pool gives up and the next write starts
    # a fresh series: a server back after an outage is found within about 16 s, however long it was away.
    pool = ConnectionPool(
        conninfo, kwargs=kwargs, min_size=1, max_size=2, open=False, name="neurotimer-log", reconnect_timeout=30
    )
    pool.open(wait=True, timeout=CONNECT_TIMEOUT_S * 2)
    conn = PgConnection(pool, read_only=read_only)
    conn.conninfo, conn.connect_kwargs = conninfo, kwargs
    return conn


def _identity(conn: PgConnection, url: str) -> int:
    """The log's schema version (0 for an empty database); refuses a foreign or newer one."""
    shown = display_url(url)
    app_id = schema.application_id(conn)
    if (app_id == 0 and schema.other_tables(conn)) or app_id not in (0, APPLICATION_ID):
        raise ForeignDatabaseError(  # type: ignore[arg-type]
            url, f"{shown} belongs to another program (it is not a neurotimer session log)."
        )
    version = schema.schema_version(conn)
    if version > schema.LATEST_VERSION:
        raise NewerVersionError(  # type: ignore[arg-type]
            url,
            f"{shown} was written by a newer version of neurotimer (log format {version}); "
            "this version can only open it read-only.",
        )
    return version


def open_pg_store(
    url: str, *, clock: Clock | None = None, busy_timeout_ms: int = 1000, lease_options: dict | None = None
) -> PgStore:
    """Opens (or sets up) the log in a PostgreSQL database for writing."""
    instance = uuid.uuid4().hex
    # Every connection of this run names it, so the workstation's next start can tell whether it is still alive.
    conn = _connect(url, read_only=False, busy_timeout_ms=busy_timeout_ms, application_name=application_name(instance))
    try:
        _identity(conn, url)
        schema.migrate(conn)
    except StoreError:
        conn.close()
        raise
    except sqlite3.Error as exc:
        conn.close()
        raise CannotOpenError(f"Cannot prepare the session log {display_url(url)}: {exc}.") from exc
    # The address as given (never with a password: refused above), so workers reconnect with its sslmode.
    store = PgStore(conn, url.strip(), clock or SystemClock(), read_only=False)  # type: ignore[arg-type]
    store.leases = Leases(conn.conninfo, conn.connect_kwargs, instance=instance, **(lease_options or {}))
    store.write_anchor("opened")
    return store


def open_pg_readonly(url: str, *, clock: Clock | None = None, allow_newer: bool = True) -> PgStore:
    """A read-only view (every transaction read-only on the server): a newer log in the app; verify and
    export refuse a newer one (`allow_newer=False`) as they refuse a newer file."""
    conn = _connect(url, read_only=True)
    try:
        _identity(conn, url)
    except NewerVersionError:
        if not allow_newer:
            conn.close()
            raise
        log.info("opening a newer log read-only")
    except StoreError:
        conn.close()
        raise
    return PgStore(conn, url.strip(), clock or SystemClock(), read_only=True)  # type: ignore[arg-type]
