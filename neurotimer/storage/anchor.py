"""The anchor file: the log's head (place and hash) appended outside the log, checked by `verify --anchor`.

The chain is plain SHA-256 with no key, so whoever can write the log can edit a record and recompute every
hash after it. A head written down elsewhere before the edit no longer matches: that is what the anchor
catches. Copy the anchor file off the machine (with the backups) to make it count.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from neurotimer.paths import private_dir
from neurotimer.storage.chain import GENESIS, head

log = logging.getLogger(__name__)

_LINE = re.compile(r"^(?P<at>\S+) head (?P<n>\d+) (?P<hash>[0-9a-f]{64})(?: (?P<why>.*))?$")


def anchor_path(db_path: Path) -> Path:
    """Beside the daily backups: backups/<log name>.anchors."""
    return db_path.parent / "backups" / f"{db_path.stem}.anchors"


def server_anchor_path(display_url: str) -> Path:
    """A log on a server is anchored on each workstation, in its app data folder: anchors/<host>-<db>.anchors."""
    from neurotimer.paths import app_data_dir

    name = re.sub(r"[^A-Za-z0-9._-]+", "-", display_url.split("://", 1)[-1].split("@")[-1]).strip("-")
    return app_data_dir(create=False) / "anchors" / f"{name or 'server'}.anchors"  # made when first written


def head_text(conn: sqlite3.Connection) -> str:
    """The head as printed on exports and reports: 'n:hash'."""
    n, digest = head(conn)
    return f"{n}:{digest.hex()}"


def write_anchor(conn: sqlite3.Connection, target: Path, at: str, why: str) -> Path:
    """Appends the log's head to the anchor file (created 0600 in a 0700 folder) and syncs it to disk."""
    n, digest = head(conn)
    if not target.parent.exists():
        private_dir(target.parent)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(target, flags, 0o600)
    try:
        os.write(fd, f"{at} head {n} {digest.hex()} {why}\n".encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return target


@dataclass(frozen=True)
class Anchor:
    line: int
    at: str
    n: int
    hash: bytes


def read_anchors(path: Path) -> tuple[list[Anchor], list[str]]:
    """The anchored heads and a message for each line that is not one."""
    anchors, bad = [], []
    with open(path, encoding="utf-8", errors="replace") as handle:
        for number, text in enumerate(handle, start=1):
            match = _LINE.match(text.strip())
            if not text.strip():
                continue
            if match is None:
                bad.append(f"{path.name} line {number} is not an anchor line")
                continue
            anchors.append(Anchor(number, match["at"], int(match["n"]), bytes.fromhex(match["hash"])))
    return anchors, bad


def check_anchors(conn: sqlite3.Connection, path: Path) -> tuple[int, list[str]]:
    """How many anchored heads were checked, and each one the log no longer holds."""
    anchors, problems = read_anchors(path)
    last_n, _ = head(conn)
    for anchor in anchors:
        if anchor.n == 0 and anchor.hash == GENESIS:
            continue  # anchored while the log was still empty
        row = conn.execute("SELECT hash FROM events WHERE n = ?", (anchor.n,)).fetchone()
        where = f"{path.name} line {anchor.line} ({anchor.at}, head {anchor.n})"
        if row is None:
            cause = f"the log ends at event {last_n}: it was cut back" if anchor.n > last_n else "that event is gone"
            problems.append(f"ANCHOR MISMATCH: {where}: {cause}.")
        elif bytes(row[0]) != anchor.hash:
            problems.append(f"ANCHOR MISMATCH: {where}: the log's event {anchor.n} has another hash; the log was "
                            "rewritten after this head was anchored.")
    return len(anchors), problems
