"""Fixtures that give a log on either engine: the storage suite runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from neurotimer.storage.store import open_readonly, open_store

ENGINES = ("sqlite", "postgresql")


@pytest.fixture(params=ENGINES)
def engine(request) -> str:
    return request.param


@pytest.fixture
def log_location(engine: str, tmp_path: Path, request) -> Path | str:
    """Where a new, empty log goes: a file in the test's folder, or a fresh database on the test server."""
    if engine == "sqlite":
        return tmp_path / "log.sqlite3"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def any_store(log_location, clock):
    """An open, empty log on either engine."""
    store = open_store(log_location, clock=clock, daily_backup=False)
    yield store
    store.close()


@pytest.fixture
def reader():
    """reader(store) -> a second, read-only connection to the same log, as another program would have."""
    opened = []

    def make(store):
        other = open_readonly(store.path)
        opened.append(other)
        return other.conn

    yield make
    for other in opened:
        other.close()
