"""Crash: a child writing a session is killed with SIGKILL at random moments; nothing committed is lost."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import time
import warnings
from pathlib import Path
from typing import IO

import pytest

from neurotimer.session.clock import ManualClock
from neurotimer.session.session import Session
from neurotimer.storage.recorder import Recorder
from neurotimer.storage.recovery import recover_interrupted
from neurotimer.storage.store import open_store
from neurotimer.storage.verify import verify_store

BATCHES = 5
PER_BATCH = 10  # 50 kills in all, ten children at a time


def child_main(path: Path, out: IO[str]) -> None:
    """Runs a session forever, saying what each commit made durable: `E seq` or `P treatment`."""
    clock = ManualClock()
    store = open_store(path, clock=clock, daily_backup=False)
    patient = store.create_patient("P-0001", "Crash Test", 1950)
    store.create_course(patient, "Neuropathy", 8, 2)
    recorder = Recorder(store, clock)
    session = Session(clock, 60)
    recorder.attach(session, patient_id=patient)
    session.start()
    out.write(f"ready {recorder.session_id}\n")
    out.flush()
    step = 0
    while True:
        step += 1
        clock.advance(0.2)
        session.tick()
        if recorder.progress():
            out.write(f"P {round(session.treatment_seconds, 3)}\n")
        if step % 3 == 0:
            out.write(f"E {recorder.record('stim.intensity', {'channel': 1 + step % 4, 'mA': step % 10})}\n")
        if step % 40 == 20:
            session.pause()
            out.write(f"E {recorder.last_seq}\n")
            clock.advance(1.0)
            session.resume()
            out.write(f"E {recorder.last_seq}\n")
        out.flush()


def _fork(path: Path) -> tuple[int, IO[str]]:
    """A child process with the modules already loaded (a fresh interpreter each time is too slow)."""
    read_fd, write_fd = os.pipe()
    with warnings.catch_warnings():
        # Python 3.12 warns when forking a process with threads (Qt's, in a full run); the child only
        # writes SQLite and is killed, so the deadlocks the warning is about cannot bite here.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child, which only ever ends by SIGKILL
        try:
            os.close(read_fd)
            child_main(path, os.fdopen(write_fd, "w"))
        finally:
            os._exit(1)
    os.close(write_fd)
    return pid, os.fdopen(read_fd)


@pytest.mark.parametrize("batch", range(BATCHES))
def test_sigkill_at_random_moments_loses_nothing_committed(tmp_path: Path, batch: int) -> None:
    rng = random.Random(batch)
    children = []
    for run in range(PER_BATCH):
        path = tmp_path / f"run{run}" / "log.sqlite3"
        pid, pipe = _fork(path)
        children.append((path, pid, pipe, pipe.readline()))
    for _, _, _, ready in children:
        assert ready.startswith("ready")
    start = time.monotonic()
    for when, pid in sorted((rng.uniform(0.0, 0.25), c[1]) for c in children):
        time.sleep(max(0.0, start + when - time.monotonic()))  # real time: the point is to kill mid-write
        os.kill(pid, signal.SIGKILL)
    for path, pid, pipe, ready in children:
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        lines = pipe.read().splitlines()
        pipe.close()
        seqs = [int(line[2:]) for line in lines if line.startswith("E ") and line[2:] != "None"]
        progress = [float(line[2:]) for line in lines if line.startswith("P ")]
        _check_after_crash(path, int(ready.split()[1]), max(seqs, default=1), max(progress, default=0.0))


def _check_after_crash(path: Path, session_id: int, last_seq: int, last_progress: float) -> None:
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()
    store = open_store(path, daily_backup=False)
    try:
        summary = store.get_session(session_id).summary
        assert summary.event_count >= last_seq, "an event whose commit returned is missing"
        recovered = recover_interrupted(store)
        assert [r.session_id for r in recovered] == [session_id]
        after = store.get_session(session_id).summary
        assert after.state == "interrupted"
        # The recovered time is the last committed progress: the one reported, or one the kill cut off
        # before it could be reported (at most one progress interval plus one tick later).
        assert last_progress <= after.treatment_seconds <= last_progress + 1.0
        report = verify_store(store)
        assert report.ok, report.lines()
    finally:
        store.close()
