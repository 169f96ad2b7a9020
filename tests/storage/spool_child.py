"""A recording process whose log fills up: it spools what waits and says so, then waits to be killed."""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

from neurotimer.session.clock import ManualClock
from neurotimer.session.session import Session
from neurotimer.storage.recorder import Recorder
from neurotimer.storage.spool import Spool, spool_path
from neurotimer.storage.store import open_store


class FullDisk:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, *args):
        if sql.split()[0] in ("INSERT", "UPDATE", "COMMIT"):
            raise sqlite3.OperationalError("database or disk is full")
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self._conn, name)


def main(path: Path, count: int) -> None:
    clock = ManualClock()
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
        recorder.record("stim.intensity", {"channel": 1, "n": n})
        recorder.progress()
    print(f"spooled {recorder.session_id} {recorder.spooled} {recorder.unsaved}", flush=True)
    while True:
        time.sleep(1)


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
