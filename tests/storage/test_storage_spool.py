"""The record is never lost: a full disk or a failing log spools what waits, and the next start writes it once."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

import pytest
from storage_helpers import wait

from neurotimer.session.clock import ManualClock
from neurotimer.session.session import Session
from neurotimer.storage.recorder import Recorder
from neurotimer.storage.recovery import recover_interrupted
from neurotimer.storage.spool import Spool, read_spool, replay_spool, spool_path
from neurotimer.storage.store import open_store
from neurotimer.storage.verify import verify_store


class FullDisk:
    """Wraps a connection: while `full`, every write fails as SQLite fails on a disk with no space left."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self.full = False
        self.commits_left: int | None = None  # when set, that many commits pass before the disk fills
        self.checkpoints = 0

    def execute(self, sql: str, *args):
        if "wal_checkpoint" in sql:
            self.checkpoints += 1
        if sql == "COMMIT" and self.commits_left is not None:
            if self.commits_left == 0:
                self.full = True
            self.commits_left -= 1
        if self.full and sql.split()[0] in ("INSERT", "UPDATE", "COMMIT"):
            raise sqlite3.OperationalError("database or disk is full")
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self._conn, name)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "clinic" / "log.sqlite3"


def open_log(path: Path, clock: ManualClock):
    return open_store(path, clock=clock, daily_backup=False, busy_timeout_ms=50)


def start_recording(store, clock, **kwargs):
    alarms: list[str] = []
    counts: list[str] = []
    recorder = Recorder(store, clock, on_alarm=alarms.append, on_count=counts.append,
                        spool=Spool(spool_path(store)), **kwargs)
    session = Session(clock, 30)
    recorder.attach(session)
    session.start()
    return recorder, session, alarms, counts


def killed(conn, recorder) -> None:
    """The app stops dead: its file handles close, nothing more is flushed."""
    conn.close()
    recorder._spool.close()


def intensities(store, session_id: int) -> list[int]:
    return [e["data"]["n"] for e in store.session_events(session_id) if e["kind"] == "stim.intensity"]


def test_a_full_disk_checkpoints_spools_in_order_and_counts_truly(path, clock) -> None:
    store = open_log(path, clock)
    recorder, session, alarms, counts = start_recording(store, clock)
    wait(clock, session, 2, recorder)
    disk = FullDisk(store.conn)
    store.conn = disk
    disk.full = True
    for n in range(40):
        clock.advance(0.1)
        assert recorder.record("stim.intensity", {"channel": 1, "n": n}) is None
        recorder.progress()
    assert disk.checkpoints >= 1, "a write failing for space folds the write-ahead log in first"
    assert len(alarms) == 1 and "disk is full" in alarms[0]
    assert recorder.pending == recorder.spooled == 40 and recorder.unsaved == 0
    assert f"{recorder.pending} event(s) wait" in counts[-1], "the alarm counts what waits, as it grows"
    spooled = [r for r in read_spool(spool_path(store)) if r["t"] == "event"]
    assert [r["payload"]["n"] for r in spooled if r["kind"] == "stim.intensity"] == list(range(40))
    disk.full = False
    clock.advance(1.0)
    recorder.progress()
    assert recorder.pending == 0 and not recorder.failing
    assert read_spool(spool_path(store)) == [], "emptied once everything is in the log"
    assert intensities(store, recorder.session_id) == list(range(40))
    store.conn = disk._conn
    assert verify_store(store).ok
    store.close()


