"""The recovery spool: events the log could not take yet, appended and fsynced beside it, replayed at the next start.

The file is one JSON object a line. Its space is reserved when it is opened (a disk that fills later still
has room for the spool), so the file is zero-filled past its last line; a line cut short by a crash ends
before the zeros and is never read (it was never reported as kept). Lines:

- `{"t": "session", "sk": KEY, "id": ROW|null, "base": SEQ, "open": {...}}` once per session per spool: its
  row id when it has one, the sequence number of its last committed event then, and what its row says;
- `{"t": "event", "sk": KEY, "kind": ..., "at": ..., "offset": ..., "payload": {...}}` in the order they happened;
- `{"t": "progress", "sk": KEY, "treatment": S, "offset": S, "at": ...}` the treatment time so far.

Exactly once: a session has one writer, so its k-th spooled event is its event number base + k; an event
already at that number with the same kind and time was written before (by the app, before it stopped).
The replay is one transaction, and the file is emptied only after it commits.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neurotimer.storage.continuation import continue_session
from neurotimer.storage.db import StoreError
from neurotimer.storage.file_watch import make_folder

log = logging.getLogger(__name__)

RESERVE_BYTES = 4 * 1024 * 1024  # about 2,000 events of a busy session, kept free for the day the disk fills
SUFFIX = ".spool"
SPOOLED_AFTER_CLOSE = "events kept in this workstation's spool file while the session was closed or taken elsewhere"


def spool_path(store: Any) -> Path | None:
    """Beside a log file (`<log>.spool`); for a server log, in this workstation's app data folder."""
    path = getattr(store, "path", None)
    if path is None:
        return None
    if isinstance(path, Path):
        return path.with_name(path.name + SUFFIX)
    from neurotimer.storage.anchor import server_anchor_path

    return server_anchor_path(str(path)).with_suffix(SUFFIX)


class Spool:
    """The open spool file: `append` writes lines at its end and syncs them to disk before returning."""

    def __init__(self, path: Path, *, reserve: int = RESERVE_BYTES) -> None:
        self.path = path
        self._reserve = reserve
        self._fd: int | None = None
        self._end = 0
        self._identity: tuple[int, int] | None = None
        self.generation = 0  # opened again (its folder removed): what it held is gone, spool it all again

    @classmethod
    def beside(cls, store: Any) -> Spool | None:
        path = spool_path(store)
        return None if path is None else cls(path)

    def open(self) -> None:
        """Opens (creating the folder and file, 0700/0600) and reserves space. A spool the last start could
        not replay is set aside under a dated name, for the next start to replay before this one."""
        make_folder(self.path.parent)
        self.generation += 1
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        try:
            # One writer a spool: a second window on the same server log records without one.
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            raise OSError(exc.errno, "the spool file is in use by another neurotimer window") from exc
        self._fd = fd
        self._end = _content_end(os.pread(fd, os.fstat(fd).st_size, 0))
        if self._end:
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
            os.rename(self.path, self.path.with_name(f"{self.path.name}-{stamp}"))
            os.close(fd)
            self._fd = None
            self.open()
            return
        st = os.fstat(fd)
        self._identity = (st.st_dev, st.st_ino)
        self._reserve_space()

    def _reserve_space(self) -> None:
        if self._fd is None or not self._reserve:
            return
        try:
            os.posix_fallocate(self._fd, 0, self._end + self._reserve)
            os.fsync(self._fd)
        except (OSError, AttributeError) as exc:  # No room even now, or a filesystem without fallocate.
            log.warning("spool space could not be reserved: %s", exc)

    @property
    def is_open(self) -> bool:
        return self._fd is not None

    @property
    def empty(self) -> bool:
        return self._end == 0

    def _still_at_path(self) -> bool:
        try:
            st = os.stat(self.path)
        except OSError:
            return False
        return (st.st_dev, st.st_ino) == self._identity

    def ensure(self) -> None:
        """Opens it again when its file is gone (its folder removed): a spool nobody will find keeps nothing.
        `generation` then moves on, and the writer spools everything that waits again."""
        if self._fd is None or not self._still_at_path():
            self.close()
            self.open()

    def append(self, records: list[dict[str, Any]]) -> None:
        """Writes the records at the end, in order, and syncs them; OSError when the disk refuses them."""
        if not records:
            return
        if self._fd is None:
            raise OSError(errno.EBADF, "the spool file is not open")
        data = b"".join(json.dumps(r, separators=(",", ":"), sort_keys=True).encode() + b"\n" for r in records)
        written = 0
        try:
            while written < len(data):
                written += os.pwrite(self._fd, data[written:], self._end + written)
            os.fsync(self._fd)
        except OSError:
            # A part written before the disk refused the rest is zeroed (its blocks exist): the file ends at the
            # last whole append, and what the writer still holds goes there next time.
            if written:
                with contextlib.suppress(OSError):
                    os.pwrite(self._fd, b"\0" * written, self._end)
            raise
        self._end += len(data)

    def clear(self) -> None:
        """Everything spooled is in the log: the file is emptied (and its space reserved again)."""
        if self._fd is None:
            return
        os.ftruncate(self._fd, 0)
        os.fsync(self._fd)
        self._end = 0
        self._reserve_space()

    def close(self, *, remove_if_empty: bool = False) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
            if remove_if_empty and self._end == 0 and self._still_at_path():
                self.path.unlink(missing_ok=True)
        self._identity = None


