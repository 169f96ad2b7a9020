"""Where a log lives: a SQLite file path or a PostgreSQL address (`postgresql://user@host/dbname`)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

SCHEMES = ("postgresql://", "postgres://")

LogLocation = Path | str


def is_server_url(target: object) -> bool:
    return isinstance(target, str) and target.strip().lower().startswith(SCHEMES)


def parse_location(text: str) -> LogLocation:
    """A command-line `--db` value: an address stays text (a Path would fold its `//`), anything else a path."""
    return text.strip() if is_server_url(text) else Path(text)


def display_url(url: str) -> str:
    """The address without any password or options, for messages and logs."""
    parts = urlsplit(url.strip())
    netloc = parts.netloc
    if "@" in netloc:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.partition(':')[0]}@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def describe(target: LogLocation) -> str:
    """A short name for messages: the file's name, or the address without its password."""
    return display_url(target) if is_server_url(target) else Path(target).name
