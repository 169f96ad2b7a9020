"""A password the server asks for and libpq did not send: the one line says why, naming a misspelt database
when the password file has a line for the same server and user under another database name."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from neurotimer.cli import main as cli_main
from neurotimer.storage.db import CannotOpenError
from neurotimer.storage.pg import passfile
from neurotimer.storage.store import open_store

LOGIN = "nt_test_frontdesk"
PASSWORD = "staple battery horse"


@pytest.fixture
def login(pg_server, pg_url, tmp_path, monkeypatch):
    """A workstation login with a password; the database set up by its owner; an empty password file."""
    with pg_server.admin() as admin:
        admin.execute(f"DROP ROLE IF EXISTS {LOGIN}")
        admin.execute(f"CREATE ROLE {LOGIN} LOGIN PASSWORD '{PASSWORD}'")
    open_store(pg_url).close()
    file = tmp_path / "pgpass"
    file.write_text("")
    file.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(file))
    monkeypatch.setitem(__import__("sys").modules, "keyring", None)  # no OS keyring: the file alone
    dbname = pg_url.rpartition("/")[2]
    yield file, dbname, pg_server.url(dbname, user=LOGIN)
    with pg_server.admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        admin.execute(f"DROP ROLE IF EXISTS {LOGIN}")


def _line(url: str, dbname: str, password: str = PASSWORD) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}:{dbname}:{LOGIN}:{password}\n"


def test_a_misspelt_database_name_is_said_to_be_one(login, capsys) -> None:
    file, dbname, url = login
    file.write_text(_line(url, dbname))
    psycopg.connect(url, connect_timeout=10).close()  # the line lets the right name in
    typo = url[: -len(dbname)] + dbname[:-1]
    assert cli_main(["verify", "--db", typo]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "misspelt" in err and f"none for the database {dbname[:-1]}, only for {dbname}" in err
    assert "refused the password" not in err and PASSWORD not in err


def test_no_line_for_the_server_says_so_and_not_misspelt(login) -> None:
    file, dbname, url = login
    file.write_text(_line(url, dbname).replace(LOGIN, "someone_else"))
    with pytest.raises(CannotOpenError, match=f"there is none in {file}") as refused:
        open_store(url)
    assert "misspelt" not in str(refused.value) and f"for {LOGIN} and the database {dbname}" in str(refused.value)


def test_a_wrong_password_in_the_file_is_a_refused_password(login) -> None:
    file, dbname, url = login
    file.write_text(_line(url, dbname, password="not it"))
    with pytest.raises(CannotOpenError, match="the server refused the password") as refused:
        open_store(url)
    assert "misspelt" not in str(refused.value) and "not it" not in str(refused.value)


def test_a_file_others_may_read_is_said_to_be_skipped(login) -> None:
    file, dbname, url = login
    file.write_text(_line(url, dbname))
    file.chmod(0o644)
    with pytest.raises(CannotOpenError, match="chmod 0600"):
        open_store(url)


def test_lines_match_as_libpq_matches_them(tmp_path: Path) -> None:
    file = tmp_path / "pgpass"
    file.write_text("# the clinic's server\n"
                    "db.clinic:5432:neurotimer:room1:pw\n"
                    "db.clinic:*:archive:room1:pw\n"
                    "db.clinic:5432:*:frontdesk:pw\n"
                    "localhost:5432:local\\:db:room1:pw\n"
                    "short:line\n")
    room1 = {"host": "db.clinic", "user": "room1"}
    assert passfile.other_databases({**room1, "dbname": "neurotimer"}, file) is None
    assert passfile.other_databases({**room1, "dbname": "neurotimr"}, file) == ["neurotimer", "archive"]
    assert passfile.other_databases({**room1, "port": "5433", "dbname": "neurotimer"}, file) == ["archive"]
    assert passfile.other_databases({"host": "db.clinic", "user": "frontdesk", "dbname": "anything"}, file) is None
    assert passfile.other_databases({"host": "/run/postgresql", "user": "room1", "dbname": "local:db"}, file) is None
    assert passfile.other_databases({"host": "other", "user": "room1", "dbname": "neurotimer"}, file) == []
    assert passfile.other_databases({**room1, "dbname": "x"}, tmp_path / "none") == []
