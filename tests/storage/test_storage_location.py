"""`--db`, `migrate --from/--to`: a file path or a postgresql:// address; a mistyped address is refused, never
taken for a file name (a new, empty log made under the working folder, the practitioner none the wiser)."""

from __future__ import annotations

from pathlib import Path

import pytest

from neurotimer.cli import main as cli_main
from neurotimer.storage.location import parse_location

TYPOS = (
    "postgresq://room1@127.0.0.1:5432/neurotimer",
    "postgressql://room1@server/neurotimer",
    "postgresql:/room1@server/neurotimer",
    "postgre://room1@server/neurotimer",
    "pgsql://server/neurotimer",
    "sqlite:///var/lib/neurotimer.sqlite3",
)


@pytest.mark.parametrize("text", TYPOS)
def test_an_address_with_a_mistyped_scheme_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="postgresql://"):
        parse_location(text)


@pytest.mark.parametrize(
    "text",
    ["log.sqlite3", "/srv/neurotimer/log.sqlite3", "./room 1/log.sqlite3", "C:/clinic/log.sqlite3",
     "C:\\clinic\\log.sqlite3", "backup:2026.sqlite3"],
)
def test_file_paths_stay_paths(text: str) -> None:
    assert parse_location(text) == Path(text)


@pytest.mark.parametrize("text", ["postgresql://room1@server/neurotimer", " POSTGRES://room1@server/neurotimer "])
def test_server_addresses_stay_text(text: str) -> None:
    assert parse_location(text) == text.strip()


@pytest.mark.parametrize(
    "argv",
    [
        ["demo-data", "--db", TYPOS[0], "--patients", "1", "--sessions", "1"],
        ["--db", TYPOS[0], "verify"],
        ["migrate", "--from", "missing.sqlite3", "--to", TYPOS[2]],
        ["export", "--db", TYPOS[1], "--format", "json", "--out", "out.json"],
        ["report", "--db", TYPOS[1], "--session", "1", "--out", "out.pdf"],
        ["clinic", "--db", TYPOS[0]],
    ],
)
def test_a_mistyped_address_exits_2_with_one_line_and_creates_nothing(
    argv: list[str], tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as ended:
        cli_main(argv)
    assert ended.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "postgresql://" in err and "room1@" in err
    assert list(tmp_path.iterdir()) == []  # no folder named "postgresq:", no log in it
