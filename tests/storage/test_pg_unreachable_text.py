"""What a practitioner reads when the log server cannot be reached: one reason, no parentheses inside the
parentheses the alarm ("The session log cannot be written (…)") and the review window put around it."""

from __future__ import annotations

import psycopg
import pytest
from psycopg_pool import PoolTimeout

from neurotimer.storage.pg.connection import PgConnection, as_sqlite_error


class _AwayPool:
    def getconn(self, timeout: float):
        raise PoolTimeout("couldn't get a connection after 0.50 sec")


def _as_alarm(reason: str) -> str:
    return f"The session log cannot be written ({reason})."


def _nested(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += ch == "("
        if depth > 1:
            return True
        depth -= ch == ")"
    return False


def test_a_server_away_reads_as_one_reason() -> None:
    with pytest.raises(Exception) as raised:
        PgConnection(_AwayPool())._connection()
    text = str(raised.value)
    assert "cannot be reached" in text and "reconnecting" in text
    assert not _nested(_as_alarm(text)), _as_alarm(text)


def test_a_refused_connection_reads_as_one_reason() -> None:
    failed = psycopg.OperationalError('connection to server at "10.0.0.5", port 5432 failed: Connection refused\n'
                                      "\tIs the server running on that host and accepting TCP/IP connections?")
    text = str(as_sqlite_error(failed))
    assert "cannot be reached" in text and "Connection refused" in text and "Is the server" not in text
    assert not _nested(_as_alarm(text)), _as_alarm(text)
