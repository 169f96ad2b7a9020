"""Where an export or report may go, and writing it: never over the log, never through a planted link.

An export written over the log, its write-ahead log, a backup or an anchor would destroy the record it
came from, so those are refused by resolved path and by file identity (a hard link or a symlink to the
log is the log). The file itself is written to a new temporary file beside it, created exclusively
(O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600, under a random name so that nothing planted can stand in its
way), synced, then renamed into place; on any failure the temporary file is removed and the old file,
if any, is left as it was.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

from neurotimer.storage.db import SQLITE_MAGIC, StoreError
from neurotimer.storage.location import LogLocation, is_server_url
from neurotimer.storage.spool import SUFFIX as SPOOL  # <log>.spool, and <log>.spool-<time> set aside

LOG_SUFFIXES = ("", "-wal", "-shm", "-journal")
_ROLES = {"-wal": "write-ahead log", "-shm": "shared-memory index", "-journal": "rollback journal"}
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)

Writer = Callable[[BinaryIO], None]


class OutputRefused(StoreError):
    """The output file would destroy the log or something beside it; nothing was written."""


def protected_paths(log: LogLocation | None) -> tuple[list[Path], list[Path]]:
    """The files an export must never replace, and the folders it must never write into."""
    if log is None:
        return [], []
    if is_server_url(log):
        from neurotimer.paths import app_data_dir

        return [], [app_data_dir(create=False) / "anchors"]
    from neurotimer.storage.anchor import anchor_path

    path = Path(log)
    files = [path.with_name(path.name + suffix) for suffix in LOG_SUFFIXES]
    return [*files, anchor_path(path)], [path.parent / "backups"]


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.is_relative_to(folder.resolve())
    except OSError:
        return False


def check_output(out: Path, log: LogLocation | None, what: str = "an export") -> None:
    """Refuses an output that is the log, its -wal/-shm/-journal, its spool, an anchor file, or in the
    backups folder (by resolved path and by file identity), a folder, or another SQLite database."""
    files, folders = protected_paths(log)
    target = out.resolve()
    for protected in files:
        if target == protected.resolve() or _same_file(out, protected):
            role = "the session log itself" if protected == files[0] else (
                f"the session log's {_ROLES.get(protected.name[len(files[0].name):], 'anchor file')}")
            raise OutputRefused(f"{out} is {role}; {what} is never written over it. Choose another file.")
    if files and target.parent == files[0].parent.resolve() and target.name.startswith(files[0].name + SPOOL):
        raise OutputRefused(f"{out} is the session log's spool of events waiting for it; {what} is never "
                            "written over it. Choose another file.")
    for folder in folders:
        if _inside(target, folder):
            raise OutputRefused(f"{out} is in the log's {folder.name} folder; {what} is never written there.")
    if out.is_dir():
        raise OutputRefused(f"{out} is a folder; give a file name.")
    try:
        with open(out, "rb") as handle:
            header = handle.read(len(SQLITE_MAGIC))
    except OSError:
        header = b""
    if header == SQLITE_MAGIC:
        raise OutputRefused(f"{out} is a database (perhaps a session log); {what} is never written over one.")


def write_private(targets: Sequence[tuple[Path, Writer]]) -> None:
    """Writes each target through its own exclusive temporary file, then renames them all into place.

    Raises OSError (with the temporary files removed) when any of them cannot be written.
    """
    partials: list[Path] = []
    try:
        for out, write in targets:
            partial, fd = _create_partial(out)
            partials.append(partial)
            with os.fdopen(fd, "wb") as handle:
                write(handle)
                handle.flush()
                os.fsync(handle.fileno())
        for partial, (out, _) in zip(partials, targets, strict=True):
            os.replace(partial, out)
    except BaseException:
        for partial in partials:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()
        raise


def _create_partial(out: Path) -> tuple[Path, int]:
    for _ in range(100):
        partial = out.with_name(f"{out.name}.{secrets.token_hex(4)}.partial")
        try:
            return partial, os.open(partial, _FLAGS, 0o600)
        except FileExistsError:
            continue
    raise OSError(errno.EEXIST, "no free name for a temporary file", str(out))
