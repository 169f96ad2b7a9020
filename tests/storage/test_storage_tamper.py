"""Tamper: any change made behind the app's back in a copy of the log (triggers dropped) is found by verify,
which names the event, or the table, row and field, that differs from the chained events."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from storage_helpers import copy_log, raw, write_rich_log

from neurotimer.cli import main as cli_main
from neurotimer.session.clock import ManualClock
from neurotimer.storage.derived import TABLES
from neurotimer.storage.store import open_readonly, open_store
from neurotimer.storage.verify import verify_store

MARKER = "MARKER-12345"


@pytest.fixture(scope="module")
def base_log(tmp_path_factory) -> Path:
    clock = ManualClock()
    path = tmp_path_factory.mktemp("tamper") / "log.sqlite3"
    store = open_store(path, clock=clock, daily_backup=False)
    write_rich_log(store, clock)
    store.record_event(2, "device.report", {"note": MARKER, "mA": 2.5})
    store.checkpoint()
    store.close()
    return path


def _events(path: Path) -> list[tuple[int, int | None, int | None]]:
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT n, session_id, seq FROM events ORDER BY n").fetchall()
    conn.close()
    return rows


def _verify_copy(path: Path):
    store = open_readonly(path)
    try:
        return verify_store(store)
    finally:
        store.close()


CHOICES = {"state": ("completed", "ended_early", "interrupted"), "timing": ("before", "after"),
           "severity": ("mild", "moderate", "severe"), "side": ("L", "R", "M"), "a_side": ("L", "R", "M"),
           "b_side": ("L", "R", "M")}


def _changed(value, pick: int = 0, column: str = ""):
    """A different value of the same kind, as an editor would put in (one the table's checks allow)."""
    if column in CHOICES:
        return next(c for c in CHOICES[column] if c != value)
    if isinstance(value, bytes):
        data = bytearray(value)
        data[pick % len(data)] ^= 1
        return bytes(data)
    if isinstance(value, float):
        return value + 0.5
    if isinstance(value, int):
        return value + 1
    if value is None:
        return 1
    index = pick % len(value) if value else 0
    return value[:index] + chr(ord(value[index]) ^ 1) + value[index + 1 :] if value else "x"


def test_the_untouched_log_verifies(base_log: Path) -> None:
    report = _verify_copy(base_log)
    assert report.ok, report.lines()
    assert report.sessions == 3 and report.events == len(_events(base_log))


def _fields():
    for spec in TABLES.values():
        for column in spec.columns:
            if column not in spec.key:
                yield spec.name, column


@pytest.mark.parametrize(("table", "column"), list(_fields()))
def test_changing_any_field_of_any_table_the_record_shows_is_named(base_log: Path, tmp_path, table, column) -> None:
    spec = TABLES[table]
    path = copy_log(base_log, tmp_path / "copy.sqlite3")
    conn = raw(path)
    keys = ", ".join(spec.key)
    row = conn.execute(f"SELECT {keys}, {column} FROM {table} ORDER BY {keys} LIMIT 1").fetchone()
    assert row is not None, f"the demo log has no {table} row"
    key, value = row[:-1], row[-1]
    where = " AND ".join(f"{k} = ?" for k in spec.key)
    conn.execute(f"UPDATE {table} SET {column} = ? WHERE {where}", (_changed(value, 3, column), *key))
    conn.close()
    report = _verify_copy(path)
    assert not report.ok
    assert [(r.table, r.key, r.field) for r in report.rows] == [(table, tuple(key), column)]
    assert f"table {table}, row {spec.key[0]}={key[0]}" in "\n".join(report.lines())


@pytest.mark.parametrize("table", list(TABLES))
def test_deleting_or_inserting_a_row_of_any_table_is_named(base_log: Path, tmp_path, table) -> None:
    spec = TABLES[table]
    path = copy_log(base_log, tmp_path / "copy.sqlite3")
    conn = raw(path)
    conn.execute("PRAGMA foreign_keys = OFF")
    keys = ", ".join(spec.key)
    row = conn.execute(f"SELECT {keys} FROM {table} ORDER BY {keys} DESC LIMIT 1").fetchone()
    conn.execute(f"DELETE FROM {table} WHERE {' AND '.join(f'{k} = ?' for k in spec.key)}", row)
    conn.close()
    report = _verify_copy(path)
    assert any(r.table == table and r.key == tuple(row) and "missing" in r.message for r in report.rows)
    path2 = copy_log(base_log, tmp_path / "copy2.sqlite3")
    conn = raw(path2)
    conn.execute("PRAGMA foreign_keys = OFF")
    names = list(dict.fromkeys(spec.key + spec.columns))
    values = dict(zip(names, conn.execute(f"SELECT {', '.join(names)} FROM {table} LIMIT 1").fetchone(),
                      strict=True))
    values[spec.key[-1]] += 1000
    if table == "patients":
        values["code"] += "X"
    conn.execute(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                 list(values.values()))
    conn.close()
    report = _verify_copy(path2)
    assert any(r.table == table and "not in the chained events" in r.message for r in report.rows)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_changing_any_field_of_any_event_is_found_at_that_event(base_log: Path, data) -> None:
    events = _events(base_log)
    n, _, _ = data.draw(st.sampled_from(events), label="event")
    column = data.draw(st.sampled_from(["at", "offset_s", "kind", "payload", "prev_hash", "hash"]), label="column")
    with tempfile.TemporaryDirectory() as folder:
        path = copy_log(base_log, Path(folder) / "copy.sqlite3")
        conn = raw(path)
        (value,) = conn.execute(f"SELECT {column} FROM events WHERE n = ?", (n,)).fetchone()
        new = _changed(value, data.draw(st.integers(0, 500)))
        conn.execute(f"UPDATE events SET {column} = ? WHERE n = ?", (new, n))
        conn.close()
        report = _verify_copy(path)
    assert not report.ok
    assert report.problems[0].n == n


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_deleting_reordering_or_moving_events_is_found(base_log: Path, data) -> None:
    events = _events(base_log)
    action = data.draw(st.sampled_from(["delete", "cut_end", "swap", "move"]), label="action")
    n, session_id, _ = data.draw(st.sampled_from(events[:-1]), label="event")
    if action == "move" and session_id is None:
        action = "delete"
    with tempfile.TemporaryDirectory() as folder:
        path = copy_log(base_log, Path(folder) / "copy.sqlite3")
        conn = raw(path)
        if action == "delete":
            conn.execute("DELETE FROM events WHERE n = ?", (n,))
        elif action == "cut_end":
            conn.execute("DELETE FROM events WHERE n >= ?", (n,))
        elif action == "swap":
            conn.execute("UPDATE events SET n = -1 WHERE n = ?", (n,))
            conn.execute("UPDATE events SET n = ? WHERE n = ?", (n, n + 1))
            conn.execute("UPDATE events SET n = ? WHERE n = -1", (n + 1,))
        else:
            target = 3 if session_id != 3 else 1
            conn.execute("UPDATE events SET session_id = ?, seq = seq + 1000 WHERE n = ?", (target, n))
        conn.close()
        report = _verify_copy(path)
    assert not report.ok


def _session_children(conn: sqlite3.Connection, session_id: int) -> None:
    for table in ("session_points", "session_channels", "scores", "adverse_events", "amendments",
                  "session_progress", "events"):
        conn.execute(f"DELETE FROM {table} WHERE session_id = ?", (session_id,))
    conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))


