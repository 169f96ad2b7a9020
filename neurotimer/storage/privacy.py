"""Privacy at rest: the log and everything written beside it readable by its owner only."""

from __future__ import annotations

import glob
from pathlib import Path

from neurotimer.paths import make_private
from neurotimer.storage.spool import SUFFIX as SPOOL

BESIDE = ("-wal", "-shm", "-journal")


def make_log_private(db_path: Path) -> None:
    """Sets the log, its -wal/-shm, its spool, its backups and its anchor file to 0600 (files an earlier version, or
    another program, left readable by others); new ones are created 0600 already."""
    for suffix in ("", *BESIDE):
        make_private(db_path.with_name(db_path.name + suffix))
    for spooled in db_path.parent.glob(glob.escape(db_path.name + SPOOL) + "*"):  # events waiting for the log
        make_private(spooled)
    backups = db_path.parent / "backups"
    if backups.is_dir() and not backups.is_symlink():
        for entry in backups.iterdir():
            if entry.name.startswith(db_path.stem):
                make_private(entry)
