"""Which lines of the libpq password file (~/.pgpass) fit an address, to say why no password was sent; never
reads a password out."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

DEFAULT_PORT = "5432"


def location() -> tuple[Path, str]:
    """Where libpq reads the password file, and how a message names it."""
    if os.environ.get("PGPASSFILE"):
        return Path(os.environ["PGPASSFILE"]), os.environ["PGPASSFILE"]
    if os.name == "nt":
        return Path(os.environ.get("APPDATA", "")) / "postgresql" / "pgpass.conf", r"%APPDATA%\postgresql\pgpass.conf"
    return Path.home() / ".pgpass", "~/.pgpass"


def _fields(line: str) -> list[str]:
    """host, port, database, user of one line (`\\:` and `\\\\` unescaped); the password is left unread."""
    fields, field, escaped = [], "", False
    for char in line:
        if escaped:
            field, escaped = field + char, False
        elif char == "\\":
            escaped = True
        elif char == ":":
            fields.append(field)
            field = ""
            if len(fields) == 4:
                return fields
        else:
            field += char
    return []  # fewer than five fields: libpq ignores the line


def entries(path: Path) -> list[tuple[str, str, str, str]]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    lines = (line.strip() for line in text.splitlines())
    return [tuple(f) for line in lines if line and not line.startswith("#") and len(f := _fields(line)) == 4]


def _fits(pattern: str, value: str) -> bool:
    return pattern == "*" or pattern == value


def other_databases(params: dict[str, str], path: Path) -> list[str] | None:
    """None when a line fits this address's host, port, database and user (libpq sent its password); otherwise
    the databases of the lines that fit the host, port and user (a misspelt database name finds none)."""
    hosts = [h.strip() for h in (params.get("host") or "").split(",")] or [""]
    # libpq looks up a local socket (no host, or a folder) as "localhost".
    hosts = ["localhost" if not h or h.startswith("/") else h for h in hosts]
    port = (params.get("port") or os.environ.get("PGPORT") or DEFAULT_PORT).split(",")[0].strip()
    user = params.get("user") or os.environ.get("PGUSER") or getpass.getuser()
    dbname = params.get("dbname", "")
    others = []
    for host, line_port, database, line_user in entries(path):
        if not (any(_fits(host, h) for h in hosts) and _fits(line_port, port) and _fits(line_user, user)):
            continue
        if _fits(database, dbname):
            return None
        others.append(database)
    return others