def _content_end(data: bytes) -> int:
    """Where the written lines end: before the reserved zeros, after the last whole line."""
    cut = data.find(b"\x00")
    data = data if cut < 0 else data[:cut]
    return data.rfind(b"\n") + 1


def read_spool(path: Path) -> list[dict[str, Any]]:
    """The spooled records in order; a line cut short by a crash (never reported as kept) is left out."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    data = data[: _content_end(data)]
    records = []
    for line in data.splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            log.warning("a damaged line of the spool was skipped")
    return records


@dataclass
class Replayed:
    """What a start-up replay wrote: events per session row id, and the rows it had to create."""

    events: dict[int, int] = field(default_factory=dict)
    created: list[int] = field(default_factory=list)
    skipped: int = 0  # already in the log (written before the app stopped)
    continued: list[tuple[int, int]] = field(default_factory=list)  # (closed meanwhile, the new row linked to it)

    @property
    def count(self) -> int:
        return sum(self.events.values())

    def message(self) -> str:
        sessions = len(self.events)
        moved = "".join(f" Session #{old} was closed meanwhile (as interrupted, elsewhere): its rest is recorded as "
                        f"new session #{new}, linked to it." for old, new in self.continued)
        return (f"{self.count} event(s) of {sessions} session(s) that could not be written before the app "
                f"stopped were kept in the spool file and are now in the log.{moved}")


def saved_copies(store: Any) -> list[Path]:
    """Copies of this log saved beside it when another file took its place while it was open (file_watch)."""
    path = getattr(store, "path", None)
    if not isinstance(path, Path):
        return []
    return sorted(path.parent.glob(f"{path.stem}.removed-*{path.suffix}"))


def replay_spool(store: Any, path: Path | None = None) -> Replayed:
    """Writes the spooled events into the log in their order, once, one transaction a spool file, then
    removes the file: first any set aside by an earlier start that could not replay them, then the last one.

    Raises StoreError (nothing more written, the files kept) when the log cannot take them now."""
    path = path or spool_path(store)
    result = Replayed()
    if path is None:
        return result
    for one in [*sorted(path.parent.glob(f"{path.name}-*")), path]:
        if one.exists():
            _replay_file(store, one, result)
    return result


def _replay_file(store: Any, path: Path, result: Replayed) -> None:
    with open(path, "r+b") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            log.info("the spool file is held by another neurotimer window: left to it")
            return
        records = read_spool(path)
        if records:
            with store.transaction() as conn:
                _replay(store, conn, records, result)
            if any(r.get("kind") in ("session.ended", "session.interrupted") for r in records):
                store.write_anchor("spool replayed")
            log.warning("replayed %d spooled event(s) (%d already in the log)", result.count, result.skipped)
        handle.truncate(0)  # Only once the replay has committed.
        os.fsync(handle.fileno())
        path.unlink(missing_ok=True)


@dataclass
class _Spooled:
    """One spooled session as the replay goes: its row, the number its next event has if already written,
    and whether the replay writes into it (after the first event not found there, every one is written)."""

    header: dict[str, Any]
    row: int | None
    expected: int
    writing: bool = False


def _replay(store: Any, conn: Any, records: list[dict[str, Any]], result: Replayed) -> None:
    sessions: dict[str, _Spooled] = {}
    for record in records:
        kind = record.get("t")
        if kind == "session":
            sessions[record["sk"]] = _resolve(conn, record)
        elif kind == "event":
            one = sessions.get(record["sk"])
            if one is None:
                raise StoreError("The spool file is damaged (an event of an unknown session); it was kept.")
            one.expected += 1
            if not one.writing:
                if one.row is not None:
                    # What the app wrote before it stopped is a prefix: after the first one missing, none is there.
                    row = conn.execute("SELECT kind, at FROM events WHERE session_id = ? AND seq = ?",
                                       (one.row, one.expected - 1)).fetchone()
                    if row is not None and tuple(row) == (record["kind"], record["at"]):
                        result.skipped += 1
                        continue
                _start_writing(store, conn, one, result)
            assert one.row is not None
            store.append_session_event(conn, one.row, record["at"], float(record["offset"]), record["kind"],
                                       record["payload"])
            result.events[one.row] = result.events.get(one.row, 0) + 1
        elif kind == "progress" and record["sk"] in sessions and sessions[record["sk"]].writing:
            session_id = sessions[record["sk"]].row
            state_row = conn.execute("SELECT state FROM sessions WHERE id = ?", (session_id,)).fetchone()
            if state_row is not None and state_row[0] in ("running", "paused"):
                store.upsert_progress(conn, session_id, float(record["treatment"]), float(record["offset"]),
                                      record["at"])
    leases = getattr(store, "leases", None)
    if leases is not None:
        # Nobody records these sessions now: the start-up recovery closes the open ones as interrupted.
        for session_id in result.events:
            leases.release(conn, session_id)


def _resolve(conn: Any, record: dict[str, Any]) -> _Spooled:
    """The session's row and the number its first spooled event has: the known row, or the row the app
    made before it stopped; none when the log at this path is not the one the session began in."""
    opened = record["open"]
    if record.get("id") is not None:
        row = conn.execute("SELECT started_at FROM sessions WHERE id = ?", (record["id"],)).fetchone()
        if row is not None and row[0] == opened["started_at"]:
            return _Spooled(record, int(record["id"]), int(record["base"]) + 1)
        log.warning("a spooled session's row is not in this log; its spooled events go into a new row")
        return _Spooled(record, None, 2)
    row = conn.execute("SELECT id FROM sessions WHERE started_at = ? AND planned_minutes = ? ORDER BY id DESC",
                       (opened["started_at"], opened["planned_minutes"])).fetchone()
    # Its first spooled event came right after session.opened.
    return _Spooled(record, None if row is None else int(row[0]), 2)


def _start_writing(store: Any, conn: Any, one: _Spooled, result: Replayed) -> None:
    """Writes go into the session's row if it is still open and nobody else records it (it is claimed, as
    the start-up recovery claims it); else into a new row, so that nothing is written into a closed session
    or another workstation's, and nothing is lost."""
    one.writing = True
    if one.row is not None and store.claim_orphan(conn, one.row):
        return
    closed = one.row
    if closed is not None:
        log.warning("a spooled session was closed or taken meanwhile; its spooled events go into a new row")
    one.row = continue_session(store, conn, closed, one.header["open"], reason=SPOOLED_AFTER_CLOSE)
    result.created.append(one.row)
    if closed is not None:
        result.continued.append((closed, one.row))
