"""Opening the log: permissions, durability settings, backups, and files it refuses untouched."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest
from storage_helpers import run_session

from neurotimer.storage import migrations
from neurotimer.storage.db import (
    CannotOpenError,
    CorruptDatabaseError,
    ForeignDatabaseError,
    NewerVersionError,
    NotSQLiteError,
    ReadOnlyError,
)
from neurotimer.storage.store import open_memory, open_readonly, open_store


def test_new_log_is_private_and_durable(tmp_path: Path, clock) -> None:
    path = tmp_path / "clinic" / "records" / "log.sqlite3"
    store = open_store(path, clock=clock)
    try:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert stat.S_IMODE((tmp_path / "clinic").stat().st_mode) == 0o700
        conn = store.conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 1000
        assert conn.execute("PRAGMA application_id").fetchone()[0] == migrations.APPLICATION_ID
        assert store.schema_version == migrations.LATEST_VERSION
        run_session(store, clock)
        for sidecar in path.parent.glob("log.sqlite3-*"):
            assert stat.S_IMODE(sidecar.stat().st_mode) == 0o600, sidecar.name
    finally:
        store.close()


def test_an_existing_folder_keeps_its_permissions(tmp_path: Path, clock) -> None:
    os.chmod(tmp_path, 0o755)
    open_store(tmp_path / "log.sqlite3", clock=clock).close()
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o755


def test_daily_backup_once_a_day_and_kept_fourteen_days(tmp_path: Path, clock) -> None:
    path = tmp_path / "log.sqlite3"
    store = open_store(path, clock=clock)
    backups = tmp_path / "backups"
    first = backups / "log-daily-2026-01-05.sqlite3"
    assert first.exists() and stat.S_IMODE(first.stat().st_mode) == 0o600
    assert stat.S_IMODE(backups.stat().st_mode) == 0o700
    assert store.daily_backup() is None, "a second copy the same day is not taken"
    start = dt.date(2026, 1, 5)
    for day in range(1, 20):
        store.daily_backup(start + dt.timedelta(days=day))
    store.close()
    days = sorted(p.name for p in backups.glob("log-daily-*.sqlite3"))
    assert len(days) == 14
    assert days[0] == "log-daily-2026-01-11.sqlite3" and days[-1] == "log-daily-2026-01-24.sqlite3"
    copy = sqlite3.connect(backups / days[-1])
    assert copy.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    assert copy.execute("PRAGMA application_id").fetchone()[0] == migrations.APPLICATION_ID
    copy.close()


def test_memory_store_for_tests_has_the_full_schema(clock) -> None:
    store = open_memory(clock=clock)
    assert store.schema_version == migrations.LATEST_VERSION
    session_id, _, _ = run_session(store, clock)
    assert store.get_session(session_id).summary.state == "completed"


# -- refusals: one fixture per kind of file the app must not write to ---------------------------------


@pytest.fixture
def text_file(tmp_path: Path) -> Path:
    path = tmp_path / "notes.sqlite3"
    path.write_text("Appointment notes for Monday\n" * 20)
    return path


@pytest.fixture
def truncated_sqlite(tmp_path: Path) -> Path:
    path = tmp_path / "cut.sqlite3"
    path.write_bytes(b"SQLite format 3\x00" + b"\x10\x00")
    return path


@pytest.fixture
def other_app_with_id(tmp_path: Path) -> Path:
    path = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1598903374")  # Fossil's id
    conn.execute("CREATE TABLE blob (rid INTEGER PRIMARY KEY, content BLOB)")
    conn.commit()
    conn.close()
    return path


@pytest.fixture
def other_app_without_id(tmp_path: Path) -> Path:
    path = tmp_path / "places.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    conn.execute("INSERT INTO moz_places (url) VALUES ('https://example.org')")
    conn.commit()
    conn.close()
    return path


@pytest.fixture
def newer_log(tmp_path: Path, clock) -> Path:
    path = tmp_path / "newer.sqlite3"
    store = open_store(path, clock=clock, daily_backup=False, anchor_at_open=False)
    run_session(store, clock)
    store.conn.execute(f"PRAGMA user_version = {migrations.LATEST_VERSION + 1}")
    store.checkpoint()
    store.close()
    shutil.rmtree(path.parent / "backups")  # the session's end anchored its head: start the test without it
    return path


@pytest.fixture
def corrupt_log(tmp_path: Path, clock) -> Path:
    path = tmp_path / "damaged.sqlite3"
    store = open_store(path, clock=clock, daily_backup=False, durable=False, anchor_at_open=False)
    _, _, recorder = run_session(store, clock, settings=0, end=False)
    for step in range(300):
        recorder.record("device.report", {"channel": 1, "measured_mA": step, "raw": "x" * 100})
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.conn.execute("PRAGMA journal_mode = DELETE")
    page_size = store.conn.execute("PRAGMA page_size").fetchone()[0]
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.close()
    with open(path, "r+b") as handle:
        handle.seek(page_size * (pages // 2))
        handle.write(b"\xde\xad\xbe\xef" * 64)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA quick_check").fetchone()[0] != "ok"
    except sqlite3.DatabaseError:
        pass
    finally:
        conn.close()
    return path


REFUSALS = [
    ("text_file", NotSQLiteError, "not an SQLite file", False),
    ("truncated_sqlite", NotSQLiteError, "not an SQLite file", False),
    ("other_app_with_id", ForeignDatabaseError, "another program", False),
    ("other_app_without_id", ForeignDatabaseError, "another program", False),
    ("newer_log", NewerVersionError, "newer version of neurotimer", True),
    ("corrupt_log", CorruptDatabaseError, "damaged", True),
]


def _fingerprint(path: Path) -> tuple[bytes, int, int]:
    st = path.stat()
    return path.read_bytes(), st.st_mtime_ns, st.st_size


@pytest.mark.parametrize(("fixture", "error", "words", "readable"), REFUSALS)
def test_refused_files_are_never_written(request, fixture, error, words, readable, clock) -> None:
    path: Path = request.getfixturevalue(fixture)
    before = _fingerprint(path)
    with pytest.raises(error) as info:
        open_store(path, clock=clock)
    message = str(info.value)
    assert path.name in message and words in message
    assert "\n" not in message
    assert info.value.can_open_read_only is readable
    assert _fingerprint(path) == before
    assert not (path.parent / "backups").exists()


@pytest.mark.parametrize(("fixture", "error", "words", "readable"), REFUSALS)
def test_read_only_offer_reads_without_writing(request, fixture, error, words, readable, clock) -> None:
    path: Path = request.getfixturevalue(fixture)
    before = _fingerprint(path)
    if not readable:
        with pytest.raises(error):
            open_readonly(path, clock=clock)
        assert _fingerprint(path) == before
        return
    store = open_readonly(path, clock=clock)
    try:
        assert store.read_only
        with pytest.raises(ReadOnlyError):
            store.create_patient("P-9999")
        if fixture == "newer_log":
            assert len(store.newest_sessions(10)) == 1
    finally:
        store.close()
    assert _fingerprint(path) == before


def test_a_folder_or_unreadable_path_cannot_be_opened(tmp_path: Path, clock) -> None:
    with pytest.raises(CannotOpenError):
        open_store(tmp_path, clock=clock)
    blocked = tmp_path / "blocked"
    blocked.write_text("x")
    with pytest.raises(CannotOpenError):
        open_store(blocked / "log.sqlite3", clock=clock)


@pytest.fixture
def corrupt_wal_log(corrupt_log: Path) -> Path:
    header = bytearray(corrupt_log.read_bytes()[:100])
    with open(corrupt_log, "r+b") as handle:  # as a log left in WAL mode would be
        handle.seek(18)
        handle.write(b"\x02\x02")
    assert header[18:20] == b"\x01\x01"
    return corrupt_log


def test_a_large_damaged_log_is_checked_in_the_background_and_never_written(corrupt_wal_log: Path, clock) -> None:
    before = _fingerprint(corrupt_wal_log)
    store = open_store(corrupt_wal_log, clock=clock, background_check_above=0)
    try:
        with pytest.raises(CorruptDatabaseError, match="damaged"):
            store.create_patient("P-0001")
        assert isinstance(store.wait_until_checked(), CorruptDatabaseError)
    finally:
        store.close()
    assert _fingerprint(corrupt_wal_log) == before
    assert not (corrupt_wal_log.parent / "backups").exists()


def test_a_large_sound_log_opens_at_once_and_backs_up_after_the_check(tmp_path: Path, clock) -> None:
    path = tmp_path / "log.sqlite3"
    open_store(path, clock=clock, daily_backup=False).close()
    store = open_store(path, clock=clock, background_check_above=0)
    try:
        assert store.wait_until_checked() is None
        store.create_patient("P-0001")
    finally:
        store.close()
    assert (tmp_path / "backups" / "log-daily-2026-01-05.sqlite3").exists()
