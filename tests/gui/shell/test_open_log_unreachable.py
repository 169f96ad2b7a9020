"""Opening a server log at start when the server stops answering meanwhile: every call the window makes is bounded
from the first read, and sessions that cannot be closed now are left for the next start, not a traceback."""

from __future__ import annotations

import sqlite3

import pytest

import neurotimer.gui.shell.open_log as open_log_module
from neurotimer.gui.shell.open_log import open_session_log
from neurotimer.session.session import Session
from neurotimer.storage.bounded import BoundedConnection
from neurotimer.storage.recorder import Recorder
from neurotimer.storage.store import open_store
from tests.gui.silent_log import relayed


def never_asked(text, _choices):
    pytest.fail(f"asked: {text}")


def test_a_server_log_is_bounded_from_its_first_read_at_start(pg_url, clock) -> None:
    with relayed(pg_url, clock):
        pass  # the schema is made
    opened = open_session_log(pg_url, clock, never_asked, lambda: None)
    try:
        assert isinstance(opened.store.conn, BoundedConnection)
    finally:
        opened.store.close()


def test_sessions_left_open_wait_for_the_next_start_when_the_server_stops_answering(pg_url, clock,
                                                                                    monkeypatch) -> None:
    crashed = open_store(pg_url, clock=clock, daily_backup=False)
    recorder = Recorder(crashed, clock)
    session = Session(clock, 30)
    recorder.attach(session)
    session.start()
    recorder.progress()
    if crashed.leases is not None:
        crashed.leases.stop()
    crashed.conn._pool.close(timeout=1)  # the workstation died with its session open

    def server_gone(store):
        raise sqlite3.OperationalError("the log server cannot be reached (the connection was lost)")

    monkeypatch.setattr(open_log_module, "recover_interrupted", server_gone)
    opened = open_session_log(pg_url, clock, never_asked, lambda: None)
    try:
        assert opened.writable and opened.recovered == []
        assert "could not be closed as interrupted now" in opened.replayed and "next start" in opened.replayed
    finally:
        opened.store.close()
    monkeypatch.undo()
    later = open_store(pg_url, clock=clock, daily_backup=False)
    try:
        assert later.get_session(recorder.session_id).summary.state == "running", "left open for a later start"
    finally:
        later.close()