def test_events_spooled_before_a_crash_are_written_once_at_the_next_start(path, clock) -> None:
    store = open_log(path, clock)
    recorder, session, _alarms, _counts = start_recording(store, clock)
    wait(clock, session, 2, recorder)
    store.conn = FullDisk(store.conn)
    store.conn.full = True
    for n in range(25):
        clock.advance(0.1)
        recorder.record("stim.intensity", {"channel": 1, "n": n})
    wait(clock, session, 3, recorder)
    session_id = recorder.session_id
    killed(store.conn._conn, recorder)
    spool_file = spool_path(store)
    assert spool_file.exists()
    saved = spool_file.read_bytes()

    waited = [r["kind"] for r in read_spool(spool_file) if r["t"] == "event"]
    later = open_log(path, clock)
    replayed = replay_spool(later)
    assert replayed.events == {session_id: len(waited)} and replayed.skipped == 0 and len(waited) >= 25
    assert not spool_file.exists()
    recovered = recover_interrupted(later)
    assert [r.session_id for r in recovered] == [session_id]
    assert recovered[0].treatment_seconds >= 4.0, "the treatment time kept in the spool is the one recorded"
    assert intensities(later, session_id) == list(range(25))
    events = later.session_events(session_id)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1)) and events[-1]["kind"] == "session.interrupted"
    assert verify_store(later).ok

    # The same spool again (a crash after the replay committed, before the file was emptied): nothing twice.
    spool_file.write_bytes(saved)
    again = replay_spool(later)
    assert again.count == 0 and again.skipped == len(waited)
    assert intensities(later, session_id) == list(range(25))
    later.close()



def test_spooled_events_of_a_session_closed_meanwhile_go_into_a_new_linked_session(path, clock) -> None:
    """Closed as interrupted before the spool could be replayed (on a server: by another workstation), the session
    takes nothing more; its spooled events go into a new session whose first event names it, and the start says so."""
    store = open_log(path, clock)
    recorder, session, _alarms, _counts = start_recording(store, clock)
    wait(clock, session, 2, recorder)
    store.conn = FullDisk(store.conn)
    store.conn.full = True
    for n in range(5):
        clock.advance(0.1)
        recorder.record("stim.intensity", {"channel": 1, "n": n})
    session_id = recorder.session_id
    killed(store.conn._conn, recorder)
    later = open_log(path, clock)
    assert [r.session_id for r in recover_interrupted(later)] == [session_id]
    closed = [e["kind"] for e in later.session_events(session_id)]
    replayed = replay_spool(later)
    [new] = replayed.created
    assert replayed.continued == [(session_id, new)]
    assert f"Session #{session_id} was closed meanwhile" in replayed.message()
    assert f"new session #{new}, linked to it" in replayed.message()
    assert [e["kind"] for e in later.session_events(session_id)] == closed, "nothing after its end"
    events = later.session_events(new)
    assert [e["kind"] for e in events][:2] == ["session.opened", "session.continues"]
    assert events[1]["data"]["session_id"] == session_id
    assert intensities(later, new) == list(range(5))
    assert verify_store(later).ok
    later.close()

def test_a_drain_cut_short_by_a_crash_is_finished_by_the_replay_without_duplicates(path, clock) -> None:
    store = open_log(path, clock)
    recorder, _session, _alarms, _counts = start_recording(store, clock)
    disk = FullDisk(store.conn)
    store.conn = disk
    disk.full = True
    for n in range(10):
        clock.advance(0.1)
        recorder.record("stim.intensity", {"channel": 1, "n": n})
    disk.full = False
    disk.commits_left = 4  # room for four events, then the disk is full again
    clock.advance(1.0)
    recorder.progress()
    assert recorder.pending == 6
    session_id = recorder.session_id
    killed(disk._conn, recorder)

    later = open_log(path, clock)
    assert intensities(later, session_id) == [0, 1, 2, 3]
    replayed = replay_spool(later)
    assert (replayed.skipped, replayed.count) == (4, 6)
    assert intensities(later, session_id) == list(range(10))
    assert verify_store(later).ok
    later.close()


def test_a_session_that_never_reached_the_log_is_created_from_the_spool(path, clock) -> None:
    store = open_log(path, clock)
    disk = FullDisk(store.conn)
    store.conn = disk
    disk.full = True  # full before the session's first event
    recorder, _session, alarms, _counts = start_recording(store, clock)
    for n in range(5):
        clock.advance(0.2)
        recorder.record("stim.intensity", {"channel": 2, "n": n})
    assert recorder.session_id is None and alarms
    killed(disk._conn, recorder)

    later = open_log(path, clock)
    replayed = replay_spool(later)
    assert len(replayed.created) == 1
    session_id = replayed.created[0]
    assert intensities(later, session_id) == list(range(5))
    assert [e["kind"] for e in later.session_events(session_id)][:2] == ["session.opened", "session.started"]
    assert verify_store(later).ok
    later.close()


