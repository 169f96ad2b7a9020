"""A recording process whose log fills up: it spools what waits and says so, then waits to be killed.

`record_on_a_full_disk` is also what benchmarks/bench_log_faults.py times (one event into the spool, the replay)."""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

from neurotimer.session.clock import ManualClock
from neurotimer.session.session import Session
from neurotimer.storage.recorder import Recorder
from neurotimer.storage.spool import Spool, spool_path
from neurotimer.storage.store import Store, open_store


class FullDisk:
    """The log's connection on a disk with no space left: every write fails as SQLite's does."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, *args):
        if sql.split()[0] in ("INSERT", "UPDATE", "COMMIT"):
            raise sqlite3.OperationalError("database or disk is full")
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self._conn, name)


def record_on_a_full_disk(path: Path, count: int, clock: ManualClock,
                          timed: list[float] | None = None) -> tuple[Store, Recorder]:
    """A session recorded into the log at `path` with a spool: its start and one event (n -1) reach the log, then
    the disk is full and `count` events (n 0, 1, …) go to the spool. `timed` gets each event's seconds to record."""
    store = open_store(path, clock=clock, daily_backup=False)
    recorder = Recorder(store, clock, spool=Spool(spool_path(store)))
    session = Session(clock, 30)
    recorder.attach(session)
    session.start()
    clock.advance(1)
    recorder.record("stim.intensity", {"channel": 1, "n": -1})
    store.conn = FullDisk(store.conn)
    for n in range(count):
        clock.advance(0.2)
        session.tick()
        began = time.perf_counter()
        recorder.record("stim.intensity", {"channel": 1 + n % 8, "n": n})
        if timed is not None:
            timed.append(time.perf_counter() - began)
        recorder.progress()
    return store, recorder


def main(path: Path, count: int) -> None:
    _store, recorder = record_on_a_full_disk(path, count, ManualClock())
    print(f"spooled {recorder.session_id} {recorder.spooled} {recorder.unsaved}", flush=True)
    while True:
        time.sleep(1)


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
