"""Tamper: any change to a past event, made behind the app's back in a copy, is found by verify."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from storage_helpers import copy_log, raw, run_session, wait

from neurotimer.cli import main as cli_main
from neurotimer.session.clock import ManualClock
from neurotimer.storage.store import open_readonly, open_store
from neurotimer.storage.verify import verify_store

MARKER = "MARKER-12345"


@pytest.fixture(scope="module")
def base_log(tmp_path_factory) -> Path:
    clock = ManualClock()
    path = tmp_path_factory.mktemp("tamper") / "log.sqlite3"
    store = open_store(path, clock=clock, daily_backup=False)
    patient = store.create_patient("P-0001", "Tamper Test", 1950)
    for settings_count in (4, 6, 3):
        sid, session, recorder = run_session(store, clock, patient_id=patient, settings=settings_count, end=False)
        recorder.record("device.report", {"note": MARKER if settings_count == 6 else "plain", "mA": 2.5})
        wait(clock, session, 60, recorder)
        session.end()
        store.add_score(sid, "pain", 4, "after")
    store.amend_session(1, "depth", "10 mm", "Dr Example", "was missing")
    store.checkpoint()
    store.close()
    return path


def _rows(path: Path) -> list[tuple[int, int]]:
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT session_id, seq FROM events ORDER BY session_id, seq").fetchall()
    conn.close()
    return rows


def _flip_text(text: str, index: int) -> str:
    index %= len(text)
    return text[:index] + chr(ord(text[index]) ^ 1) + text[index + 1 :]


def _flip_blob(blob: bytes, index: int, bit: int) -> bytes:
    data = bytearray(blob)
    data[index % len(data)] ^= 1 << bit
    return bytes(data)


def _verify_copy(path: Path):
    store = open_readonly(path)
    try:
        return verify_store(store)
    finally:
        store.close()


def test_the_untouched_log_verifies(base_log: Path) -> None:
    report = _verify_copy(base_log)
    assert report.ok and report.sessions == 3 and report.events == len(_rows(base_log))


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_changing_any_field_of_any_event_is_found(base_log: Path, data) -> None:
    rows = _rows(base_log)
    session_id, seq = data.draw(st.sampled_from(rows), label="event")
    column = data.draw(st.sampled_from(["at", "offset_s", "kind", "payload", "prev_hash", "hash"]), label="column")
    with tempfile.TemporaryDirectory() as folder:
        path = copy_log(base_log, Path(folder) / "copy.sqlite3")
        conn = raw(path)
        (value,) = conn.execute(
            f"SELECT {column} FROM events WHERE session_id = ? AND seq = ?", (session_id, seq)).fetchone()
        if isinstance(value, bytes):
            new = _flip_blob(value, data.draw(st.integers(0, 31)), data.draw(st.integers(0, 7)))
        elif isinstance(value, float):
            new = value + data.draw(st.sampled_from([0.001, 0.5, -1.0, 60.0, 3600.0]))
        else:
            new = _flip_text(value, data.draw(st.integers(0, 500)))
        conn.execute(f"UPDATE events SET {column} = ? WHERE session_id = ? AND seq = ?", (new, session_id, seq))
        conn.close()
        report = _verify_copy(path)
    assert not report.ok
    first = report.problems[0]
    assert (first.session_id, first.seq) == (session_id, seq)


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_deleting_reordering_or_moving_events_is_found(base_log: Path, data) -> None:
    rows = _rows(base_log)
    action = data.draw(st.sampled_from(["delete", "cut_end", "swap", "move"]), label="action")
    session_id, seq = data.draw(st.sampled_from(rows), label="event")
    with tempfile.TemporaryDirectory() as folder:
        path = copy_log(base_log, Path(folder) / "copy.sqlite3")
        conn = raw(path)
        affected = {session_id}
        if action == "delete":
            conn.execute("DELETE FROM events WHERE session_id = ? AND seq = ?", (session_id, seq))
        elif action == "cut_end":
            conn.execute("DELETE FROM events WHERE session_id = ? AND seq >= ?", (session_id, seq))
        elif action == "swap":
            others = [s for sid, s in rows if sid == session_id and s != seq]
            other = data.draw(st.sampled_from(others), label="other")
            conn.execute("UPDATE events SET seq = -1 WHERE session_id = ? AND seq = ?", (session_id, seq))
            conn.execute("UPDATE events SET seq = ? WHERE session_id = ? AND seq = ?", (seq, session_id, other))
            conn.execute("UPDATE events SET seq = ? WHERE session_id = ? AND seq = -1", (other, session_id))
        else:
            target = data.draw(st.sampled_from([s for s in (1, 2, 3) if s != session_id]), label="to")
            conn.execute("UPDATE events SET session_id = ?, seq = seq + 1000 WHERE session_id = ? AND seq = ?",
                         (target, session_id, seq))
            affected.add(target)
        conn.close()
        report = _verify_copy(path)
    assert not report.ok
    assert report.problems[0].session_id == min(affected)


def test_a_byte_changed_in_the_file_itself_is_found(base_log: Path, tmp_path: Path) -> None:
    path = copy_log(base_log, tmp_path / "copy.sqlite3")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = DELETE")
    (seq,) = conn.execute("SELECT seq FROM events WHERE payload LIKE ?", (f"%{MARKER}%",)).fetchone()
    conn.close()
    content = path.read_bytes()
    assert content.count(MARKER.encode()) == 1
    path.write_bytes(content.replace(MARKER.encode(), b"MARKER-12346"))
    report = _verify_copy(path)
    assert not report.ok and (report.problems[0].session_id, report.problems[0].seq) == (2, seq)


def test_verify_command_names_the_first_bad_session_and_event(base_log: Path, tmp_path: Path, capsys) -> None:
    assert cli_main(["verify", "--db", str(base_log)]) == 0
    assert capsys.readouterr().out.startswith("OK: 3 sessions")
    path = copy_log(base_log, tmp_path / "copy.sqlite3")
    conn = raw(path)
    conn.execute("UPDATE events SET payload = replace(payload, '2.5', '9.5') WHERE session_id = 2")
    conn.close()
    assert cli_main(["verify", "--db", str(path)]) == 1
    out = capsys.readouterr().out
    assert "first bad record is session 2, event" in out and "changed after it was written" in out