def test_when_the_spool_cannot_be_written_the_alarm_says_how_many_are_in_memory_only(path, clock, monkeypatch) -> None:
    store = open_log(path, clock)
    recorder, _session, alarms, counts = start_recording(store, clock)
    store.conn = FullDisk(store.conn)
    store.conn.full = True

    def no_space(self, records):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Spool, "append", no_space)
    for n in range(3):
        clock.advance(0.2)
        recorder.record("stim.intensity", {"channel": 1, "n": n})
    assert recorder.unsaved == 3 and recorder.spooled == 0
    assert "3 in memory only" in (counts or alarms)[-1] and "No space left" in (counts or alarms)[-1]
    store.conn = store.conn._conn
    store.close()


def test_a_real_small_disk_filled_to_the_last_byte_loses_nothing(tmp_path, clock) -> None:
    """A 3 MB tmpfs: the log fills it; the spool's space was reserved when it was opened."""
    import subprocess

    mount = tmp_path / "small-disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        path = mount / "log.sqlite3"
        store = open_log(path, clock)
        recorder = Recorder(store, clock, spool=Spool(spool_path(store), reserve=1024 * 1024))
        session = Session(clock, 30)
        recorder.attach(session)
        session.start()
        filler = mount / "filler"
        with open(filler, "wb") as handle:  # another program takes every byte left
            try:
                while True:
                    handle.write(b"\0" * 65536)
                    handle.flush()
            except OSError:
                pass
        pad = "x" * 2000
        for n in range(300):
            clock.advance(0.05)
            recorder.record("stim.intensity", {"channel": 1, "n": n, "pad": pad})
            recorder.progress()
        assert recorder.failing and recorder.pending > 0 and recorder.unsaved == 0, "everything waiting is spooled"
        session_id = recorder.session_id
        killed(store.conn, recorder)
        filler.unlink()  # space freed
        later = open_log(path, clock)
        replay_spool(later)
        assert intensities(later, session_id) == list(range(300))
        assert verify_store(later).ok
        later.close()
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_the_folder_removed_mid_session_raises_a_notice_at_once_and_the_log_is_saved_again(path, clock) -> None:
    import shutil

    store = open_log(path, clock)
    notices: list[str] = []
    recorder, session, _alarms, _counts = start_recording(store, clock, on_notice=notices.append)
    for n in range(5):
        clock.advance(0.2)
        recorder.record("stim.intensity", {"channel": 1, "n": n})
    shutil.rmtree(path.parent)  # the app data folder goes, the log still open
    assert not path.exists()
    clock.advance(0.2)
    seq = recorder.record("stim.intensity", {"channel": 1, "n": 5})
    assert len(notices) == 1 and "removed while open" in notices[0] and str(path) in notices[0]
    assert seq is not None and path.exists(), "the very commit that found it gone is in the copy at the path"
    for n in range(6, 240):
        clock.advance(0.05)
        assert recorder.record("stim.intensity", {"channel": 1, "n": n}) is not None
    session_id = recorder.session_id
    wait(clock, session, 1, recorder)
    session.end()
    recorder.close()
    store.close()  # the process ends: what was only in the removed file would go now
    later = open_log(path, clock)
    assert intensities(later, session_id) == list(range(240)), "before and after the removal, nothing lost"
    assert later.get_session(session_id).summary.state != "running"
    assert verify_store(later).ok
    later.close()


def test_a_log_replaced_by_another_file_is_saved_aside_and_new_events_spooled(path, clock) -> None:
    import shutil

    store = open_log(path, clock)
    notices: list[str] = []
    recorder, _session, alarms, _counts = start_recording(store, clock, on_notice=notices.append)
    for n in range(3):
        clock.advance(0.2)
        recorder.record("stim.intensity", {"channel": 1, "n": n})
    session_id = recorder.session_id
    shutil.rmtree(path.parent)
    other = open_log(path, clock)  # someone put a fresh log at the same path
    other.close()
    for n in range(3, 10):
        clock.advance(0.2)
        assert recorder.record("stim.intensity", {"channel": 1, "n": n}) is None
    assert len(notices) == 1 and "replaced" in notices[0]
    assert len(alarms) == 1 and "no longer at" in alarms[0] and "spool file" in alarms[0]
    assert recorder.unsaved == 0 and recorder.spooled >= 7
    saved = list(path.parent.glob("log.removed-*.sqlite3"))
    assert len(saved) == 1
    copy = open_log(saved[0], clock)
    assert intensities(copy, session_id)[:3] == [0, 1, 2], "what was committed before is in the saved copy"
    copy.close()
    killed(store.conn, recorder)
    later = open_log(path, clock)
    replayed = replay_spool(later)
    assert len(replayed.created) == 1, "the spooled events go into the log at the path, in a new row"
    assert intensities(later, replayed.created[0])[-7:] == list(range(3, 10))
    assert verify_store(later).ok
    later.close()


