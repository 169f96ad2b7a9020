"""Where a log lives: a SQLite file path or a PostgreSQL address (`postgresql://user@host/dbname`)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

SCHEMES = ("postgresql://", "postgres://")
# A scheme of two characters or more and a slash: an address (a drive letter, `C:/`, has one character).
_ADDRESS_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:/")
_PASSWORD = re.compile(r"(/[^/@:]*):[^@/]*@")

LogLocation = Path | str


def is_server_url(target: object) -> bool:
    return isinstance(target, str) and target.strip().lower().startswith(SCHEMES)


class NotALocation(argparse.ArgumentTypeError, ValueError):
    """Text that is an address but not a PostgreSQL one (`postgresq://`, `postgresql:/`): never a file name."""


def parse_location(text: str) -> LogLocation:
    """A command-line `--db` value: an address stays text (a Path would fold its `//`), anything else a path.
    A mistyped address is refused: taken as a path it would make a new, empty log in a folder named after it."""
    if is_server_url(text):
        return text.strip()
    if _ADDRESS_LIKE.match(text.strip()):
        shown = _PASSWORD.sub(r"\1@", text.strip())
        raise NotALocation(f"{shown} is neither a file nor a server address; a server's begins postgresql://")
    return Path(text)


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
