"""verify's SQLite integrity check (run on a connection and thread of its own beside the chain walk) still
names damage and broken references, and a log with no file (in memory) is checked in line."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from storage_helpers import copy_log, raw, run_session

from neurotimer.storage import verify
from neurotimer.storage.db import CannotOpenError
from neurotimer.storage.store import open_memory, open_readonly, open_store
from neurotimer.storage.verify import verify_store


def _log(tmp_path: Path, clock) -> Path:
    path = tmp_path / "log.sqlite3"
    store = open_store(path, clock=clock, daily_backup=False)
    for number in range(3):
        sid, _, _ = run_session(store, clock, patient_id=store.create_patient(f"P-{number:04d}"))
        store.add_score(sid, "pain", 5, "after")
    store.close()
    return copy_log(path, tmp_path / "copy.sqlite3")


def test_a_damaged_index_is_named_while_the_chain_still_verifies(tmp_path: Path, clock) -> None:
    path = _log(tmp_path, clock)
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'events_by_session'").fetchone()[0]
    conn.close()
    with open(path, "r+b") as handle:  # the index's page overwritten: the events themselves are intact
        handle.seek((root - 1) * page_size + 8)
        handle.write(b"\xff" * 64)
    store = open_readonly(path)
    try:
        report = verify_store(store)
    finally:
        store.close()
    assert not report.ok and report.integrity and not report.problems
    assert report.lines()[0].startswith("DAMAGED: SQLite integrity check: ")


@pytest.mark.parametrize("second_connection", [True, False])
def test_a_row_pointing_to_a_missing_session_is_named(tmp_path: Path, clock, monkeypatch, second_connection) -> None:
    path = _log(tmp_path, clock)
    conn = raw(path)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("UPDATE scores SET session_id = 99 WHERE id = 1")
    conn.close()
    store = open_readonly(path)
    if not second_connection:  # the check's own connection cannot be had: it runs on the store's instead
        monkeypatch.setattr(verify.db, "connect", lambda *a, **k: (_ for _ in ()).throw(CannotOpenError("busy")))
    try:
        report = verify_store(store)
    finally:
        store.close()
    assert any("points to a missing sessions row" in line for line in report.integrity), report.integrity


def test_a_log_in_memory_is_checked_in_line(clock) -> None:
    store = open_memory(clock=clock)
    run_session(store, clock)
    report = verify_store(store)
    assert report.ok and report.sessions == 1 and report.integrity == []
