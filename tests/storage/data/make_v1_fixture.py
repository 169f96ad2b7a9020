"""Writes log-v1.sqlite3: a session log at schema version 1, as the first release wrote it.

Run once and commit the file (`.venv/bin/python tests/storage/data/make_v1_fixture.py`); the migration
test opens a copy with the current code.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
from pathlib import Path

from neurotimer.session.clock import ManualClock
from neurotimer.session.session import Session
from neurotimer.storage import migrations
from neurotimer.storage.recorder import Recorder
from neurotimer.storage.store import Store

HERE = Path(__file__).parent


def main(target: Path = HERE / "log-v1.sqlite3") -> None:
    target.unlink(missing_ok=True)
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA foreign_keys = ON")
    migrations.migrate(conn, target=1)
    clock = ManualClock(wall_start=dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))
    store = Store(conn, target, clock, read_only=False)
    ann = store.create_patient("P-0001", "Ann Example", 1952, {"reduced_sensation": True})
    store.create_patient("P-0002", None, 1960)
    course = store.create_course(ann, "Painful diabetic peripheral neuropathy", 8, 2, style="Western medical")
    recorder = Recorder(store, clock)
    done = Session(clock, 30)
    recorder.attach(done, patient_id=ann, course_id=course, details={"needle_type": "0.25 x 40 mm"})
    done.start()
    store.save_plan(recorder.session_id, [("ST36", "L"), ("ST36", "R")],
                    [{"channel": 1, "a": ("ST36", "L"), "b": ("GB39", "L"), "mode": "2/120"}])
    store.add_score(recorder.session_id, "pain", 7, "before")
    recorder.record("stim.intensity", {"channel": 1, "mA": 3.0})
    for _ in range(1800):
        clock.advance(1)
        done.tick()
    done.end()
    store.add_score(recorder.session_id, "pain", 5, "after")
    store.amend_session(recorder.session_id, "depth", "15 mm", "Dr Example", "depth was left out")
    # A session the first release left running when it stopped: the migrated log must recover it.
    clock.advance(3600)
    left = Session(clock, 30)
    recorder.attach(left, patient_id=ann)
    left.start()
    for _ in range(300):
        clock.advance(1)
        left.tick()
        recorder.progress()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    sys.stdout.write(f"wrote {target}\n")


if __name__ == "__main__":
    main()
