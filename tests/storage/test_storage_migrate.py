"""`neurotimer migrate`: a practice moves its log to the clinic's server and back, every chain intact."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from storage_helpers import run_session

from neurotimer.cli import main as cli_main
from neurotimer.storage.demo import make_demo_database
from neurotimer.storage.store import open_readonly, open_store
from neurotimer.storage.transfer import _export_text
from neurotimer.storage.verify import verify_store


def _export(location) -> str:
    store = open_readonly(location)
    try:
        assert verify_store(store).ok
        return _export_text(store)
    finally:
        store.close()


def test_a_file_moves_to_the_server_and_back_unchanged(pg_url: str, tmp_path: Path, capsys, clock) -> None:
    original = tmp_path / "practice.sqlite3"
    make_demo_database(original, patients=4, sessions=12, seed=3)
    assert cli_main(["migrate", "--from", str(original), "--to", pg_url]) == 0
    out = capsys.readouterr().out
    assert "12 sessions" in out and "exports exactly as the original" in out
    assert _export(pg_url) == _export(original)
    back = tmp_path / "back.sqlite3"
    assert cli_main(["migrate", "--from", pg_url, "--to", str(back)]) == 0
    assert _export(back) == _export(original)
    store = open_store(pg_url, clock=clock)  # the server log goes on where the file left off
    new = store.create_patient("P-0100")
    sid, _, _ = run_session(store, clock, patient_id=new)
    assert new == 5 and sid == 13 and verify_store(store).ok
    with psycopg.connect(pg_url, autocommit=True) as conn, pytest.raises(psycopg.Error):
        conn.execute("DELETE FROM events WHERE session_id = 1")  # the rules are back on after the copy
    store.close()


def test_a_log_is_copied_only_into_a_new_one(pg_url: str, tmp_path: Path, capsys, clock) -> None:
    original = tmp_path / "practice.sqlite3"
    make_demo_database(original, patients=2, sessions=3)
    busy = open_store(pg_url, clock=clock)
    busy.create_patient("P-0001", "Someone Already Here")
    busy.close()
    assert cli_main(["migrate", "--from", str(original), "--to", pg_url]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already holds records" in err
    store = open_readonly(pg_url)
    assert [p.name for p in store.list_patients()] == ["Someone Already Here"]
    store.close()
    existing = tmp_path / "other.sqlite3"
    existing.write_bytes(b"keep me")
    assert cli_main(["migrate", "--from", pg_url, "--to", str(existing)]) == 2
    assert "already exists" in capsys.readouterr().err and existing.read_bytes() == b"keep me"
    assert cli_main(["migrate", "--from", str(tmp_path / "none.sqlite3"), "--to", str(tmp_path / "n.sqlite3")]) == 2
    assert "no session log" in capsys.readouterr().err and not (tmp_path / "n.sqlite3").exists()
    assert cli_main(["migrate", "--from", str(original), "--to", str(tmp_path / "copy.sqlite3")]) == 0
    assert _export(tmp_path / "copy.sqlite3") == _export(original)


def test_a_log_copied_with_a_session_still_running_says_so(tmp_path: Path, capsys, clock) -> None:
    # A server copied while a workstation treats (or a file while its window is open): the copy holds the
    # session open, and the first start on it closes it as interrupted although it went on at the source.
    from neurotimer.session.session import Session
    from neurotimer.storage.recorder import Recorder

    source = tmp_path / "practice.sqlite3"
    store = open_store(source, clock=clock, daily_backup=False)
    run_session(store, clock)
    recorder = Recorder(store, clock)
    session = Session(clock, 30)
    recorder.attach(session)
    session.start()
    clock.advance(5)
    recorder.progress()
    assert cli_main(["migrate", "--from", str(source), "--to", str(tmp_path / "copy.sqlite3")]) == 0
    out = capsys.readouterr().out
    assert "2 sessions" in out and "exports exactly as the original" in out
    assert "1 session was open" in out and "interrupted" in out, out
    session.end()
    recorder.flush()
    store.close()
    assert cli_main(["migrate", "--from", str(source), "--to", str(tmp_path / "later.sqlite3")]) == 0
    assert "open" not in capsys.readouterr().out, "ended: nothing to say"