@pytest.mark.parametrize("session_id", [1, 2, 3])
def test_deleting_a_whole_session_is_found(base_log: Path, tmp_path: Path, session_id: int) -> None:
    path = copy_log(base_log, tmp_path / "copy.sqlite3")
    conn = raw(path)
    _session_children(conn, session_id)
    conn.close()
    report = _verify_copy(path)
    assert not report.ok
    assert any("missing" in str(p) for p in report.problems) or any(
        r.table == "sessions" and r.key == (session_id,) for r in report.rows
    )


def test_inserting_a_copy_of_a_session_is_found(base_log: Path, tmp_path: Path) -> None:
    path = copy_log(base_log, tmp_path / "copy.sqlite3")
    conn = raw(path)
    conn.execute("INSERT INTO sessions SELECT 9 AS id, patient_id, course_id, practitioner_id, number,"
                 " planned_minutes, state, needle_type, depth, response_sought, setting, notes, started_at,"
                 " ended_at, treatment_seconds, event_count, last_hash FROM sessions WHERE id = 1")
    top = conn.execute("SELECT max(n) FROM events").fetchone()[0]
    conn.execute("INSERT INTO events SELECT n + ?, 9, seq, at, offset_s, kind, payload, prev_hash, hash"
                 " FROM events WHERE session_id = 1", (top,))
    conn.close()
    report = _verify_copy(path)
    assert not report.ok
    assert report.problems[0].session_id == 9


def test_swapping_two_sessions_is_found(base_log: Path, tmp_path: Path) -> None:
    path = copy_log(base_log, tmp_path / "copy.sqlite3")
    conn = raw(path)
    conn.execute("PRAGMA foreign_keys = OFF")
    for table, column in (("events", "session_id"), ("sessions", "id"), ("scores", "session_id"),
                          ("adverse_events", "session_id"), ("session_points", "session_id"),
                          ("session_channels", "session_id"), ("amendments", "session_id")):
        conn.execute(f"UPDATE {table} SET {column} = -1 WHERE {column} = 1")
        conn.execute(f"UPDATE {table} SET {column} = 1 WHERE {column} = 2")
        conn.execute(f"UPDATE {table} SET {column} = 2 WHERE {column} = -1")
    conn.close()
    report = _verify_copy(path)
    assert not report.ok and report.problems


def test_a_byte_changed_in_the_file_itself_is_found(base_log: Path, tmp_path: Path) -> None:
    path = copy_log(base_log, tmp_path / "copy.sqlite3")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = DELETE")
    (n,) = conn.execute("SELECT n FROM events WHERE payload LIKE ?", (f"%{MARKER}%",)).fetchone()
    conn.close()
    content = path.read_bytes()
    assert content.count(MARKER.encode()) == 1
    path.write_bytes(content.replace(MARKER.encode(), b"MARKER-12346"))
    report = _verify_copy(path)
    assert not report.ok and report.problems[0].n == n


def test_verify_command_names_the_first_bad_event_and_row(base_log: Path, tmp_path: Path, capsys) -> None:
    assert cli_main(["verify", "--db", str(base_log)]) == 0
    assert capsys.readouterr().out.startswith("OK: 3 sessions")
    path = copy_log(base_log, tmp_path / "copy.sqlite3")
    conn = raw(path)
    conn.execute("UPDATE events SET payload = replace(payload, '2.5', '9.5') WHERE session_id = 2")
    conn.close()
    assert cli_main(["verify", "--db", str(path)]) == 1
    out = capsys.readouterr().out
    assert "first bad record is session 2, event" in out and "changed after it was written" in out
    path = copy_log(base_log, tmp_path / "copy2.sqlite3")
    conn = raw(path)
    conn.execute("UPDATE scores SET value = 0 WHERE id = 2")
    conn.close()
    assert cli_main(["verify", "--db", str(path)]) == 1
    out = capsys.readouterr().out
    assert "table scores, row id=2, field value: holds 0 but the chained events say 3" in out
