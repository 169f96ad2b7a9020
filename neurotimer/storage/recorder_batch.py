"""An emergency stop's records, every chair's, written in order in one transaction: one durable commit, not ~90."""

from __future__ import annotations

import logging
import sqlite3
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from neurotimer.session.clock import Clock
from neurotimer.storage.continuation import SessionClosedElsewhere
from neurotimer.storage.db import StoreError

if TYPE_CHECKING:
    from neurotimer.storage.recorder_lane import _Pending, _Target
    from neurotimer.storage.store import Store

log = logging.getLogger(__name__)

# A batch nobody ended (its owner gone) holds nothing back after this long: events are written as they come again.
BATCH_LIMIT_S = 2.0
CLOSING_KINDS = frozenset({"session.ended", "session.interrupted"})


class RecordBatch:
    """Open from `Recorder.batch()` until `end()` (or the `with` block's end): what is recorded meanwhile waits in
    memory, in order, and is then written in one transaction. Ending it twice does nothing."""

    def __init__(self, writer: BatchMixin) -> None:
        self._writer = writer
        self.opened = writer._clock.now()
        self.is_open = True
        writer._batches.append(self)

    def end(self) -> bool:
        """Writes what waits (when no other batch is open); True when nothing is left waiting."""
        if not self.is_open:
            return True
        self.is_open = False
        writer = self._writer
        if self in writer._batches:
            writer._batches.remove(self)
        return writer._end_batch()

    def __enter__(self) -> RecordBatch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.end()


class BatchMixin:
    """The Recorder's batches (see Recorder): an emergency stop of 8 chairs brings ~90 records in ~30 ms, and a
    durable commit each would hold the window's thread (and the confirmation line) for a second or more.

    While a batch is open nothing is written one at a time. When its owner ends it (or it is older than
    BATCH_LIMIT_S), at `flush()` (quit, a chair removed) and when a session ends, everything that waits is
    written in one transaction, in the order it happened, each session's chain and the whole log's chain exactly
    as event by event. If that commit fails, nothing of it is in the log and it all goes the way a single failed
    event goes (kept in order, spooled, the alarm)."""

    _queue: deque[_Pending]
    _store: Store
    _clock: Clock
    _batches: list[RecordBatch]
    _closed: bool
    _alarm_text: str | None

    if TYPE_CHECKING:  # the Recorder's own (a stub here would hide SpoolingMixin's)
        def _insert(self, conn, item: _Pending, session_id: int | None) -> tuple[int, int]:
            ...

        def _write(self, force: bool, together: bool = False) -> bool:
            ...

        def _fail(self, exc: Exception) -> None:
            ...

        def _continue(self, target: _Target, refused: SessionClosedElsewhere) -> None:
            ...

        def _tell_notices(self) -> None:
            ...

        def _spool_drained(self) -> None:
            ...

        def _recovered(self) -> None:
            ...

    def batch(self) -> RecordBatch:
        """Opens a batch (see the class); end it with `end()`, or use it as a `with` block."""
        return RecordBatch(self)

    @contextmanager
    def held(self) -> Iterator[None]:
        """A batch as a block: what is recorded inside is written, in one transaction, when the block ends."""
        with self.batch():
            yield

    @property
    def batching(self) -> bool:
        """Whether a batch holds writes back now (a closing event of a session is never held back)."""
        if not self._batches or self._closed:
            return False
        now = self._clock.now()
        if all(now - b.opened > BATCH_LIMIT_S for b in self._batches):
            log.warning("a batch of records was not ended in time; writing them")
            for b in self._batches:
                b.is_open = False
            self._batches.clear()
            return False
        return not any(p.kind in CLOSING_KINDS for p in self._queue)

    def _end_batch(self) -> bool:
        if self._closed:
            return not self._queue
        if self.batching:  # another batch is open (one left open too long no longer counts)
            return False
        try:
            # As a single event: while the log is failing, the retry interval holds (each is spooled as it comes).
            return self._write(force=self._alarm_text is None, together=True)
        except Exception:
            log.exception("the batch of records could not be written")
            return False

    def _write_together(self) -> bool:
        """Every waiting event of a started session in one transaction, in order; the others keep waiting."""
        items = [p for p in self._queue if p.target.start_mono is not None]
        if not items:
            return True
        for _attempt in range(len(items) + 1):
            ids: dict[_Target, int] = {}
            seqs: list[int] = []
            target = items[0].target
            try:
                with self._store.transaction() as conn:
                    for item in items:
                        target = item.target
                        seq, ids[target] = self._insert(conn, item, ids.get(target, target.db_id))
                        seqs.append(seq)
                break
            except SessionClosedElsewhere as refused:
                # Rolled back; that session's rest goes into a new one (as one by one), then the whole batch again.
                try:
                    self._continue(target, refused)
                except (StoreError, sqlite3.Error) as exc:
                    self._fail(exc)
                    return False
            except (StoreError, sqlite3.Error) as exc:
                self._fail(exc)  # rolled back as a whole: every one of them waits, and is spooled, in order
                return False
            finally:
                self._tell_notices()
        else:
            return False
        written = {id(p) for p in items}
        self._queue = deque(p for p in self._queue if id(p) not in written)
        for item, seq in zip(items, seqs, strict=True):
            target = item.target
            target.db_id = ids[target]
            target.lane.last_seq = target.last_seq = seq
        for item in items:
            if item.kind in CLOSING_KINDS:
                self._store.write_anchor(f"session {ids[item.target]} ended")
        self._spool_drained()
        self._recovered()
        return True
