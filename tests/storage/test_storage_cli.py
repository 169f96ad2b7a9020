"""`neurotimer verify`: exit 0 when sound, 1 when a log is wrong, 2 when it refuses or cannot open."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from storage_helpers import run_session

from neurotimer.cli import main as cli_main
from neurotimer.storage import migrations
from neurotimer.storage.store import open_store


@pytest.fixture
def good_log(tmp_path: Path, clock) -> Path:
    path = tmp_path / "log.sqlite3"
    store = open_store(path, clock=clock, daily_backup=False)
    run_session(store, clock)
    store.close()
    return path


def test_verify_accepts_db_before_or_after_the_subcommand(good_log: Path, capsys) -> None:
    assert cli_main(["verify", "--db", str(good_log)]) == 0
    assert cli_main(["--db", str(good_log), "verify"]) == 0
    out = capsys.readouterr().out
    assert out.count("OK: 1 sessions") == 2


def _other_app(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1598903374")
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()


def _newer(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {migrations.LATEST_VERSION + 1}")
    conn.close()


@pytest.mark.parametrize(
    ("spoil", "words"),
    [
        (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200)), "not an SQLite file"),
        (_other_app, "another program"),
        (_newer, "newer version"),
        (lambda p: p.write_bytes(b""), "empty"),
    ],
)
def test_verify_refuses_with_one_line_and_status_2(good_log: Path, tmp_path: Path, capsys, spoil, words) -> None:
    target = tmp_path / "target.sqlite3"
    if spoil is _newer:
        target = good_log
        spoil(target)
    else:
        spoil(target)
    before = target.read_bytes()
    assert cli_main(["verify", "--db", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("neurotimer verify: ") and err.count("\n") == 1 and words in err
    assert target.read_bytes() == before


def test_verify_as_a_real_command(good_log: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    result = subprocess.run([sys.executable, "-m", "neurotimer", "verify", "--db", str(good_log)],
                            capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0 and result.stdout.startswith("OK")
    missing = subprocess.run([sys.executable, "-m", "neurotimer", "verify", "--db", str(good_log.with_name("x"))],
                             capture_output=True, text=True, timeout=60, env=env)
    assert missing.returncode == 2 and "no session log" in missing.stderr


@pytest.mark.parametrize(
    "argv",
    [["verify"], ["export", "--format", "json", "--out", "OUT"], ["migrate", "--to", "OUT"],
     ["report", "--session", "1", "--out", "OUT"]],
)
def test_a_log_from_a_newer_version_is_refused_by_a_command_without_offering_read_only(
    log_location, engine: str, tmp_path: Path, capsys, clock, argv: list[str]
) -> None:
    # The window opens such a log read-only; a command cannot use it at all, and says what to do instead.
    store = open_store(log_location, clock=clock, daily_backup=False)
    store.close()
    if engine == "sqlite":
        _newer(log_location)
    else:
        import psycopg

        with psycopg.connect(str(log_location), autocommit=True) as conn:
            conn.execute("UPDATE neurotimer_meta SET schema_version = schema_version + 1")
    argv = [a.replace("OUT", str(tmp_path / "out.file")) for a in argv]
    where = ["--from" if argv[0] == "migrate" else "--db", str(log_location)]
    assert cli_main([argv[0], *where, *argv[1:]]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "newer version of neurotimer" in err
    assert "read-only" not in err and "use that version for this command" in err, err
    assert not (tmp_path / "out.file").exists()