def test_a_process_killed_with_spooled_events_has_them_written_at_the_next_start(path, clock) -> None:
    import signal
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, str(Path(__file__).with_name("spool_child.py")), str(path), "500"],
                             stdout=subprocess.PIPE, text=True)
    try:
        line = child.stdout.readline().split()
    finally:
        child.send_signal(signal.SIGKILL)  # kill -9: no flush, no clean-up
        child.wait(30)
        child.stdout.close()
    assert line[0] == "spooled" and int(line[2]) >= 500 and line[3] == "0", line
    session_id = int(line[1])
    later = open_log(path, clock)
    assert intensities(later, session_id) == [-1], "nothing after the disk filled reached the log"
    replayed = replay_spool(later)
    assert replayed.events == {session_id: int(line[2])}
    recover_interrupted(later)
    assert intensities(later, session_id) == [-1, *range(500)]
    assert verify_store(later).ok
    assert replay_spool(later).count == 0, "exactly once"
    later.close()


def test_the_spool_removed_with_its_folder_is_made_again_with_everything_that_waits(path, clock) -> None:
    import shutil

    store = open_log(path, clock)
    recorder, _session, _alarms, _counts = start_recording(store, clock)
    session_id = recorder.session_id
    store.conn = FullDisk(store.conn)
    store.conn.full = True
    for n in range(5):
        clock.advance(0.2)
        recorder.record("stim.intensity", {"channel": 1, "n": n})
    assert recorder.spooled == 5
    shutil.rmtree(path.parent)  # the log and the spool beside it go
    open_log(path, clock).close()  # and another log takes the path: the open one cannot be put back there
    for n in range(5, 8):
        clock.advance(0.2)
        recorder.record("stim.intensity", {"channel": 1, "n": n})
    assert recorder.spooled == recorder.waiting == 8 and recorder.unsaved == 0
    spooled = read_spool(spool_path(store))
    assert [r["payload"]["n"] for r in spooled if r["t"] == "event"] == list(range(8)), "all again, in order"
    killed(store.conn._conn, recorder)
    later = open_log(path, clock)
    replayed = replay_spool(later)
    assert intensities(later, replayed.created[0]) == list(range(8))
    assert verify_store(later).ok
    later.close()
    saved = next(path.parent.glob("log.removed-*.sqlite3"))
    copy = open_log(saved, clock)
    assert [e["kind"] for e in copy.session_events(session_id)] == ["session.opened", "session.started"]
    copy.close()


def test_an_append_cut_short_by_the_disk_leaves_no_part_of_it_to_replay(tmp_path, monkeypatch) -> None:
    spool = Spool(tmp_path / "log.sqlite3.spool", reserve=4096)
    spool.open()
    spool.append([{"t": "event", "n": 0}])
    real_pwrite = os.pwrite
    calls = []

    def part_then_full(fd, data, offset):
        calls.append(offset)
        if len(calls) == 1:
            return real_pwrite(fd, data[:30], offset)  # two whole lines and a bit fit, then no space
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_pwrite(fd, data, offset)

    monkeypatch.setattr(os, "pwrite", part_then_full)
    with pytest.raises(OSError):
        spool.append([{"t": "event", "n": 1}, {"t": "event", "n": 2}])
    assert read_spool(spool.path) == [{"t": "event", "n": 0}], "none of the refused append is read back"
    spool.append([{"t": "event", "n": 3}])
    assert [r["n"] for r in read_spool(spool.path)] == [0, 3]
    spool.close()
